package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two packaged launchers as separate processes, as MediaMTX and Compose run them: mtx-hook posting
 * to a running mtx-orchestrator, and the orchestrator's own start-up and port-conflict behaviour.
 */
class HookToOrchestratorIT {
  @Test
  void hookEventsReachTheOrchestratorProcess() throws Exception {
    int port = FreePorts.tcp();
    String base = "http://127.0.0.1:" + port;
    try (ServiceProcess orchestrator = Launchers.orchestrator(port, Map.of(), "--worker-mode", "none")) {
      for (String event : List.of("ready", "not-ready")) {
        try (ServiceProcess hook = ServiceProcess.start(Launchers.HOOK, List.of(event), Map.of("MTX_PATH", "live/stream123/in",
            "MTX_QUERY", "lang=es", "MTX_SOURCE_TYPE", "rtmpConn", "MTX_SOURCE_ID", "c1", "ORCHESTRATOR_URL", base))) {
          assertThat(hook.awaitExit(Duration.ofSeconds(20))).as("hook %s exit; output %s", event, hook.log().lines()).isZero();
          assertThat(hook.log().lines()).singleElement().asString().contains("\"status\":202");
        }
      }
      String events = Http.get(base + "/v1/events").body();
      assertThat(events).contains("\"event\":\"ready\"", "\"event\":\"not-ready\"", "\"query\":\"lang=es\"");
      orchestrator.log().await("the accepted-event log line",
          l -> l.contains("\"event\":\"not-ready\"") && l.contains("\"streamId\":\"stream123\""), Duration.ofSeconds(5));
      assertThat(orchestrator.pid()).isPositive();
      assertThat(orchestrator.isAlive()).isTrue();
    }
  }

  @Test
  void aPortInUseIsNamedAndExits3() throws Exception {
    int port = FreePorts.tcp();
    String base = "http://127.0.0.1:" + port;
    try (ServiceProcess first = ServiceProcess.start(Launchers.ORCHESTRATOR, List.of("--worker-mode", "none"),
        Map.of("ORCHESTRATOR_PORT", String.valueOf(port)))) {
      first.awaitHttp(base + "/healthz", Duration.ofSeconds(30));
      try (ServiceProcess second = ServiceProcess.start(Launchers.ORCHESTRATOR, List.of("--port", String.valueOf(port)), Map.of())) {
        assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(String.join("\n", second.log().lines())).contains("port " + port).contains("ORCHESTRATOR_PORT");
      }
    }
  }

  @Test
  void aProcessThatDiesEarlyIsReported() {
    try (ServiceProcess bad = ServiceProcess.start(Launchers.ORCHESTRATOR, List.of("--port", "-5"), Map.of())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.awaitHttp("http://127.0.0.1:1/healthz", Duration.ofSeconds(30)))
          .hasMessageContaining("process exited with code 2");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceProcess.start(Path.of("/nonexistent/launcher"), List.of(), Map.of()))
        .hasMessageContaining("build the distributions first");
  }
}
