package io.mtxtoolkit.orchestrator.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Javalin's bare "Failed to start Javalin" line: {@code mtx-orchestrator} reports the same failure
 * itself, naming the address and the setting to change, and two lines for one failure mislead.
 */
public final class JavalinStartFailureFilter extends Filter<ILoggingEvent> {
  static final String LOGGER = "io.javalin.Javalin";
  static final String MESSAGE = "Failed to start Javalin";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return LOGGER.equals(event.getLoggerName()) && MESSAGE.equals(event.getMessage()) ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
