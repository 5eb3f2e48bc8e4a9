package io.mtxtoolkit.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import org.junit.jupiter.api.Test;

class OrchestratorServerTest {
  @Test
  void startsOnTheConfiguredPortAndStopsOnce() {
    int port = FreePorts.tcp();
    OrchestratorServer server = new OrchestratorServer(new OrchestratorConfig("127.0.0.1", port, 5));
    try {
      assertThat(server.port()).isEqualTo(-1);

      assertThat(server.start()).isEqualTo(port);

      assertThat(server.url()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(Http.get(server.url() + "/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
      assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
      server.stop();
      server.stop();
    } finally {
      server.stop(); // a failed check above must not leave it listening; a stopped server ignores it
    }
  }

  @Test
  void aSecondServerOnTheSamePortReportsPortInUse() {
    try (RunningServer first = RunningServer.start()) {
      int port = first.server.port();
      OrchestratorServer second = new OrchestratorServer(new OrchestratorConfig("127.0.0.1", port, 5));
      try {
        assertThatThrownBy(second::start).isInstanceOfSatisfying(ListenException.class, e -> {
          assertThat(e.portInUse()).isTrue();
          assertThat(e.port()).isEqualTo(port);
          assertThat(e.host()).isEqualTo("127.0.0.1");
          assertThat(e.getMessage()).isEqualTo("cannot listen on 127.0.0.1:" + port + ": port " + port + " is already in use");
        });
        assertThat(Http.get(first.url("/healthz")).status()).as("the first one is unaffected").isEqualTo(200);
      } finally {
        second.stop(); // should it have started after all
      }
    }
  }

  @Test
  void bracketsAnIpv6HostInItsUrl() {
    assertThat(OrchestratorServer.url("::", 8080)).isEqualTo("http://[::]:8080");
    assertThat(OrchestratorServer.url("0.0.0.0", 8080)).isEqualTo("http://0.0.0.0:8080");
  }
}
