package io.mtxtoolkit.core;

/** Text cut to a length for messages and payloads, and media libraries' messages made fit to show. */
public final class Texts {
  private Texts() {}

  /** What javacv appends to FFmpeg's errors for its own developers: meaningless to whoever reads ours. */
  private static final String[] JAVACV_HINTS = {" (For more details, make sure FFmpegLogCallback.set() has been called.)",
      " (Has setFormat() been called?)"};

  /** The first line of a media library's error message, without javacv's hints to its caller. */
  public static String mediaError(String message) {
    String m = String.valueOf(message);
    for (String hint : JAVACV_HINTS) {
      m = m.replace(hint, "");
    }
    return m.lines().findFirst().orElse(m);
  }

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

  /**
   * {@code value} as a message quotes text a client sent: at most 80 chars, control characters escaped, so one
   * request cannot put a 64 KiB field or a forged line break into a log line.
   */
  public static String quote(String value) {
    if (value == null) {
      return "(null)";
    }
    String shown = value.length() > 80 ? prefix(value, 80) + "…" : value;
    StringBuilder out = new StringBuilder("'");
    shown.codePoints().forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.append('\'').toString();
  }

  /** The index of the first control character (U+0000–U+001F, U+007F–U+009F) in {@code value}, or -1. */
  public static int controlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the first half of a surrogate pair standing alone in {@code value}, or -1: then it is text. */
  public static int unpairedSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
