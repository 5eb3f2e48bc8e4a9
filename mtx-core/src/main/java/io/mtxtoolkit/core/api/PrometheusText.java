package io.mtxtoolkit.core.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the Prometheus text exposition format (version 0.0.4) that MediaMTX serves on {@code :9998/metrics}
 * and the orchestrator on {@code /metrics}: one sample per line, {@code name{label="value",…} number [timestamp]},
 * comments and blank lines skipped. Small enough to keep here rather than pull a client library for it.
 */
public final class PrometheusText {
  private PrometheusText() {}

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    int lineNo = 0;
    for (String raw : text.split("\n")) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(parseLine(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + " is not a Prometheus sample: " + line, e);
      }
    }
    return samples;
  }

  /** A sample value: a decimal float, {@code +Inf}/{@code -Inf}/{@code Inf} or {@code NaN} (no Java-only forms). */
  private static final java.util.regex.Pattern VALUE =
      java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** One line, read left to right: name, labels in braces (blanks allowed between tokens), value, timestamp. */
  private static Sample parseLine(String line) {
    Cursor at = new Cursor(line);
    String name = at.take(NAME, "metric name");
    Map<String, String> labels = new LinkedHashMap<>();
    boolean blank = at.blanks();
    if (at.skip('{')) {
      at.blanks();
      while (!at.skip('}')) {
        String key = at.take(LABEL, "label name");
        at.blanks();
        at.expect('=');
        at.blanks();
        labels.put(key, at.quoted());
        at.blanks();
        if (!at.skip(',')) {
          at.expect('}');
          break;
        }
        at.blanks();
      }
      blank = at.blanks();
    }
    if (!blank) {
      throw new IllegalArgumentException("expected a blank before the value");
    }
    String number = at.take(VALUE, "value");
    double value = switch (number.replace("+", "")) {
      case "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(number);
    };
    if (at.blanks() && !at.end()) {
      at.take(java.util.regex.Pattern.compile("-?\\d+"), "timestamp");
      at.blanks();
    }
    if (!at.end()) {
      throw new IllegalArgumentException("unexpected text after the value");
    }
    return new Sample(name, Map.copyOf(labels), value);
  }

  /** A position in one line. */
  private static final class Cursor {
    private final String line;
    private int i;

    Cursor(String line) {
      this.line = line;
    }

    boolean end() {
      return i >= line.length();
    }

    /** Skips spaces and tabs; true when there was one. */
    boolean blanks() {
      int from = i;
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      return i > from;
    }

    boolean skip(char c) {
      if (i < line.length() && line.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    void expect(char c) {
      if (!skip(c)) {
        throw new IllegalArgumentException("expected '" + c + "' at column " + (i + 1));
      }
    }

    String take(java.util.regex.Pattern p, String what) {
      java.util.regex.Matcher m = p.matcher(line).region(i, line.length());
      if (!m.lookingAt()) {
        throw new IllegalArgumentException("expected a " + what + " at column " + (i + 1));
      }
      i = m.end();
      return m.group();
    }

    /** A double-quoted label value with the format's escapes: {@code \\}, {@code \"}, {@code \n}. */
    String quoted() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (true) {
        if (end()) {
          throw new IllegalArgumentException("unterminated label value");
        }
        char c = line.charAt(i++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\') {
          if (end()) {
            throw new IllegalArgumentException("unterminated escape");
          }
          char next = line.charAt(i++);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
      }
    }
  }

  /**
   * The sum over every sample named {@code name} whose labels include {@code labels}, or empty when none
   * matches: for counts MediaMTX splits by a further label (from 1.18 {@code paths_readers} per
   * {@code readerType}).
   */
  public static Optional<Double> sum(List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .map(Sample::value)
        .reduce(Double::sum);
  }

  /** The value of the first sample named {@code name} whose labels include {@code labels}. */
  public static Optional<Double> value(List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .map(Sample::value)
        .findFirst();
  }
}
