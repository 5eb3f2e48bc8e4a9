package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.hook.HookSignature;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

/** Optional signed hooks: HOOK_SECRET on both packaged launchers; unsigned, wrongly signed or stale → 401. */
class SignedHookIT {
  @Test
  void onlySignedFreshRequestsAreAccepted() throws Exception {
    int port = FreePorts.tcp();
    String base = "http://127.0.0.1:" + port;
    try (ServiceProcess orchestrator = Launchers.orchestrator(port, Map.of("HOOK_SECRET", "s3cret"), "--worker-mode", "none")) {
      Map<String, String> env = Map.of("MTX_PATH", "live/signed/in", "ORCHESTRATOR_URL", base);
      try (ServiceProcess hook = ServiceProcess.start(Launchers.HOOK, List.of("ready"),
          new java.util.HashMap<>(Map.of("MTX_PATH", "live/signed/in", "ORCHESTRATOR_URL", base, "HOOK_SECRET", "s3cret")))) {
        assertThat(hook.awaitExit(Duration.ofSeconds(20))).as("signed hook: %s", hook.log().lines()).isZero();
      }
      try (ServiceProcess unsigned = ServiceProcess.start(Launchers.HOOK, List.of("ready"), env)) {
        assertThat(unsigned.awaitExit(Duration.ofSeconds(20))).isEqualTo(4);
        assertThat(String.join("", unsigned.log().lines())).contains("\"status\":401")
            .as("the hook's own line names the reason").contains("missing X-Mtx-Timestamp");
        orchestrator.log().await("the rejection's reason", l -> l.contains("missing X-Mtx-Timestamp"), Duration.ofSeconds(5));
      }
      try (ServiceProcess wrong = ServiceProcess.start(Launchers.HOOK, List.of("ready"),
          Map.of("MTX_PATH", "live/signed/in", "ORCHESTRATOR_URL", base, "HOOK_SECRET", "guess"))) {
        assertThat(wrong.awaitExit(Duration.ofSeconds(20))).isEqualTo(4);
        assertThat(String.join("", wrong.log().lines())).contains("\"status\":401").contains("wrong signature");
        String rejected = orchestrator.log().await("the rejection's reason", l -> l.contains("wrong signature"),
            Duration.ofSeconds(5));
        assertThat(rejected).as("an unsigned path is a claim, not a correlation field")
            .contains("\"claimedPath\":\"live/signed/in\"").doesNotContain("\"streamId\"", "\"path\"");
      }
      byte[] body = "{\"path\":\"live/signed/in\"}".getBytes(StandardCharsets.UTF_8);
      long stale = System.currentTimeMillis() / 1000 - 600;
      Http.Reply replay = Http.call(new Request.Builder().url(base + "/v1/mediamtx/events/ready")
          .header(HookSignature.TIMESTAMP_HEADER, String.valueOf(stale))
          .header(HookSignature.SIGNATURE_HEADER, HookSignature.sign("s3cret", stale, body))
          .post(RequestBody.create(body, MediaType.get("application/json"))).build());
      assertThat(replay.status()).isEqualTo(401);
      assertThat(replay.body()).contains("stale request");
      // Every rejected request above names the same path: only the signed one may have been recorded.
      com.fasterxml.jackson.databind.JsonNode events = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(Http.get(base + "/v1/events").body());
      assertThat(events).as("/v1/events").singleElement()
          .satisfies(e -> assertThat(e.get("path").asText()).isEqualTo("live/signed/in"))
          .satisfies(e -> assertThat(e.get("event").asText()).isEqualTo("ready"));
    }
  }
}
