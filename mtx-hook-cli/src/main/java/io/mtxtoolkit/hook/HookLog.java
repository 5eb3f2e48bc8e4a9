package io.mtxtoolkit.hook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mtxtoolkit.core.hook.HookEnvironment;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.IsoInstant;
import io.mtxtoolkit.core.path.StreamPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The hook's single JSON log line, in the same shape as the services' Logback lines (timestamp,
 * level, logger, message + correlation fields). Written with Jackson's streaming generator rather
 * than Logback because Logback's start-up would more than double the hook's run time. The hook
 * inherits MediaMTX's stdout/stderr, so the line lands among MediaMTX's own, unwrapped.
 */
final class HookLog {
  private static final JsonFactory FACTORY = new JsonFactory();

  private HookLog() {}

  /** What one run produced, for the log line. */
  record Outcome(HookExit exit, String message, String url, int status, String error, long durationMs) {
    /** An event that was never sent: its problem is {@code field}'s. */
    static Outcome notSent(HookExit exit, String eventName, String field, String problem, long durationMs) {
      return new Outcome(exit, "hook " + eventName + " not sent: " + problem, null, 0, field + ": " + problem, durationMs);
    }
  }

  /**
   * Writes the line; with no {@code event} (the environment could not make one) the stream's fields come from MediaMTX's
   * variables in {@code env} as they are: the path, its stream id when the path is valid, and the source id.
   */
  static void write(PrintStream stream, String level, String eventName, HookEvent event, Map<String, String> env,
                    Outcome outcome) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("timestamp", IsoInstant.format(Instant.now()));
      g.writeStringField("level", level);
      g.writeStringField("logger", "mtx-hook");
      g.writeStringField("message", outcome.message());
      g.writeStringField("event", eventName);
      if (event != null) {
        g.writeStringField("eventId", event.eventId());
        g.writeStringField("path", event.path().name());
        g.writeStringField("streamId", event.streamId().value());
        g.writeStringField("sourceType", event.sourceType());
        g.writeStringField("sourceId", event.sourceId());
      } else {
        String rawPath = env.get(HookEnvironment.MTX_PATH);
        if (rawPath != null) {
          g.writeStringField("path", rawPath);
          // no event (a usage error, another variable's fault): the stream is still named when the path is valid
          Optional<StreamPath> path = StreamPath.find(rawPath);
          if (path.isPresent()) {
            g.writeStringField("streamId", path.get().streamId().value());
          }
        }
        String sourceId = env.get(HookEnvironment.MTX_SOURCE_ID);
        if (sourceId != null && !sourceId.isBlank()) {
          g.writeStringField("sourceId", sourceId);
        }
      }
      if (outcome.url() != null) {
        g.writeStringField("url", outcome.url());
      }
      if (outcome.status() > 0) {
        g.writeNumberField("status", outcome.status());
      }
      if (outcome.error() != null) {
        g.writeStringField("error", outcome.error());
      }
      g.writeNumberField("durationMs", outcome.durationMs());
      g.writeNumberField("exitCode", outcome.exit().code());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stream.println(buf.toString(StandardCharsets.UTF_8));
    stream.flush();
  }
}
