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
  void timestampsBeyond1970To9999AreRefused() {
    assertThat(new HookEvent("id", HookEventType.READY, IN, "", "", "", HookEvent.EARLIEST).timestamp()).isEqualTo(Instant.EPOCH);
    assertThat(HookEvent.LATEST).hasToString("9999-12-31T23:59:59.999999999Z");
    assertThat(new HookEvent("id", HookEventType.READY, IN, "", "", "", HookEvent.LATEST).timestamp()).isEqualTo(HookEvent.LATEST);
    for (Instant out : new Instant[] {Instant.MIN, Instant.EPOCH.minusNanos(1), HookEvent.LATEST.plusNanos(1), Instant.MAX}) {
      assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", "", "", out)).as(out.toString())
          .isInstanceOf(io.mtxtoolkit.core.ValidationException.class).hasMessageContaining("outside 1970..9999");
    }
  }

  @Test
  void aSourceIdOrTypeWithAControlCharacterIsNoId() {
    assertThat(new HookEvent("id", HookEventType.READY, IN, "a=1\tb", "rtmpConn", "2222c5b5", NOW).query())
        .as("the query is the publisher's text, passed on as it came").isEqualTo("a=1\tb");
    for (String bad : new String[] {"\u0000", "a\nb", "\u007f", "x\u0085"}) {
      assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", "", bad, NOW)).as(bad)
          .hasMessageContaining("sourceId has a control character");
      assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", bad, "", NOW)).as(bad)
          .hasMessageContaining("sourceType has a control character");
    }
  }

  @Test
  void halfASurrogatePairIsNoText() {
    assertThat(new HookEvent("id", HookEventType.READY, IN, "q=\uD83D\uDE00", "", "", NOW).query()).endsWith("\uDE00");
    for (String bad : new String[] {"\uD83D", "a\uDE00b", "\uD83Dx"}) {
      assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, "", "", bad, NOW)).as(bad)
          .hasMessageContaining("sourceId has an unpaired surrogate");
    }
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

  @Test
  void eventIdsAreOneVisibleAsciiWordOfAtMost128() {
    for (String id : new String[] {"!", "~", "x".repeat(128), "0b9c3f5e-3f1a-4c1e-9d2a-7b6e5d4c3b2a"}) {
      assertThat(new HookEvent(id, HookEventType.READY, IN, "", "", "", NOW).eventId()).isEqualTo(id);
    }
    for (String id : new String[] {"a b", "a\u007fb", "caf\u00e9", "a\tb"}) {
      assertThatThrownBy(() -> new HookEvent(id, HookEventType.READY, IN, "", "", "", NOW)).as(id)
          .hasMessageContaining("event id has an invalid character");
    }
  }

  @Test
  void textFieldsMayFillTheirBoundExactly() {
    String full = "q".repeat(HookEvent.MAX_TEXT);
    assertThat(new HookEvent("id", HookEventType.READY, IN, full, full, full, NOW).query()).hasSize(HookEvent.MAX_TEXT);
    assertThatThrownBy(() -> new HookEvent("id", HookEventType.READY, IN, full + "q", "", "", NOW)).hasMessageContaining("query");
  }

  @Test
  void generatedIdsAreVersion4Uuids() {
    for (int i = 0; i < 1000; i++) {
      java.util.UUID id = java.util.UUID.fromString(EventIds.next());
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).as("IETF variant").isEqualTo(2);
    }
  }
}
