package io.mtxtoolkit.orchestrator.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The most recent accepted events, oldest first, bounded so a chatty MediaMTX cannot exhaust memory. */
public final class EventLog {
  private final int capacity;
  private final ArrayDeque<ReceivedEvent> events;
  private long total;

  public EventLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.events = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  public int capacity() {
    return capacity;
  }

  /** Appends {@code event}, dropping the oldest one when full. Duplicates are kept: deduplication is not ours. */
  public synchronized void add(ReceivedEvent event) {
    if (events.size() == capacity) {
      events.removeFirst();
    }
    events.addLast(event);
    total++;
  }

  /** The newest {@code limit} events (all if fewer), oldest first. */
  public synchronized List<ReceivedEvent> latest(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    List<ReceivedEvent> all = new ArrayList<>(events);
    return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
  }

  /** How many events were ever added, including those since dropped. */
  public synchronized long total() {
    return total;
  }
}
