package io.mtxtoolkit.core;

/** Text cut to a length for messages and payloads. */
public final class Texts {
  private Texts() {}

  /**
   * At most {@code max} chars of {@code value}, never half of a surrogate pair (an emoji): alone it is no text,
   * and a strict JSON reader refuses the line that carries it.
   */
  public static String prefix(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    int end = max > 0 && Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
    return value.substring(0, end);
  }
}
