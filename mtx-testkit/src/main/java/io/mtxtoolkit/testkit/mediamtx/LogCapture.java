package io.mtxtoolkit.testkit.mediamtx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Collects a process's output lines as they arrive so tests can await a specific line with a bounded
 * wait; a timeout fails with the last lines seen, which is usually the explanation. Keeps at most the newest
 * {@value #DEFAULT_CAPACITY} lines by default (a quarter of them are dropped at once when full), so a process
 * that logs for hours cannot exhaust the heap; a line dropped can no longer be awaited.
 */
public final class LogCapture {
  public static final int DEFAULT_CAPACITY = 200_000;
  private static final int TAIL_ON_FAILURE = 40;

  private final String label;
  private final int capacity;
  private final List<String> lines = new ArrayList<>();
  /** Lines forgotten from the front; indices given out by {@link #size} count them, so they stay valid. */
  private long dropped;
  private final PrintStream echo;
  private volatile Thread reader;
  /** The followed stream has ended (its process exited): no line is coming, so a wait need not run out; guarded by lines. */
  private boolean ended;

  public LogCapture(String label, PrintStream echo) {
    this(label, echo, DEFAULT_CAPACITY);
  }

  /** @param capacity how many of the newest lines are kept */
  public LogCapture(String label, PrintStream echo, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.label = label;
    this.echo = echo;
    this.capacity = capacity;
  }

  /** Reads {@code stream} to its end on a daemon thread. */
  public Thread follow(InputStream stream) {
    Thread follower = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          add(line);
        }
      } catch (IOException e) {
        add("[log capture of " + label + " ended: " + e.getMessage() + "]");
      } finally {
        synchronized (lines) {
          ended = true;
          lines.notifyAll();
        }
      }
    }, label + "-log");
    follower.setDaemon(true);
    follower.start();
    this.reader = follower;
    return follower;
  }

  /** Waits (bounded) until the followed stream has been read to its end, e.g. after the process exited. */
  public void awaitEndOfStream(Duration timeout) {
    Thread r = reader;
    if (r != null) {
      try {
        r.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Records a line and wakes waiters. */
  public void add(String line) {
    synchronized (lines) {
      lines.add(line);
      if (lines.size() > capacity) {
        // dropping a batch at once keeps adding amortised O(1)
        int drop = lines.size() - capacity + Math.max(0, capacity / 4);
        drop = Math.min(drop, lines.size() - 1);
        lines.subList(0, drop).clear();
        dropped += drop;
      }
      lines.notifyAll();
    }
    if (echo != null) {
      echo.println("[" + label + "] " + line);
    }
  }

  /** A snapshot of every line still kept (the newest, up to the capacity). */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** The first line matching {@code condition}, if one has arrived. */
  public Optional<String> find(Predicate<String> condition) {
    return lines().stream().filter(condition).findFirst();
  }

  /**
   * Waits up to {@code timeout} for a line (already seen or new) matching {@code condition}; fails at once, rather than
   * at the timeout, when the followed stream has ended without one (the process exited).
   */
  public String await(String description, Predicate<String> condition, Duration timeout) {
    return awaitFrom(0, description, condition, timeout);
  }

  /** Like {@link #await} but only considers lines from index {@code from} on (see {@link #size}). */
  public String awaitFrom(long from, String description, Predicate<String> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      long next = from;
      while (true) {
        for (next = Math.max(next, dropped); next - dropped < lines.size(); next++) {
          String line = lines.get((int) (next - dropped));
          if (condition.test(line)) {
            return line;
          }
        }
        if (ended) {
          throw new AssertionError(label + "'s output ended (the process exited?) before it logged " + description
              + "; last lines:\n  " + String.join("\n  ", tail()));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + label
              + " to log " + description + "; last lines:\n  " + String.join("\n  ", tail()));
        }
        try {
          lines.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + description, e);
        }
      }
    }
  }

  /** Number of lines so far, forgotten ones included; pass to {@link #awaitFrom} to wait only for later lines. */
  public long size() {
    synchronized (lines) {
      return dropped + lines.size();
    }
  }

  /** The last lines, for failure messages. */
  public List<String> tail() {
    List<String> all = lines();
    return all.subList(Math.max(0, all.size() - TAIL_ON_FAILURE), all.size());
  }
}
