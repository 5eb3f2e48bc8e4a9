package io.mtxtoolkit.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mtxtoolkit.core.hook.HookSignature;
import java.time.Instant;

/**
 * Jazzer over the event endpoint's header checks (signed hooks): any timestamp and signature header, any secret and
 * body, give a reason or null, and never throw (a throw would be a 500, not a 401); a request signed with the secret
 * now is accepted, and one without both headers never is. `make fuzz` fuzzes it after {@link HookPayloadFuzzTest}.
 */
class HookSignatureFuzzTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_790_000_000L);

  @FuzzTest(maxDuration = "30s")
  void headerChecksGiveAReasonAndNeverThrow(FuzzedDataProvider data) {
    String timestamp = data.consumeBoolean() ? null : data.consumeString(24);
    String signature = data.consumeBoolean() ? null : data.consumeString(80);
    String secret = "s" + data.consumeString(16);
    byte[] body = data.consumeRemainingAsBytes();

    String problem = HookSignature.problem(secret, timestamp, signature, body, NOW);
    if (problem == null && (timestamp == null || signature == null)) {
      throw new IllegalStateException("accepted without both headers: " + timestamp + " / " + signature);
    }
    if (HookSignature.headerProblem(timestamp, signature, NOW) != null && problem == null) {
      throw new IllegalStateException("headers refused alone but accepted with the body");
    }
    String now = String.valueOf(NOW.getEpochSecond());
    if (HookSignature.problem(secret, now, HookSignature.sign(secret, NOW.getEpochSecond(), body), body, NOW) != null) {
      throw new IllegalStateException("a request signed now with the secret was refused");
    }
  }
}
