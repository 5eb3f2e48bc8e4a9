package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.orchestrator.OrchestratorMain;
import io.mtxtoolkit.orchestrator.OrchestratorServer;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.worker.WorkerState;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The joined view: worker state with MediaMTX's paths. MediaMTX's Control API is answered here with
 * JSON in its documented shape (the recorded-response contract tests belong to issue #6).
 */
class StreamsViewTest {

  @Test
  void joinsWorkersWithMediaMtxPathsAndShowsIdleStreams() throws Exception {
    AtomicLong outBytes = new AtomicLong(1_000_000);
    PathsListStub api = PathsListStub.start().items(() -> java.util.List.of(
        "{\"name\":\"live/a/in\",\"ready\":true,\"tracks\":[\"H264\",\"MPEG-4 Audio\"],\"bytesReceived\":500,"
            + "\"readers\":[{\"type\":\"rtspSession\",\"id\":\"r1\"}]}",
        "{\"name\":\"live/a/out\",\"ready\":true,\"tracks\":[\"H264\",\"MPEG-4 Audio\"],\"bytesReceived\":"
            + outBytes.getAndAdd(125_000) + ",\"readers\":[]}",
        "{\"name\":\"live/idle/in\",\"ready\":true,\"tracks\":[\"H264\"],\"bytesReceived\":1,\"readers\":[]}",
        "{\"name\":\"other/path\",\"ready\":true,\"readers\":[]}"));
    WorkerManagerTest.Launcher launcher = new WorkerManagerTest.Launcher();
    WorkerManager manager = new WorkerManager(launcher, LifecyclePolicy.defaults(), Clock.systemUTC());
    MediaMtxApiClient client = new MediaMtxApiClient(api.url());
    AtomicLong nanos = new AtomicLong(5_000_000_000L);
    OrchestratorServer server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        HookEventListener.NONE, Clock.systemUTC(), app -> new StreamsApi(manager, client, () -> nanos.getAndAdd(1_000_000_000L))
            .register(app));
    int port = server.start();
    try {
      manager.ready(StreamId.of("a"));
      launcher.launched.get(0).onState.accept(WorkerState.RUNNING);
      launcher.launched.get(0).lag = java.util.OptionalLong.of(40);
      String base = "http://127.0.0.1:" + port;
      String first = Http.get(base + "/v1/streams").body();
      assertThat(first).contains("\"mediamtx\":\"ok\"", "\"streamId\":\"a\",\"status\":\"processing\"",
          "\"streamId\":\"idle\",\"status\":\"idle\",\"worker\":null", "\"readers\":[\"rtspSession\"]")
          .doesNotContain("other/path");
      String second = Http.get(base + "/v1/streams/a").body();
      assertThat(second).as("125,000 bytes more after one second: 1,000 kbit/s").contains("\"bitrateKbps\":1000.0");
      assertThat(second).as("the worker's last word on its /out's lag").contains("\"outLagMs\":40");
      assertThat(Http.get(base + "/v1/streams/idle").body()).contains("\"status\":\"idle\"");

      StringWriter out = new StringWriter();
      int code = OrchestratorMain.run(new String[] {"status", "--url", base}, Map.of(), new PrintWriter(out, true),
          new PrintWriter(new StringWriter(), true), s -> { });
      assertThat(code).isZero();
      assertThat(out.toString()).contains("STREAM", "processing", "idle", "rtspSession", "MediaMTX: ok");
      java.util.List<String> rows = out.toString().lines().toList();
      assertThat(rows.get(0).split("\\s+")).startsWith("STREAM", "STATUS", "WORKER", "HANDLE", "RESTARTS", "IN", "OUT");
      assertThat(rows).as("stream a: processing, worker running, both paths ready, one reader of /in, 1000 kbit/s out")
          .anyMatch(r -> r.matches("a +processing +running +" + launcher.launched.get(0).handle() + " +0 +ready +ready +rtspSession +1000 +40"));
      assertThat(rows).anySatisfy(r -> assertThat(r.split("\\s+"))
          .as("an idle stream: no worker, no /out").containsExactly("idle", "idle", "-", "-", "-", "ready", "-", "-", "-", "-"));
      StringWriter err = new StringWriter();
      assertThat(OrchestratorMain.run(new String[] {"status", "--url", "http://127.0.0.1:1"}, Map.of(),
          new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), s -> { })).isEqualTo(1);
      assertThat(err.toString()).contains("cannot read http://127.0.0.1:1/v1/streams");
      StringWriter bad = new StringWriter();
      assertThat(OrchestratorMain.run(new String[] {"status", "--url", "127.0.0.1:8080"}, Map.of(),
          new PrintWriter(new StringWriter(), true), new PrintWriter(bad, true), s -> { })).as("no scheme").isEqualTo(2);
      assertThat(bad.toString()).contains("--url=127.0.0.1:8080", "such as http://localhost:8080");
      for (String url : new String[] {"ftp://127.0.0.1/", "file:///etc/passwd", "http://127.0.0.1:70000", "http://127.0.0.1:0", "http://"}) {
        StringWriter wrong = new StringWriter();
        assertThat(OrchestratorMain.run(new String[] {"status", "--url", url}, Map.of(), new PrintWriter(new StringWriter(), true),
            new PrintWriter(wrong, true), s -> { })).as("--url %s", url).isEqualTo(2);
        assertThat(wrong.toString()).as("--url %s", url).startsWith("mtx-orchestrator status: --url=").doesNotContain("Exception");
      }
      try (io.mtxtoolkit.testkit.http.RecordingReceiver proxy = io.mtxtoolkit.testkit.http.RecordingReceiver.start(401)) {
        // an orchestrator behind a proxy that asks for Basic credentials: sent, and never shown
        StringWriter denied = new StringWriter();
        String withUser = proxy.baseUrl().replace("http://", "http://admin:pw@");
        assertThat(OrchestratorMain.run(new String[] {"status", "--url", withUser}, Map.of(),
            new PrintWriter(new StringWriter(), true), new PrintWriter(denied, true), s -> { })).isEqualTo(1);
        assertThat(denied.toString()).contains("answered HTTP 401").doesNotContain("pw");
        assertThat(proxy.await(1, java.time.Duration.ofSeconds(5)).get(0).header("Authorization"))
            .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("admin:pw".getBytes(StandardCharsets.UTF_8)));
      }
      StringWriter missing = new StringWriter();
      assertThat(OrchestratorMain.run(new String[] {"status", "--url", base + "/nothing-here"}, Map.of(),
          new PrintWriter(new StringWriter(), true), new PrintWriter(missing, true), s -> { })).isEqualTo(1);
      assertThat(missing.toString()).contains("answered HTTP 404");

      api.fail(503);
      assertThat(Http.get(base + "/v1/streams/idle").status())
          .as("MediaMTX cannot be asked: unknown, not 404").isEqualTo(503);
      assertThat(Http.get(base + "/v1/streams/a").status()).as("a worker's stream is still known").isEqualTo(200);
      api.fail(401);
      java.net.HttpURLConnection refused = (java.net.HttpURLConnection) java.net.URI.create(base + "/v1/streams/idle")
          .toURL().openConnection();
      assertThat(refused.getResponseCode()).as("MediaMTX refuses us: a gateway error, not a retry in a second").isEqualTo(502);
      assertThat(refused.getHeaderField("Retry-After")).isNull();
      assertThat(new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("error: ", "401");
    } finally {
      server.stop();
      manager.close();
      api.close();
    }
  }
}
