package io.mtxtoolkit.orchestrator.http;

import io.mtxtoolkit.core.hook.HookEvent;

/** The 202 body for an accepted hook event: enough for the sender to log what was understood. */
public record AcceptedEvent(String eventId, String event, String path, String streamId) {
  public static AcceptedEvent of(HookEvent e) {
    return new AcceptedEvent(e.eventId(), e.type().wireName(), e.path().name(), e.streamId().value());
  }
}
