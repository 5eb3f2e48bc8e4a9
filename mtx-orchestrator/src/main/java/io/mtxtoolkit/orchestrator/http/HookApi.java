package io.mtxtoolkit.orchestrator.http;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static net.logstash.logback.argument.StructuredArguments.v;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.hook.HookSignature;
import io.mtxtoolkit.core.hook.QueryRedaction;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.events.EventLog;
import io.mtxtoolkit.orchestrator.events.RecentKeys;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.events.ReceivedEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The orchestrator's routes: the two hook receivers, the recent-events view and the health check. */
public final class HookApi {
  /** Largest accepted hook body; a real one is a few hundred bytes. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  public static final String EVENTS_PATH = "/v1/events";
  public static final String HEALTH_PATH = "/healthz";

  private static final Logger LOG = LoggerFactory.getLogger(HookApi.class);
  private static final Map<String, String> HEALTHY = Map.of("status", "ok");

  private final EventLog events;
  private final HookEventListener listener;
  private final Clock clock;
  /** Far more ids than events arrive within any redelivery window. */
  private final RecentKeys seen = new RecentKeys(10_000);
  /**
   * One event id is checked and applied under one of these, so a redelivery that arrives while the first delivery
   * is still being applied waits for its outcome: if that delivery fails, the redelivery is applied instead of
   * being acknowledged as a repeat of an event that never took effect.
   */
  private final Object[] deliveryLocks = new Object[64];

  private final String hookSecret;
  /**
   * Signed requests older than this (epoch seconds) are replays from before this process started, whose seen ids it
   * does not have: the start less 10 s, for the whole seconds the hook signs with and for hosts' clocks apart (one
   * stepped by NTP at boot). A replay of what was signed in those 10 s is still taken.
   */
  private final Instant signedNotBefore;
  static final java.time.Duration START_MARGIN = java.time.Duration.ofSeconds(10);

  public HookApi(EventLog events, HookEventListener listener, Clock clock) {
    this(events, listener, clock, null);
  }

  /** @param hookSecret when set, only requests signed with it are accepted ({@link HookSignature}) */
  public HookApi(EventLog events, HookEventListener listener, Clock clock, String hookSecret) {
    this.events = events;
    this.listener = listener;
    this.clock = clock;
    this.hookSecret = hookSecret == null || hookSecret.isEmpty() ? null : hookSecret;
    this.signedNotBefore = clock.instant().minus(START_MARGIN);
    for (int i = 0; i < deliveryLocks.length; i++) {
      deliveryLocks[i] = new Object();
    }
  }

  public void register(Javalin app) {
    for (HookEventType type : HookEventType.values()) {
      app.post(type.endpointPath(), ctx -> receive(ctx, type));
    }
    app.get(EVENTS_PATH, this::listEvents);
    app.get(HEALTH_PATH, ctx -> ctx.json(HEALTHY));
  }

  private void receive(Context ctx, HookEventType type) throws IOException {
    if (hookSecret != null) {
      String problem = HookSignature.headerProblem(ctx.header(HookSignature.TIMESTAMP_HEADER),
          ctx.header(HookSignature.SIGNATURE_HEADER), clock.instant(), signedNotBefore);
      if (problem != null) {
        throw new RequestRejected(HttpStatus.UNAUTHORIZED.getCode(), HookSignature.SIGNATURE_HEADER, problem, null);
      }
    }
    byte[] body = RequestBodies.readJson(ctx, MAX_BODY_BYTES);
    if (hookSecret != null) {
      String problem = HookSignature.problem(hookSecret, ctx.header(HookSignature.TIMESTAMP_HEADER),
          ctx.header(HookSignature.SIGNATURE_HEADER), body, clock.instant());
      if (problem != null) {
        throw new RequestRejected(HttpStatus.UNAUTHORIZED.getCode(), HookSignature.SIGNATURE_HEADER, problem, ingestPathIn(body));
      }
    }
    HookEvent event;
    try {
      event = HookEventJson.read(type, body, clock::instant);
    } catch (ValidationException e) {
      throw new RequestRejected(HttpStatus.BAD_REQUEST.getCode(), e.field(), e.getMessage(), ingestPathIn(body));
    }
    // keyed by type and path as well: one id sent to ready and then to not-ready is two events, not a repeat, and a
    // sample body copied for another stream must not be taken for that stream's repeat
    String key = event.type().wireName() + " " + event.path().name() + " " + event.eventId();
    synchronized (deliveryLocks[Math.floorMod(key.hashCode(), deliveryLocks.length)]) {
      if (!seen.firstTime(key)) {
        LOG.info("duplicate hook event {} for {} ignored", v("event", type.wireName()), v("path", event.path().name()),
            kv("eventId", event.eventId()), kv("streamId", event.streamId().value()), kv("sourceId", event.sourceId()),
            kv("duplicate", true));
        ctx.status(HttpStatus.ACCEPTED).json(Map.of("eventId", event.eventId(), "duplicate", true));
        return;
      }
      LOG.info("hook event {} for {}", v("event", type.wireName()), v("path", event.path().name()),
          kv("eventId", event.eventId()), kv("streamId", event.streamId().value()), kv("sourceId", event.sourceId()),
          kv("sourceType", event.sourceType()), kv("query", QueryRedaction.redact(event.query())),
          kv("eventTimestamp", event.timestamp().toString()));
      Instant receivedAt = clock.instant(); // before the listener, whose work (a worker's launch) is not the receipt's
      try {
        listener.onEvent(event);
      } catch (io.mtxtoolkit.orchestrator.workers.StreamLimitReached e) {
        seen.forget(key); // not taken: a resend later must be applied
        throw new RequestRejected(HttpStatus.SERVICE_UNAVAILABLE.getCode(), "path", e.getMessage(), event.path());
      } catch (RuntimeException | Error e) {
        seen.forget(key); // answered 500 so the sender may send it again: that delivery must be applied, not ignored
        throw e;
      }
      // listed once applied: an event answered 500 was not accepted, and its resend is listed once
      events.add(new ReceivedEvent(event, receivedAt));
    }
    ctx.status(HttpStatus.ACCEPTED).json(AcceptedEvent.of(event));
  }

  private void listEvents(Context ctx) {
    int limit = limit(ctx.queryParam("limit"), events.capacity());
    ctx.json(events.latest(limit).stream().map(EventView::of).toList());
  }

  static int limit(String raw, int max) {
    if (raw == null) {
      return max;
    }
    try {
      int limit = Integer.parseInt(raw.trim());
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below, with the accepted range
    }
    throw new ValidationException("limit", "limit must be an integer from 1 to " + max);
  }

  /** The valid ingest path a rejected body named, if any: lets the warning say which stream sent garbage. */
  static StreamPath ingestPathIn(byte[] body) {
    try {
      JsonNode path = Json.MAPPER.readTree(body).get("path");
      if (path != null && path.isTextual()) {
        StreamPath parsed = StreamPath.parse(path.textValue());
        return parsed.direction() == StreamPath.Direction.IN ? parsed : null;
      }
    } catch (IOException | RuntimeException e) {
      // the body is already being rejected; its path is only a hint for the log line
    }
    return null;
  }
}
