package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.ValidationException;

/** How the orchestrator runs a worker: a child JVM (isolation) or a thread in its own JVM (density). */
public enum LaunchMode {
  PROCESS, THREAD;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static LaunchMode parse(String field, String text) {
    for (LaunchMode m : values()) {
      if (m.wireName().equals(text)) {
        return m;
      }
    }
    throw new ValidationException(field, "unknown worker mode '" + text + "' (process or thread)");
  }
}
