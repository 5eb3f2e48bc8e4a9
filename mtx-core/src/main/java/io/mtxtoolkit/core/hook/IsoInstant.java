package io.mtxtoolkit.core.hook;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Formats an {@link Instant} exactly as {@link Instant#toString()} does, without touching
 * {@code java.time.format}: {@code mtx-hook} starts one JVM per event, and setting up
 * {@code DateTimeFormatter} (its builder, zone rules and a generated lambda form) costs it ~9 ms.
 */
public final class IsoInstant {
  private static final int SECONDS_PER_DAY = 86_400;

  private IsoInstant() {}

  /** {@code 2026-11-24T00:06:43.778851898Z}; the fraction in groups of three digits, as the JDK prints it. */
  public static String format(Instant t) {
    long seconds = t.getEpochSecond();
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
    if (day.getYear() < 0 || day.getYear() > 9999) {
      return t.toString(); // signed and five-digit years: rare enough to pay for the formatter
    }
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    StringBuilder b = new StringBuilder(30);
    digits(b, day.getYear(), 4).append('-');
    digits(b, day.getMonthValue(), 2).append('-');
    digits(b, day.getDayOfMonth(), 2).append('T');
    digits(b, secondOfDay / 3600, 2).append(':');
    digits(b, secondOfDay / 60 % 60, 2).append(':');
    digits(b, secondOfDay % 60, 2);
    int nano = t.getNano();
    if (nano > 0) {
      b.append('.');
      if (nano % 1_000_000 == 0) {
        digits(b, nano / 1_000_000, 3);
      } else if (nano % 1000 == 0) {
        digits(b, nano / 1000, 6);
      } else {
        digits(b, nano, 9);
      }
    }
    return b.append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder b, int value, int width) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
