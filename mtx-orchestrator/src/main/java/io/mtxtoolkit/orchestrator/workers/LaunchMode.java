package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.ValidationException;

/** How the orchestrator runs a worker: a child JVM (isolation) or a thread in its own JVM (density). */
public enum LaunchMode {
  PROCESS, THREAD;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The mode named {@code text}; otherwise an error that lists the modes and {@code otherChoices}, the caller's own
   * words that it handles before asking (the orchestrator's {@code none}).
   */
  public static LaunchMode parse(String field, String text, String... otherChoices) {
    java.util.List<String> choices = new java.util.ArrayList<>();
    for (LaunchMode m : values()) {
      if (m.wireName().equals(text)) {
        return m;
      }
      choices.add(m.wireName());
    }
    choices.addAll(java.util.List.of(otherChoices));
    String last = choices.remove(choices.size() - 1);
    throw new ValidationException(field, "unknown worker mode '" + text + "' (" + String.join(", ", choices) + " or " + last + ")");
  }
}
