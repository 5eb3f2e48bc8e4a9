package io.mtxtoolkit.orchestrator.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private static ReceivedEvent received(String id) {
    Instant at = Instant.parse("2026-11-24T00:00:00Z");
    return new ReceivedEvent(new HookEvent(id, HookEventType.READY, StreamPath.in(StreamId.of("s")), "", "", "", at), at);
  }

  @Test
  void keepsTheNewestOldestFirst() {
    EventLog log = new EventLog(3);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      log.add(received(id));
    }

    assertThat(log.latest(10)).extracting(r -> r.event().eventId()).containsExactly("b", "c", "d");
    assertThat(log.latest(2)).extracting(r -> r.event().eventId()).containsExactly("c", "d");
    assertThat(log.latest(0)).isEmpty();
    assertThat(log.total()).isEqualTo(4);
    assertThat(log.capacity()).isEqualTo(3);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new EventLog(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EventLog(1).latest(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReceivedEvent(null, Instant.EPOCH)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void oneIsEnoughAndRecentKeysRememberExactlyTheirCapacity() {
    EventLog one = new EventLog(1);
    one.add(received("a"));
    one.add(received("b"));
    assertThat(one.latest(5)).extracting(r -> r.event().eventId()).containsExactly("b");

    RecentKeys ids = new RecentKeys(2);
    assertThat(ids.firstTime("a")).isTrue();
    assertThat(ids.firstTime("b")).isTrue();
    assertThat(ids.firstTime("a")).as("two remembered").isFalse();
    assertThat(ids.firstTime("b")).isFalse();
    assertThat(ids.firstTime("c")).isTrue();
    assertThat(ids.firstTime("a")).as("the eldest made room for c").isTrue();
  }
}
