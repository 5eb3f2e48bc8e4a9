package io.mtxtoolkit.orchestrator.http;

import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.QueryRedaction;
import io.mtxtoolkit.orchestrator.events.ReceivedEvent;

/**
 * One entry of {@code GET /v1/events}: the hook payload's fields (as HookEventJson writes them) plus
 * receivedAt; credential-like query values masked ({@link QueryRedaction}).
 */
public record EventView(String eventId, String event, String path, String streamId, String query, String sourceType,
                        String sourceId, String timestamp, String receivedAt) {
  public static EventView of(ReceivedEvent received) {
    HookEvent e = received.event();
    return new EventView(e.eventId(), e.type().wireName(), e.path().name(), e.streamId().value(), QueryRedaction.redact(e.query()),
        e.sourceType(), e.sourceId(), e.timestamp().toString(), received.receivedAt().toString());
  }
}
