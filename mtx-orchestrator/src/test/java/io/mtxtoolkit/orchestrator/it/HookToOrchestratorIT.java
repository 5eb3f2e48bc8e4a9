package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
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
  void sigtermStopsTheWorkerProcessesAndExits0() throws Exception {
    int port = FreePorts.tcp();
    String base = "http://127.0.0.1:" + port;
    // An RTSP port that accepts and never answers keeps the worker busy connecting until it is stopped.
    try (ServerSocket silentRtsp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         ServiceProcess orchestrator = Launchers.orchestrator(port, Map.of("MEDIAMTX_HOST", "127.0.0.1",
             "MEDIAMTX_RTSP_PORT", String.valueOf(silentRtsp.getLocalPort()), "MEDIAMTX_API_URL", "http://127.0.0.1:1"),
             "--worker-mode", "process", "--reconcile-interval-ms", "0")) {
      try (ServiceProcess hook = ServiceProcess.start(Launchers.HOOK, List.of("ready"), Map.of("MTX_PATH", "live/term/in",
          "MTX_SOURCE_TYPE", "rtmpConn", "MTX_SOURCE_ID", "c1", "ORCHESTRATOR_URL", base))) {
        assertThat(hook.awaitExit(Duration.ofSeconds(20))).isZero();
      }
      String started = orchestrator.log().await("the worker-started line",
          l -> l.contains("worker started for term (pid "), Duration.ofSeconds(10));
      long workerPid = Long.parseLong(started.replaceAll(".*worker started for term \\(pid (\\d+)\\).*", "$1"));
      // Wait until the worker is connecting, so SIGTERM reaches its handler rather than a JVM still starting.
      silentRtsp.setSoTimeout(15_000);
      try (Socket workerConnection = silentRtsp.accept()) {
        assertThat(ProcessHandle.of(workerPid)).as("worker process %d", workerPid).hasValueSatisfying(
            h -> assertThat(h.isAlive()).isTrue());

        orchestrator.terminate();

        assertThat(orchestrator.awaitExit(Duration.ofSeconds(15))).as("exit code after SIGTERM").isZero();
      }
      assertThat(ProcessHandle.of(workerPid).filter(ProcessHandle::isAlive)).as("worker %d after SIGTERM", workerPid).isEmpty();
      assertThat(orchestrator.log().lines()).anyMatch(l -> l.contains("worker for term exited with 0: stopped on request"));
      assertThat(orchestrator.log().lines()).as("the worker's own lines carry the publisher's id")
          .anyMatch(l -> l.contains("\"logger\":\"io.mtxtoolkit.worker") && l.contains("\"sourceId\":\"c1\""));
    }
  }

  @Test
  void aWorkerDoesNotOutliveAKilledOrchestrator() throws Exception {
    int port = FreePorts.tcp();
    try (ServerSocket silentRtsp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         ServiceProcess orchestrator = Launchers.orchestrator(port, Map.of("MEDIAMTX_HOST", "127.0.0.1",
             "MEDIAMTX_RTSP_PORT", String.valueOf(silentRtsp.getLocalPort()), "MEDIAMTX_API_URL", "http://127.0.0.1:1"),
             "--worker-mode", "process", "--reconcile-interval-ms", "0")) {
      Http.post("http://127.0.0.1:" + port + "/v1/mediamtx/events/ready", "application/json", "{\"path\":\"live/orphan/in\"}");
      String started = orchestrator.log().await("the worker-started line",
          l -> l.contains("worker started for orphan (pid "), Duration.ofSeconds(10));
      long workerPid = Long.parseLong(started.replaceAll(".*worker started for orphan \\(pid (\\d+)\\).*", "$1"));
      silentRtsp.setSoTimeout(15_000);
      try (Socket workerConnection = silentRtsp.accept()) {
        // Left alone, this worker would keep retrying its silent source for another 20-40 s.
        long killed = System.nanoTime();
        ProcessHandle.of(orchestrator.pid()).orElseThrow().destroyForcibly();

        await("worker " + workerPid + " ends after its orchestrator was killed").atMost(Duration.ofSeconds(10))
            .until(() -> !running(workerPid));
        System.out.printf("worker gone %d ms after kill -9 of the orchestrator%n", (System.nanoTime() - killed) / 1_000_000);
      }
    }
  }

  /** Alive and not a zombie: an orphan's exit is reaped by whoever adopted it, which may take a while. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException gone) {
      return false;
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
