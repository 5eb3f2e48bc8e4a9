package io.mtxtoolkit.orchestrator.events;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} event ids seen, so a repeated delivery of the same event is applied once.
 * Bounded (oldest forgotten first) because ids arrive forever.
 */
public final class RecentIds {
  private final Map<String, Boolean> ids;

  public RecentIds(int capacity) {
    this.ids = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Records {@code id}; true when it is new, false when it was seen before. */
  public synchronized boolean firstTime(String id) {
    return ids.put(id, Boolean.TRUE) == null;
  }

  /** Forgets {@code id}, so its next delivery counts as new: for an event that was recorded but could not be applied. */
  public synchronized void forget(String id) {
    ids.remove(id);
  }
}
