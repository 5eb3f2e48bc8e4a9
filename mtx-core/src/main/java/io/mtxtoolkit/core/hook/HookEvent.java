package io.mtxtoolkit.core.hook;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.time.Instant;

/**
 * A MediaMTX path state change as the orchestrator receives it: {@code ready} or {@code not-ready}
 * for an ingest path {@code live/<streamId>/in}, with MediaMTX's query string and source, when it
 * happened, and an id that makes a repeated delivery recognisable.
 *
 * @param eventId unique per hook run (UUID text)
 * @param type ready or not-ready
 * @param path always an ingest ({@code /in}) path: only those carry hooks
 * @param query the publisher's query string without {@code ?}, possibly empty
 * @param sourceType MediaMTX's source type, e.g. {@code rtmpConn}; empty when MediaMTX gave none
 * @param sourceId MediaMTX's id of the source connection or session; empty when MediaMTX gave none
 * @param timestamp when the hook ran
 */
public record HookEvent(String eventId, HookEventType type, StreamPath path, String query, String sourceType,
                        String sourceId, Instant timestamp) {
  /** Longest accepted query string, source type or source id; MediaMTX's are far shorter. */
  public static final int MAX_TEXT = 4096;

  public HookEvent {
    if (eventId == null || eventId.isBlank()) {
      throw new ValidationException("eventId", "missing event id");
    }
    if (eventId.length() > 128) {
      throw new ValidationException("eventId", "event id longer than 128 characters");
    }
    // mtx-hook sends a UUID; anything else a client sends must at least be one visible ASCII word, since
    // the id is echoed in answers and logs
    for (int i = 0; i < eventId.length(); i++) {
      char c = eventId.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new ValidationException("eventId", "event id has an invalid character " + StreamId.describe(c));
      }
    }
    if (type == null) {
      throw new ValidationException("event", "missing event type");
    }
    if (path == null) {
      throw new ValidationException("path", "missing path");
    }
    if (path.direction() != StreamPath.Direction.IN) {
      throw new ValidationException("path", "path " + path + " is not an ingest path live/<streamId>/in");
    }
    query = bounded("query", query);
    sourceType = printable("sourceType", bounded("sourceType", sourceType));
    sourceId = printable("sourceId", bounded("sourceId", sourceId));
    if (timestamp == null) {
      throw new ValidationException("timestamp", "missing timestamp");
    }
    if (timestamp.isBefore(EARLIEST) || timestamp.isAfter(LATEST)) {
      // Instant reaches a billion years either way; arithmetic on such a stamp overflows downstream
      throw new ValidationException("timestamp", "timestamp " + timestamp + " is outside 1970..9999");
    }
  }

  /** The earliest timestamp accepted: a hook on a machine whose clock never got set still reports 1970. */
  public static final Instant EARLIEST = Instant.EPOCH;
  /**
   * The latest timestamp accepted: 9999-12-31T23:59:59.999999999Z. Not by {@code Instant.parse}: that loads and sets up
   * java.time's formatters, regex and BigDecimal, ~10 ms of every hook run's JVM (see {@link IsoInstant}).
   */
  public static final Instant LATEST = Instant.ofEpochSecond(253_402_300_799L, 999_999_999);

  /** A new event with a random id, stamped now. */
  public static HookEvent create(HookEventType type, StreamPath path, String query, String sourceType, String sourceId,
                                 Instant now) {
    return new HookEvent(EventIds.next(), type, path, query, sourceType, sourceId, now);
  }

  public StreamId streamId() {
    return path.streamId();
  }

  /**
   * MediaMTX's source ids and types are plain words. A control character in one is no id: it would reach a worker
   * process's command line ({@code --source-id}), where a NUL makes every launch of the stream fail.
   */
  private static String printable(String field, String value) {
    int at = io.mtxtoolkit.core.Texts.controlCharacter(value);
    if (at >= 0) {
      throw new ValidationException(field, field + " has a control character " + StreamId.describe(value.charAt(at))
          + " at index " + at);
    }
    return value;
  }

  private static String bounded(String field, String value) {
    if (value == null) {
      return "";
    }
    if (value.length() > MAX_TEXT) {
      throw new ValidationException(field, field + " longer than " + MAX_TEXT + " characters");
    }
    int half = io.mtxtoolkit.core.Texts.unpairedSurrogate(value);
    if (half >= 0) {
      // half an emoji (a JSON "\ud83d" alone) is no text: every log line and payload carrying it would be refused
      throw new ValidationException(field, field + " has an unpaired surrogate at index " + half);
    }
    return value;
  }
}
