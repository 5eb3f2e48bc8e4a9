package io.mtxtoolkit.core.path;

import io.mtxtoolkit.core.Texts;
import io.mtxtoolkit.core.ValidationException;

/**
 * A publisher-chosen stream identifier: {@code [A-Za-z0-9_-]+}, at most {@value #MAX_LENGTH} characters.
 *
 * <p>The alphabet is URL- and shell-safe, so an id can be placed in a URL path or an argument vector
 * without encoding; anything else is rejected here rather than escaped later.
 */
public record StreamId(String value) {
  /** Longest accepted id; keeps paths, metric labels and log lines bounded. */
  public static final int MAX_LENGTH = 64;
  /** The same rule as a regular expression, for configurations that match paths by one (MediaMTX's). */
  public static final String REGEX = "[A-Za-z0-9_-]{1," + MAX_LENGTH + "}";

  public StreamId {
    validate("streamId", value);
  }

  /** Parses {@code value}, reporting problems against {@code field}. */
  public static StreamId of(String field, String value) {
    validate(field, value);
    return new StreamId(value);
  }

  public static StreamId of(String value) {
    return new StreamId(value);
  }

  /** True when {@code value} would be accepted. */
  public static boolean isValid(String value) {
    return problem(value) == null;
  }

  private static void validate(String field, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new ValidationException(field, "invalid stream id " + Texts.quote(value) + ": " + problem);
    }
  }

  private static String problem(String value) {
    if (value == null) {
      return "missing";
    }
    if (value.isEmpty()) {
      return "empty (allowed: A-Z a-z 0-9 _ -)";
    }
    if (value.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters (" + value.length() + ")";
    }
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (!isAllowed(cp)) {
        return "character " + describe(cp) + " at position " + i + " is not allowed (allowed: A-Z a-z 0-9 _ -)";
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  private static boolean isAllowed(int cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_' || cp == '-';
  }

  /** A character as a message shows it: itself and its code point, e.g. ';' (U+003B). */
  public static String describe(int cp) {
    String code = String.format("U+%04X", cp);
    return cp >= 0x21 && cp < 0x7f ? "'" + (char) cp + "' (" + code + ")" : code;
  }

  @Override
  public String toString() {
    return value;
  }
}
