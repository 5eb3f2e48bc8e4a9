package io.mtxtoolkit.orchestrator.events;

import io.mtxtoolkit.core.hook.HookEvent;
import java.time.Instant;
import java.util.Objects;

/** An accepted hook event and when the orchestrator received it (the event's own timestamp is the hook's). */
public record ReceivedEvent(HookEvent event, Instant receivedAt) {
  public ReceivedEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(receivedAt, "receivedAt");
  }
}
