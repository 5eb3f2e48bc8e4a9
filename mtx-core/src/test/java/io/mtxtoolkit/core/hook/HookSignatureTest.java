package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HookSignatureTest {
  private static final byte[] BODY = "{\"path\":\"live/a/in\"}".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

  @Test
  void signsLikeTheDocumentedRecipe() {
    // echo -n '1800000000.{"path":"live/a/in"}' | openssl dgst -sha256 -hmac s3cret
    assertThat(HookSignature.sign("s3cret", 1_800_000_000L, BODY))
        .isEqualTo("sha256=af313451b949201965af3dcbc9977c47f85657482302708f2a95e49f798c131f");
    assertThat(HookSignature.sign("s3cret", 1, BODY)).isNotEqualTo(HookSignature.sign("other", 1, BODY));
  }

  @Test
  void acceptsOnlyFreshCorrectSignatures() {
    String good = HookSignature.sign("s3cret", NOW.getEpochSecond(), BODY);
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond()), good, BODY, NOW)).isNull();
    assertThat(HookSignature.problem("s3cret", null, good, BODY, NOW)).contains("missing X-Mtx-Timestamp");
    assertThat(HookSignature.problem("s3cret", "1", null, BODY, NOW)).contains("missing X-Mtx-Signature");
    assertThat(HookSignature.problem("s3cret", "soon", good, BODY, NOW)).contains("not epoch seconds");
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond() - 301), good, BODY, NOW)).contains("stale");
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond() + 301), good, BODY, NOW)).contains("stale");
    String edge = HookSignature.sign("s3cret", NOW.getEpochSecond() - 300, BODY);
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond() - 300), edge, BODY, NOW))
        .as("exactly the allowed skew").isNull();
    assertThat(HookSignature.problem("wrong", String.valueOf(NOW.getEpochSecond()), good, BODY, NOW)).isEqualTo("wrong signature");
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond()), good, "{}".getBytes(), NOW))
        .isEqualTo("wrong signature");
    assertThat(HookSignature.problem("s3cret", String.valueOf(NOW.getEpochSecond()), "sha256=" + good.substring(7).toUpperCase(),
        BODY, NOW)).as("hex in capitals").isNull();
    assertThat(HookSignature.problem("s3cret", "+" + NOW.getEpochSecond(), good, BODY, NOW)).contains("not epoch seconds");
    assertThat(HookSignature.problem("s3cret", "-9223372036854775808", good, BODY, NOW)).contains("not epoch seconds");
  }

  @Test
  void aRequestSignedBeforeTheReceiverStartedIsStale() {
    long now = NOW.getEpochSecond();
    assertThat(HookSignature.headerProblem(String.valueOf(now - 60), "sha256=00", NOW, NOW.minusSeconds(10)))
        .contains("before this orchestrator started");
    assertThat(HookSignature.headerProblem(String.valueOf(now - 10), "sha256=00", NOW, NOW.minusSeconds(10))).isNull();
    assertThat(HookSignature.headerProblem(String.valueOf(now - 60), "sha256=00", NOW, null)).as("no bound").isNull();
  }
}
