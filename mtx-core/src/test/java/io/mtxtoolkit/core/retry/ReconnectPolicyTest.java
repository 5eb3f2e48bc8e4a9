package io.mtxtoolkit.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {
  @Test
  void specIsThreeAttemptsAfterOneTwoFourSeconds() {
    ReconnectPolicy p = ReconnectPolicy.spec();
    assertThat(p.maxAttempts()).isEqualTo(3);
    assertThat(p.delays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(p.delayBefore(1)).contains(Duration.ofSeconds(1));
    assertThat(p.delayBefore(3)).contains(Duration.ofSeconds(4));
    assertThat(p.delayBefore(4)).isEmpty();
    assertThat(p.delayBefore(0)).isEmpty();
  }

  @Test
  void scalesForTests() {
    assertThat(ReconnectPolicy.exponential(Duration.ofMillis(10), 4).delays())
        .containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(80));
    assertThatThrownBy(() -> new ReconnectPolicy(List.of(Duration.ofSeconds(-1)))).hasMessageContaining("negative");
  }
}
