package io.mtxtoolkit.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.testkit.http.Http;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrchestratorMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, Consumer<OrchestratorServer> whileRunning, String... args) {
    return OrchestratorMain.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), whileRunning);
  }

  private int run(String... args) {
    return run(Map.of(), server -> { }, args);
  }

  @Test
  void servesUntilWhileRunningReturnsThenStops() {
    AtomicReference<OrchestratorServer> seen = new AtomicReference<>();

    int code = run(Map.of(), server -> {
      seen.set(server);
      assertThat(Http.get("http://127.0.0.1:" + server.port() + "/healthz").status()).isEqualTo(200);
    }, "--host", "127.0.0.1", "--port", "0");

    assertThat(code).as(err.toString()).isZero();
    assertThat(seen.get().config()).isEqualTo(new OrchestratorConfig("127.0.0.1", 0, 200));
    assertThatThrownBy(() -> Http.get("http://127.0.0.1:" + seen.get().port() + "/healthz"))
        .as("stopped after whileRunning returned").isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void takesSettingsFromTheEnvironmentAndFlagsWin() {
    Map<String, String> env = Map.of("ORCHESTRATOR_PORT", "0", "ORCHESTRATOR_HOST", "127.0.0.1",
        "ORCHESTRATOR_EVENTS_KEPT", " 7 ");
    AtomicReference<OrchestratorConfig> fromEnv = new AtomicReference<>();
    AtomicReference<OrchestratorConfig> withFlag = new AtomicReference<>();

    assertThat(run(env, s -> fromEnv.set(s.config()))).as(err.toString()).isZero();
    assertThat(run(env, s -> withFlag.set(s.config()), "--events-kept", "9")).as(err.toString()).isZero();

    assertThat(fromEnv.get()).isEqualTo(new OrchestratorConfig("127.0.0.1", 0, 7));
    assertThat(withFlag.get().eventsKept()).isEqualTo(9);
  }

  @Test
  void portInUseExitsWith3NamingThePortAndHowToChangeIt() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();

      int code = run("--host", "127.0.0.1", "--port", String.valueOf(port));

      assertThat(code).isEqualTo(OrchestratorMain.EXIT_PORT_IN_USE).isEqualTo(3);
      assertThat(err.toString().strip()).as("one line").doesNotContain("\n")
          .contains("port " + port).contains("already in use").contains("--port").contains("ORCHESTRATOR_PORT");
    }
  }

  @Test
  void anAddressThatIsNotLocalExitsWith1() {
    int code = run("--host", "192.0.2.1", "--port", "0"); // TEST-NET-1: never a local address

    assertThat(code).isEqualTo(OrchestratorMain.EXIT_START_FAILED);
    assertThat(err.toString()).contains("cannot listen on 192.0.2.1:0").contains("--host");
  }

  @Test
  void aHostThatResolvesToNothingIsNamedSo() {
    assertThat(run("--host", "no-such-host.invalid", "--port", "0")).isEqualTo(1);
    assertThat(err.toString()).contains("cannot listen on no-such-host.invalid:0: no such host").doesNotContain("null");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port|70000|--port/ORCHESTRATOR_PORT",
      "--port|-1|--port/ORCHESTRATOR_PORT",
      "--port|http|'http' is not an int",
      "--events-kept|0|--events-kept/ORCHESTRATOR_EVENTS_KEPT",
      "--host|' '|--host/ORCHESTRATOR_HOST",
      "--worker-mode|fork|unknown worker mode 'fork' (process, thread or none)",
      "--reconcile-interval-ms|-1|--reconcile-interval-ms/ORCHESTRATOR_RECONCILE_INTERVAL_MS must be >= 0",
      "--max-workers|0|--max-workers/ORCHESTRATOR_MAX_WORKERS must be 1..10000, got 0",
      "--max-workers|10001|--max-workers/ORCHESTRATOR_MAX_WORKERS must be 1..10000",
      "--nope|1|Unknown option"})
  void invalidOptionsAreUsageErrors(String option, String value, String message) {
    int code = run(option, value);

    assertThat(code).isEqualTo(OrchestratorMain.EXIT_USAGE).isEqualTo(2);
    assertThat(err.toString()).contains(message).contains("Usage: mtx-orchestrator");
  }

  @Test
  void anInvalidEnvironmentValueIsAUsageError() {
    int code = run(Map.of("ORCHESTRATOR_PORT", "99999"), server -> { });

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("ORCHESTRATOR_PORT").contains("99999");
  }

  @Test
  void aValueOfTheWrongTypeInTheEnvironmentNamesTheVariable() {
    int code = run(Map.of("ORCHESTRATOR_GRACE_PERIOD_MS", "30s"), server -> { });

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--grace-period-ms").contains("(from ORCHESTRATOR_GRACE_PERIOD_MS=30s)");
  }

  @Test
  void aValueOfTheWrongTypeOnTheCommandLineIsNotBlamedOnTheEnvironment() {
    int code = run(Map.of("ORCHESTRATOR_PORT", "8080"), server -> { }, "--port", "abc");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("'abc'").doesNotContain("from ORCHESTRATOR_PORT");
  }

  @Test
  void anInvalidPlayerPortIsAUsageError() {
    int code = run(Map.of("MEDIAMTX_HLS_PORT", "http"), server -> { });

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("MEDIAMTX_HLS_PORT=http is not a port number");
  }

  @Test
  void aMediaMtxApiUrlWithoutASchemeIsAUsageError() {
    int code = run(Map.of("MEDIAMTX_API_URL", "mediamtx:9997"), server -> { }, "--worker-mode", "thread");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("MEDIAMTX_API_URL 'mediamtx:9997' is not an http(s) URL");
  }

  @Test
  void helpListsOptionsEnvironmentAndExitCodes() {
    assertThat(run("--help")).isZero();

    assertThat(out.toString()).contains("--port", "ORCHESTRATOR_PORT", "--host", "ORCHESTRATOR_HOST", "--events-kept",
        "default: 8080", "3   the port is already in use");
  }

  @Test
  void untilTerminatedReturnsOnceTheServerStops() throws Exception {
    OrchestratorServer server = new OrchestratorServer(new OrchestratorConfig("127.0.0.1", 0, 10));
    server.start();
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(
        () -> OrchestratorMain.untilTerminated(server, Thread.currentThread(), new java.util.concurrent.atomic.AtomicBoolean()));
    try {
      // Returning at once would also pass the check below; it must be the stop that ends the wait.
      await("serving until stopped").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> !waiting.isDone());
    } finally {
      server.stop();
    }

    waiting.get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    assertThat(waiting).isCompleted();
  }
}
