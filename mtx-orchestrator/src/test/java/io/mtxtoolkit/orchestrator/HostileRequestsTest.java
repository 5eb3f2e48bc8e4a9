package io.mtxtoolkit.orchestrator;

import static io.mtxtoolkit.core.testing.RandomInputs.anyText;
import static io.mtxtoolkit.core.testing.RandomInputs.forAll;
import static io.mtxtoolkit.core.testing.RandomInputs.samples;
import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.testkit.http.Http;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and hostile requests: client mistakes get 4xx, never 5xx, and the service keeps answering.
 * Random inputs come from a fixed seed, so a failing sample reproduces.
 */
class HostileRequestsTest {
  private static OrchestratorServer server;
  private static String base;

  @BeforeAll
  static void start() {
    server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0));
    base = "http://127.0.0.1:" + server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data; boundary=x");

  @Test
  void randomBodiesGetOnly202Or4xx() {
    forAll(samples(0x686f7374L, 300, r -> new String[] {anyText(r, 300), CONTENT_TYPES.get(r.nextInt(CONTENT_TYPES.size())),
        r.nextBoolean() ? "ready" : "not-ready"}, new String[] {"", "application/json", "ready"},
        new String[] {"{}", "text/plain", "not-ready"}), request -> {
          int status = Http.call(new Request.Builder().url(base + "/v1/mediamtx/events/" + request[2])
              .post(RequestBody.create(request[0].getBytes(StandardCharsets.UTF_8), MediaType.get(request[1]))).build()).status();
          assertThat(status).isIn(202, 400, 413, 415);
        });
  }

  @Test
  void jsonShapedGarbageGets202Or400() {
    forAll(samples(0x6a736f6eL, 100, r -> new String[] {anyText(r, 80), anyText(r, 20)},
        new String[] {"live/a/in", "path"}, new String[] {"", ""}), fields -> {
          String body = "{\"path\":\"" + fields[0].replace("\\", "\\\\").replace("\"", "\\\"") + "\",\""
              + fields[1].replace("\"", "") + "\":[1,{\"x\":null}]}";
          assertThat(Http.post(base + "/v1/mediamtx/events/ready", "application/json", body).status()).isIn(202, 400);
        });
  }

  @Test
  void traversalAndUnicodeInUrlsAreClientErrors() {
    for (String path : List.of("/v1/streams/..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/v1/streams/caf%C3%A9",
        "/v1/events?limit=%00", "/v1/mediamtx/events/%2e%2e", "/v1/events?limit=99999999999999")) {
      assertThat(Http.get(base + path).status()).as(path).isBetween(400, 499);
    }
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }

  @Test
  void hugeHeadersAreRefusedNotFatal() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
      s.setSoTimeout(30_000); // a server that neither answers nor closes fails the test instead of hanging it
      OutputStream out = s.getOutputStream();
      out.write(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).startsWith("HTTP/1.1 4");
    }
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }

  @Test
  void manyConcurrentConnectionsAreAllAnswered() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      List<Future<Integer>> replies = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        int n = i;
        replies.add(pool.submit(() -> Http.post(base + "/v1/mediamtx/events/ready", "application/json",
            "{\"path\":\"live/load" + (n % 10) + "/in\"}").status()));
      }
      for (Future<Integer> f : replies) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(202);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }

  /** Sends {@code headersAndBody} raw on a fresh connection (the rest of the request never comes) and returns the status line. */
  private static String statusLineFor(String headersAndBody) throws IOException {
    return statusLineFor(base, headersAndBody);
  }

  private static String statusLineFor(String base, String headersAndBody) throws IOException {
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/mediamtx/events/ready HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headersAndBody)
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void brokenChunkingGets400NotAnEmpty500() throws Exception {
    assertThat(statusLineFor("Transfer-Encoding: chunked\r\n\r\nZZ\r\n{\"path\":\"live/a/in\"}\r\n")).isEqualTo("HTTP/1.1 400");
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }

  @Test
  void aBodyTrickledByteByByteGets408LongBeforeItCouldEnd() throws Exception {
    // each byte within the idle timeout: only the minimum data rate can end this (100 bytes would take 30 s)
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    long start = System.nanoTime();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/mediamtx/events/ready HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = "";
      try {
        for (int i = 0; i < 100 && s.getInputStream().available() == 0; i++) {
          out.write('{');
          out.flush();
          Thread.sleep(300); // the trickle itself: the pace of the attack, not a wait for an event
        }
      } catch (IOException closedByServer) {
        // the server answered and closed while we were still sending: the reply is read below
      }
      reply = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(reply).as("status line after %d ms", waitedMs).isEqualTo("HTTP/1.1 408");
      assertThat(waitedMs).as("answered while the body was still trickling").isLessThan(10_000L);
    }
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }

  @Test
  void anUnsignedRequestIsRefusedBeforeItsBodyIsWaitedFor() throws Exception {
    // with HOOK_SECRET set, a sender without the signature headers cannot hold a connection with a body that never comes
    try (RunningServer signed = RunningServer.signed("s3cret")) {
      long start = System.nanoTime();
      assertThat(statusLineFor(signed.url(""), "Content-Length: 100\r\n\r\n{")).isEqualTo("HTTP/1.1 401");
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms to the answer")
          .isLessThan(OrchestratorServer.REQUEST_IDLE_TIMEOUT.toMillis());
    }
  }

  /** A signed request recorded before a restart is within the allowed skew, but the new process has not seen its id. */
  @Test
  void aSignedRequestFromBeforeTheOrchestratorStartedIsAReplay() {
    byte[] body = ("{\"eventId\":\"e1\",\"event\":\"ready\",\"path\":\"live/replay/in\",\"streamId\":\"replay\",\"query\":\"\","
        + "\"sourceType\":\"rtmpConn\",\"sourceId\":\"c1\",\"timestamp\":\"" + java.time.Instant.now() + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (RunningServer signed = RunningServer.signed("s3cret")) {
      long now = System.currentTimeMillis() / 1000;
      for (long at : new long[] {now - 60, now}) {
        var reply = io.mtxtoolkit.testkit.http.Http.call(new okhttp3.Request.Builder().url(signed.url("/v1/mediamtx/events/ready"))
            .header(io.mtxtoolkit.core.hook.HookSignature.TIMESTAMP_HEADER, String.valueOf(at))
            .header(io.mtxtoolkit.core.hook.HookSignature.SIGNATURE_HEADER, io.mtxtoolkit.core.hook.HookSignature.sign("s3cret", at, body))
            .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("application/json"))).build());
        if (at < now) {
          assertThat(reply.status()).as("signed a minute before the start").isEqualTo(401);
          assertThat(reply.body()).contains("before this orchestrator started");
        } else {
          assertThat(reply.status()).as("the same, signed now").isEqualTo(202);
        }
      }
    }
  }

  @Test
  void aBodyThatStallsGets408AndFreesTheServer() throws Exception {
    long start = System.nanoTime();
    String reply = statusLineFor("Content-Length: 100\r\n\r\n{\"path\":");
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(reply).as("status line after %d ms", waitedMs).isEqualTo("HTTP/1.1 408");
    assertThat(waitedMs).isBetween(OrchestratorServer.REQUEST_IDLE_TIMEOUT.toMillis() - 500, 20_000L);
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
  }
}
