package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HookEventTest {
  private static final StreamPath IN = StreamPath.in(StreamId.of("s"));
  private static final Instant NOW = Instant.EPOCH;

  @Test
  void cannotBeBuiltInvalid() {
    assertThatThrownBy(() -> new HookEvent(" ", HookEventType.READY, IN, "", "", "", NOW)).hasMessageContaining("event id");
    assertThatThrownBy(() -> new HookEvent("x".repeat(129), HookEventType.READY, IN, "", "", "", NOW)).hasMessageContaining("128");
    assertThatThrownBy(() -> new HookEvent("id", null, IN, "", "", "", NOW)).hasMessageContaining("event type");
    assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, null, "", "", "", NOW)).hasMessageContaining("missing path");
    assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN.opposite(), "", "", "", NOW)).hasMessageContaining("ingest");
    assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", "", "", null)).hasMessageContaining("timestamp");
    assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", "t".repeat(4097), "", NOW)).hasMessageContaining("sourceType");
  }

  @Test
  void createsWithFreshIds() {
    HookEvent a = HookEvent.create(HookEventType.READY, IN, null, null, null, NOW);
    HookEvent b = HookEvent.create(HookEventType.READY, IN, null, null, null, NOW);
    assertThat(a.eventId()).isNotEqualTo(b.eventId());
    assertThat(a.query()).isEmpty();
    assertThat(a.streamId()).isEqualTo(StreamId.of("s"));
  }

  @Test
  void typesHaveWireNamesAndEndpoints() {
    assertThat(HookEventType.NOT_READY.wireName()).isEqualTo("not-ready");
    assertThat(HookEventType.NOT_READY).hasToString("not-ready");
    assertThat(HookEventType.READY.endpointPath()).isEqualTo("/v1/mediamtx/events/ready");
    assertThat(HookEventType.fromWireName("event", "not-ready")).isEqualTo(HookEventType.NOT_READY);
    assertThatThrownBy(() -> HookEventType.fromWireName("event", null)).hasMessageContaining("(missing)");
  }
}
