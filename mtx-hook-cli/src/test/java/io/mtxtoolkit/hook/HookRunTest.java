package io.mtxtoolkit.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.hook.HookSignature;
import io.mtxtoolkit.testkit.contract.HookEventSchema;
import io.mtxtoolkit.testkit.http.RecordingReceiver;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hook in-process against a real loopback HTTP receiver: exit codes, payload and the one log line. */
class HookRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private static Map<String, String> env(String url) {
    Map<String, String> env = new HashMap<>();
    env.put("MTX_PATH", "live/stream123/in");
    env.put("MTX_QUERY", "lang=es");
    env.put("MTX_SOURCE_TYPE", "rtmpConn");
    env.put("MTX_SOURCE_ID", "8d5b6c1e-0f7a-4b2c-9d3e-1a2b3c4d5e6f");
    env.put("ORCHESTRATOR_URL", url);
    return env;
  }

  private int run(Map<String, String> env, String... args) {
    return HookMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode onlyLine(ByteArrayOutputStream stream) throws Exception {
    String text = stream.toString(StandardCharsets.UTF_8).strip();
    assertThat(text.lines()).as("exactly one log line").hasSize(1);
    return JSON.readTree(text);
  }

  @Test
  void readyIsPostedAndLoggedOnce() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      assertThat(run(env(receiver.baseUrl()), "ready")).isEqualTo(0);
      RecordingReceiver.Request request = receiver.await(1, Duration.ofSeconds(5)).get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/v1/mediamtx/events/ready");
      assertThat(request.contentType()).isEqualTo("application/json");
      JsonNode payload = JSON.readTree(request.body());
      assertThat(payload.get("path").asText()).isEqualTo("live/stream123/in");
      assertThat(payload.get("query").asText()).isEqualTo("lang=es");
      assertThat(HookEventSchema.problems(payload)).isEmpty();

      JsonNode line = onlyLine(out);
      assertThat(err.size()).isZero();
      assertThat(line.get("level").asText()).isEqualTo("INFO");
      assertThat(line.get("event").asText()).isEqualTo("ready");
      assertThat(line.get("eventId").asText()).isEqualTo(payload.get("eventId").asText());
      assertThat(line.get("streamId").asText()).isEqualTo("stream123");
      assertThat(line.get("sourceId").asText()).isEqualTo("8d5b6c1e-0f7a-4b2c-9d3e-1a2b3c4d5e6f");
      assertThat(line.get("status").asInt()).isEqualTo(202);
      assertThat(line.has("timestamp")).isTrue();
      assertThat(line.get("logger").asText()).isEqualTo("mtx-hook");
      assertThat(line.get("path").asText()).isEqualTo("live/stream123/in");
      assertThat(line.get("sourceType").asText()).isEqualTo("rtmpConn");
      assertThat(line.get("url").asText()).isEqualTo(receiver.baseUrl() + "/v1/mediamtx/events/ready");
      assertThat(line.get("exitCode").asInt()).isZero();
      assertThat(line.get("durationMs").asLong()).isBetween(0L, 5_000L);
      assertThat(request.header("User-Agent")).isEqualTo("mtx-hook");
      assertThat(request.header(HookSignature.SIGNATURE_HEADER)).as("unsigned without a secret").isNull();
    }
  }

  @Test
  void withASecretTheRequestIsSignedOverItsBody() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      Map<String, String> env = env(receiver.baseUrl());
      env.put(HookSignature.SECRET_ENV, "s3cret");
      assertThat(run(env, "ready")).isZero();
      RecordingReceiver.Request request = receiver.await(1, Duration.ofSeconds(5)).get(0);
      String timestamp = request.header(HookSignature.TIMESTAMP_HEADER);
      assertThat(timestamp).isNotNull();
      assertThat(HookSignature.problem("s3cret", timestamp, request.header(HookSignature.SIGNATURE_HEADER), request.body(),
          java.time.Instant.now())).isNull();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {300, 307})
  void aRedirectIsNotFollowed(int status) throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(status)) {
      assertThat(run(env(receiver.baseUrl()), "ready")).isEqualTo(HookExit.REJECTED.code());
      assertThat(receiver.requests()).extracting(RecordingReceiver.Request::path).containsExactly("/v1/mediamtx/events/ready");
      assertThat(onlyLine(err).get("status").asInt()).isEqualTo(status);
    }
  }

  @Test
  void aSignalBeforeTheAnswerLogsOneInterruptedLine() throws Exception {
    HookRun run = new HookRun(HookEventType.READY, HookSettings.fromEnvironment(Map.of()));
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(run.interrupted(errStream, Map.of("MTX_PATH", "live/stream123/in"), System.nanoTime())).as("nothing logged yet: halt").isTrue();
    assertThat(run.interrupted(errStream, Map.of("MTX_PATH", "live/stream123/in"), System.nanoTime())).as("only once").isFalse();
    JsonNode line = onlyLine(err);
    assertThat(line.get("exitCode").asInt()).isEqualTo(HookExit.INTERRUPTED.code()).isEqualTo(130);
    assertThat(line.get("error").asText()).isEqualTo("interrupted");
    assertThat(line.get("path").asText()).isEqualTo("live/stream123/in");
    assertThat(line.get("message").asText()).contains("delivery unknown");
  }

  @Test
  void aSignalAfterTheRunHasLoggedChangesNothing() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      HookRun run = new HookRun(HookEventType.READY, HookSettings.fromEnvironment(Map.of()));
      assertThat(run.run(env(receiver.baseUrl()), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(HookExit.OK);
      assertThat(run.interrupted(new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("MTX_PATH", "live/stream123/in"), System.nanoTime()))
          .isFalse();
      assertThat(err.size()).isZero();
    }
  }

  @Test
  void aSignalWhileTheRunWritesItsLineWaitsForTheWholeLine() throws Exception {
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    PrintStream slowErr = new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        writing.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        err.write(b);
      }
    }, true, StandardCharsets.UTF_8);
    HookRun run = new HookRun(HookEventType.READY, HookSettings.fromEnvironment(Map.of()));
    Thread main = new Thread(() -> run.run(Map.of("MTX_PATH", "live/a b/in"), System.out, slowErr));
    main.setDaemon(true); // should the release below be missed, the blocked run must not hold the JVM
    main.start();
    try {
      assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the run started its line").isTrue();

      java.util.concurrent.CompletableFuture<Boolean> signal = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> run.interrupted(new PrintStream(new ByteArrayOutputStream()), Map.of("MTX_PATH", "live/a b/in"), System.nanoTime()));
      org.awaitility.Awaitility.await("the signal handler waits for the line").during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(1)).until(() -> !signal.isDone());
      release.countDown();
      assertThat(signal.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("the run's line stands").isFalse();
    } finally {
      release.countDown(); // a failure above would leave the run blocked in its write
    }
    main.join(5000);
    assertThat(onlyLine(err).get("exitCode").asInt()).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
  }

  @Test
  void timeoutsMustLieBetween1msAnd60s() {
    assertThat(new HookSettings(Duration.ofMillis(1), Duration.ofMillis(60_000), false).readTimeout()).hasMillis(60_000);
    for (long bad : new long[] {0, -1, 60_001}) {
      assertThatThrownBy(() -> new HookSettings(Duration.ofMillis(bad), Duration.ofMillis(1), false))
          .hasMessageContaining("connectTimeout must be between 1 and 60000 ms, got " + bad);
      assertThatThrownBy(() -> new HookSettings(Duration.ofMillis(1), Duration.ofMillis(bad), false))
          .hasMessageContaining("readTimeout must be between");
    }
    assertThatThrownBy(() -> new HookSettings(null, Duration.ofMillis(1), false)).hasMessageContaining("got none");
    Map<String, String> env = env("http://127.0.0.1:1");
    env.put(HookSettings.CONNECT_TIMEOUT_ENV, "0");
    assertThat(run(env, "ready")).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
  }

  @Test
  void notReadyGoesToItsOwnEndpoint() {
    try (RecordingReceiver receiver = RecordingReceiver.start(200)) {
      assertThat(run(env(receiver.baseUrl() + "/"), "not-ready")).isEqualTo(0);
      assertThat(receiver.await(1, Duration.ofSeconds(5)).get(0).path()).isEqualTo("/v1/mediamtx/events/not-ready");
    }
  }

  @Test
  void non2xxIsExit4WithTheStatusOnStderr() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(503)) {
      assertThat(run(env(receiver.baseUrl()), "ready")).isEqualTo(HookExit.REJECTED.code());
      assertThat(receiver.requests()).as("no retry").hasSize(1);
      JsonNode line = onlyLine(err);
      assertThat(out.size()).isZero();
      assertThat(line.get("level").asText()).isEqualTo("ERROR");
      assertThat(line.get("status").asInt()).isEqualTo(503);
      assertThat(line.get("message").asText()).contains("HTTP 503").contains("live/stream123/in");
      assertThat(line.get("url").asText()).isEqualTo(receiver.baseUrl() + "/v1/mediamtx/events/ready");
      assertThat(line.get("exitCode").asInt()).isEqualTo(4);
    }
  }

  @Test
  void a401KeepsTheOrchestratorsReason() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(401)) {
      assertThat(run(env(receiver.baseUrl()), "ready")).isEqualTo(HookExit.REJECTED.code());
      JsonNode line = onlyLine(err);
      assertThat(line.get("status").asInt()).isEqualTo(401);
      assertThat(line.path("error").asText()).as("the answer's body, e.g. why a signature was refused").contains("401");
    }
  }

  @Test
  void aLongQueryIsClippedNotABlockToDelivery() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      Map<String, String> env = env(receiver.baseUrl());
      env.put("MTX_QUERY", "token=" + "x".repeat(10_000));
      assertThat(run(env, "ready")).isZero();
      JsonNode body = JSON.readTree(receiver.await(1, Duration.ofSeconds(5)).get(0).body());
      assertThat(body.get("query").asText()).hasSize(4096).startsWith("token=xxx");
    }
  }

  @Test
  void badUrlsAndSettingsGetTheJsonLineAndNoSecrets() throws Exception {
    assertThat(run(env("http://127.0.0.1:99999"), "ready")).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
    assertThat(onlyLine(err).get("message").asText()).contains("port outside 1..65535");
    err.reset();

    Map<String, String> badTimeout = env("http://127.0.0.1:9");
    badTimeout.put("MTX_HOOK_READ_TIMEOUT_MS", "soon");
    assertThat(run(badTimeout, "ready")).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
    assertThat(onlyLine(err).get("message").asText()).contains("MTX_HOOK_READ_TIMEOUT_MS");
    err.reset();

    int closed = FreePorts.tcp();
    assertThat(run(env("http://admin:s3cret@127.0.0.1:" + closed), "ready")).isEqualTo(HookExit.UNREACHABLE.code());
    JsonNode line = onlyLine(err);
    assertThat(line.get("url").asText()).isEqualTo("http://127.0.0.1:" + closed + "/v1/mediamtx/events/ready");
    assertThat(line.toString()).doesNotContain("s3cret");
  }

  @Test
  void refusedConnectionIsExit5NamingTheError() throws Exception {
    assertThat(run(env("http://127.0.0.1:" + FreePorts.tcp()), "ready")).isEqualTo(HookExit.UNREACHABLE.code());
    JsonNode line = onlyLine(err);
    assertThat(line.get("error").asText()).contains("Connection refused");
    assertThat(line.get("path").asText()).isEqualTo("live/stream123/in");
    assertThat(line.has("status")).isFalse();
  }

  @Test
  void silentReceiverTimesOutWithinTheReadTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (Socket ignored = silent.accept()) {
          ignored.getInputStream().read(new byte[8192]);
          Thread.sleep(5000);
        } catch (Exception e) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Map<String, String> env = env("http://127.0.0.1:" + silent.getLocalPort());
      env.put(HookSettings.READ_TIMEOUT_ENV, "300");
      long start = System.nanoTime();
      assertThat(run(env, "ready")).isEqualTo(HookExit.UNREACHABLE.code());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      JsonNode line = onlyLine(err);
      assertThat(line.get("error").asText()).as("the read timeout, well before the whole call's budget of 1300 ms")
          .isEqualTo("timed out: Read timed out");
      assertThat(line.get("durationMs").asLong()).as("the run waited for the read timeout").isBetween(300L, 3_000L);
    }
  }

  /** Accepts connections until closed, counting them; each gets {@code serve} run on it. */
  private static final class RawServer implements AutoCloseable {
    interface Conversation {
      void serve(Socket socket) throws Exception;
    }

    final ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    RawServer(Conversation conversation) throws java.io.IOException {
      Thread acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            connections.incrementAndGet();
            conversation.serve(s);
          } catch (Exception e) {
            // closed by the test, or the client went away
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  /** Reads one request: the head up to its blank line, then Content-Length bytes of body. */
  private static void readRequest(Socket s) throws java.io.IOException {
    java.io.InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
  }

  @Test
  void aConnectionDroppedBeforeTheAnswerIsNotPostedAgain() throws Exception {
    try (RawServer dropping = new RawServer(HookRunTest::readRequest)) {
      assertThat(run(env(dropping.url()), "ready")).isEqualTo(HookExit.UNREACHABLE.code());
      assertThat(onlyLine(err).get("error").asText()).isNotBlank();
      assertThat(dropping.connections).as("one POST; the JDK resends a buffered one on its own").hasValue(1);
    }
  }

  @Test
  void anAnswerThatTricklesInIsCutAtConnectPlusReadTimeout() throws Exception {
    try (RawServer trickling = new RawServer(s -> {
      readRequest(s);
      java.io.OutputStream o = s.getOutputStream();
      o.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 200; i++) { // a byte every 100 ms: each read succeeds well inside the read timeout
        o.write('.');
        o.flush();
        Thread.sleep(100);
      }
    })) {
      Map<String, String> env = env(trickling.url());
      env.put(HookSettings.CONNECT_TIMEOUT_ENV, "200");
      env.put(HookSettings.READ_TIMEOUT_ENV, "300");
      long start = System.nanoTime();
      assertThat(run(env, "ready")).isEqualTo(HookExit.UNREACHABLE.code());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
      JsonNode line = onlyLine(err);
      assertThat(line.get("error").asText()).isEqualTo("timed out: no answer within 500 ms (connect + read timeout)");
      assertThat(line.get("exitCode").asInt()).isEqualTo(5);
    }
  }

  /** A server that reads the request, then writes {@code head} and, every 100 ms, one more byte of body for 20 s. */
  private static RawServer answering(String head, boolean trickle) throws java.io.IOException {
    return new RawServer(s -> {
      readRequest(s);
      java.io.OutputStream o = s.getOutputStream();
      o.write(head.getBytes(StandardCharsets.US_ASCII));
      o.flush();
      for (int i = 0; trickle && i < 200; i++) {
        o.write('.');
        o.flush();
        Thread.sleep(100);
      }
    });
  }

  @Test
  void theStatusIsTheVerdictWhateverTheBodyDoes() throws Exception {
    // 503 whose body breaks off (10 of 100 bytes, then the connection closes)
    try (RawServer broken = answering("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\n0123456789", false)) {
      assertThat(run(env(broken.url()), "ready")).isEqualTo(HookExit.REJECTED.code());
      assertThat(onlyLine(err).get("status").asInt()).isEqualTo(503);
    }
    err.reset();
    // 503 whose body trickles past the whole budget
    try (RawServer slow = answering("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 1000\r\n\r\n", true)) {
      Map<String, String> env = env(slow.url());
      env.put(HookSettings.CONNECT_TIMEOUT_ENV, "200");
      env.put(HookSettings.READ_TIMEOUT_ENV, "300");
      assertThat(run(env, "ready")).isEqualTo(HookExit.REJECTED.code());
      assertThat(onlyLine(err).get("status").asInt()).isEqualTo(503);
    }
    err.reset();
    // 202 with a body that breaks off: delivered
    try (RawServer accepted = answering("HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\n{\"event", false)) {
      assertThat(run(env(accepted.url()), "ready")).isZero();
    }
    err.reset();
    // not HTTP at all
    try (RawServer other = answering("SSH-2.0-OpenSSH_9.2\r\n\r\n", false)) {
      assertThat(run(env(other.url()), "ready")).isEqualTo(HookExit.UNREACHABLE.code());
      assertThat(onlyLine(err).get("error").asText()).contains("not HTTP");
    }
  }

  @Test
  void aUserInTheUrlIsSentAsBasicCredentialsAndNeverLogged() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      String withUser = receiver.baseUrl().replace("http://", "http://admin:s3cr%C3%A9t@");
      assertThat(run(env(withUser), "ready")).isZero();
      assertThat(receiver.requests()).singleElement().extracting(r -> r.header("Authorization"))
          .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("admin:s3cr\u00e9t".getBytes(StandardCharsets.UTF_8)));
      assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("s3cr", "admin");
    }
    assertThat(run(env("http://admin:s3cret@127.0.0.1:0"), "ready")).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("port outside").doesNotContain("s3cret", "admin");
  }

  @Test
  void unknownHostIsExit5() throws Exception {
    assertThat(run(env("http://no-such-host.invalid:8080"), "ready")).isEqualTo(HookExit.UNREACHABLE.code());
    assertThat(onlyLine(err).get("error").asText()).contains("no-such-host.invalid");
  }

  @Test
  void invalidEnvironmentIsExit3AndNothingIsSent() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      Map<String, String> env = env(receiver.baseUrl());
      env.put("MTX_PATH", "live/a;touch x/in");
      assertThat(run(env, "ready")).isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
      JsonNode line = onlyLine(err);
      assertThat(line.get("error").asText()).startsWith("MTX_PATH: ").contains("';'");
      assertThat(line.get("path").asText()).isEqualTo("live/a;touch x/in");
      assertThat(line.has("streamId")).as("an invalid path names no stream").isFalse();
      err.reset();
      env.put("MTX_PATH", "live/ok/in");
      env.remove("ORCHESTRATOR_URL");
      assertThat(run(env, "not-ready")).isEqualTo(3);
      assertThat(onlyLine(err).get("error").asText()).contains("ORCHESTRATOR_URL is not set");
      err.reset();
      env.remove("MTX_PATH");
      assertThat(run(env, "ready")).isEqualTo(3);
      assertThat(onlyLine(err).get("message").asText()).contains("MTX_PATH is not set");
      assertThat(receiver.requests()).isEmpty();
    }
  }

  @Test
  void badTimeoutVariableIsExit3() {
    Map<String, String> env = env("http://127.0.0.1:1");
    env.put(HookSettings.CONNECT_TIMEOUT_ENV, "soon");
    assertThat(run(env, "ready")).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("MTX_HOOK_CONNECT_TIMEOUT_MS=soon is not a number");
  }

  @Test
  void dryRunPrintsThePayloadAndSaysOnStderrThatNothingWasSent() throws Exception {
    Map<String, String> env = env("http://127.0.0.1:1");
    env.put(HookSettings.DRY_RUN_ENV, "1");
    assertThat(run(env, "ready")).isEqualTo(0);
    JsonNode payload = onlyLine(out);
    assertThat(payload.get("event").asText()).isEqualTo("ready");
    assertThat(HookEventSchema.problems(payload)).isEmpty();
    JsonNode said = onlyLine(err);
    assertThat(said.get("level").asText()).isEqualTo("WARN");
    assertThat(said.get("message").asText()).contains("not sent: dry run (MTX_HOOK_DRY_RUN)");
    assertThat(said.get("path").asText()).isEqualTo(payload.get("path").asText());
    assertThat(said.get("eventId").asText()).isEqualTo(payload.get("eventId").asText());
  }

  @Test
  void commandLineFlagsHelpAndUsage() throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      assertThat(run(env(receiver.baseUrl()), "ready", "--connect-timeout", "500", "--read-timeout", "700")).isEqualTo(0);
      assertThat(receiver.requests()).hasSize(1);
    }
    assertThat(run(env("http://127.0.0.1:" + FreePorts.tcp()), "ready", "--connect-timeout", "500"))
        .as("the flags path keeps the run's exit code").isEqualTo(HookExit.UNREACHABLE.code());
    err.reset();
    out.reset();
    assertThat(run(env("http://127.0.0.1:1"), "not-ready", "--dry-run")).isEqualTo(0);
    assertThat(onlyLine(out).get("event").asText()).isEqualTo("not-ready");
    assertThat(onlyLine(err).get("message").asText()).contains("dry run");
    out.reset();
    err.reset();
    assertThat(run(Map.of(), "--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: mtx-hook").contains("not-ready").contains("ready --help");
    out.reset();
    assertThat(run(Map.of(), "ready", "--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--connect-timeout", "--read-timeout", "--dry-run",
        HookSettings.CONNECT_TIMEOUT_ENV);
    out.reset();
    assertThat(run(Map.of(), "--version")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("mtx-hook ");
    assertThat(run(Map.of(), "started")).isEqualTo(HookExit.USAGE.code());
    assertThat(onlyLine(err).get("exitCode").asInt()).as("one JSON line, no usage text").isEqualTo(2);
    err.reset();
    assertThat(run(Map.of())).isEqualTo(HookExit.USAGE.code());
    assertThat(onlyLine(err).get("message").asText()).contains("missing command");
    err.reset();
    assertThat(run(Map.of(), "ready", "--read-timeout", "0")).as("a bad flag is a usage error").isEqualTo(HookExit.USAGE.code());
    JsonNode usage = onlyLine(err);
    assertThat(usage.get("message").asText()).contains("--read-timeout must be between 1 and 60000 ms, got 0");
    assertThat(usage.get("event").asText()).isEqualTo("ready");
    assertThat(usage.has("streamId")).as("no MTX_PATH, no stream").isFalse();
    err.reset();
    assertThat(run(env("http://127.0.0.1:1"), "ready", "--read-timeout", "0")).isEqualTo(HookExit.USAGE.code());
    JsonNode named = onlyLine(err);
    assertThat(named.get("path").asText()).isEqualTo("live/stream123/in");
    assertThat(named.get("streamId").asText()).as("MediaMTX's MTX_PATH names the stream").isEqualTo("stream123");
    assertThat(named.get("sourceId").asText()).as("and MTX_SOURCE_ID its publisher").isEqualTo(env("http://127.0.0.1:1").get("MTX_SOURCE_ID"));
    err.reset();
    out.reset();
    Map<String, String> badVariable = env("http://127.0.0.1:1");
    badVariable.put(HookSettings.CONNECT_TIMEOUT_ENV, "soon");
    assertThat(run(badVariable, "ready", "--connect-timeout", "500", "--dry-run"))
        .as("a flag replaces its variable, which is then not read").isZero();
    err.reset(); // the dry run's line
    badVariable.put(HookSettings.READ_TIMEOUT_ENV, "0");
    assertThat(run(badVariable, "ready", "--connect-timeout", "500", "--dry-run")).as("the other variable still counts")
        .isEqualTo(HookExit.INVALID_ENVIRONMENT.code());
    JsonNode invalid = onlyLine(err);
    assertThat(invalid.get("message").asText()).contains("MTX_HOOK_READ_TIMEOUT_MS must be between 1 and 60000 ms");
    assertThat(invalid.get("exitCode").asInt()).isEqualTo(3);
  }

  @Test
  void trainingRunDeliversOneEvent() throws Exception {
    assertThat(HookTraining.train(new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
    assertThat(onlyLine(out).get("path").asText()).isEqualTo("live/cds-training/in");
  }

  @Test
  void theEventTimeIsWhenTheProcessStartedFromProc() {
    // pid (comm with ") (" and spaces) state ppid ... field 22 = starttime in ticks
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 12 0 123456 999 888 rest";
    assertThat(HookRun.ageMillis(stat, "1234.56 9876.54\n")).isEqualTo(1_234_560 - 1_234_560);
    assertThat(HookRun.ageMillis(stat.replace(" 123456 ", " 123400 "), "1234.56 1.0")).isEqualTo(560);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HookRun.ageMillis(stat, "1000.00 1.0"))
        .as("started after now: another tick rate, so not trusted").isInstanceOf(IllegalStateException.class);
    assertThat(HookRun.ageMillis(stat, "1294.56 1.0")).as("a minute old: still trusted").isEqualTo(60_000);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HookRun.ageMillis(stat, "1294.57 1.0"))
        .isInstanceOf(IllegalStateException.class);
    java.time.Instant started = HookRun.startedAt();
    assertThat(started).isBefore(java.time.Instant.now().plusMillis(1))
        .as("this JVM started within the last minute or so, not at boot")
        .isAfter(java.time.Instant.now().minus(Duration.ofMinutes(30)));
  }
}
