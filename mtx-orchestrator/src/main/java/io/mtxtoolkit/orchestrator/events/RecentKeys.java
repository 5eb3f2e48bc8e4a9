package io.mtxtoolkit.orchestrator.events;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} keys seen: event ids, so a repeated delivery of the same event is applied once, or path
 * names, so a warning about one is given once. Bounded (oldest forgotten first) because keys arrive forever.
 */
public final class RecentKeys {
  private final Map<String, Boolean> keys;

  public RecentKeys(int capacity) {
    this.keys = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Records {@code key}; true when it is new, false when it was seen before. */
  public synchronized boolean firstTime(String key) {
    return keys.put(key, Boolean.TRUE) == null;
  }

  /** Forgets {@code key}, so it counts as new next time: for an event that was recorded but could not be applied. */
  public synchronized void forget(String key) {
    keys.remove(key);
  }
}
