package io.mtxtoolkit.testkit.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The log lines one logger writes while a piece of a test runs, for assertions on events, levels and fields. */
public final class CapturedLines {
  private CapturedLines() {}

  /** What may throw inside {@link #during}. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /** The lines {@code logger} wrote (at its configured level) while {@code action} ran. */
  public static List<ILoggingEvent> during(String logger, Action action) throws Exception {
    return during(logger, null, action);
  }

  /** The same, with the logger set to {@code level} meanwhile (DEBUG, to see lines below the test's level). */
  public static List<ILoggingEvent> during(String logger, Level level, Action action) throws Exception {
    Logger target = (Logger) LoggerFactory.getLogger(logger);
    Level before = target.getLevel();
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    target.addAppender(lines);
    if (level != null) {
      target.setLevel(level);
    }
    try {
      action.run();
    } finally {
      target.detachAppender(lines);
      if (level != null) {
        target.setLevel(before);
      }
    }
    return List.copyOf(lines.list);
  }

  /** {@link #during(String, Action)} for the logger of {@code type}. */
  public static List<ILoggingEvent> during(Class<?> type, Action action) throws Exception {
    return during(type.getName(), action);
  }

  /** The lines whose structured arguments name {@code event} ({@code kv("event", …)}). */
  public static List<ILoggingEvent> withEvent(List<ILoggingEvent> lines, String event) {
    return lines.stream().filter(e -> arguments(e).contains("event=" + event)).toList();
  }

  /** A line's structured arguments as text ({@code [event=worker-exited, exitCode=0, …]}). */
  public static String arguments(ILoggingEvent line) {
    return Arrays.toString(line.getArgumentArray());
  }
}
