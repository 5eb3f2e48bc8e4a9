package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mtxtoolkit.core.api.ApiRtmpConn;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.testkit.contract.HookEventSchema;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.http.RecordingReceiver;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxServer;
import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * User story 2 on real parts: MediaMTX with deploy/mediamtx/mediamtx.yml, the packaged mtx-hook as
 * its hook command (found on PATH, as in the config), and the packaged orchestrator as a process.
 */
@Tag("mediamtx")
class HookPathMediaMtxIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A hook JVM's start and one request, on a loaded 2-core machine. */
  private static final Duration DELIVERY = Duration.ofSeconds(20);

  @AutoClose
  private final Running running = new Running();

  private String startOrchestrator() {
    int port = FreePorts.tcp();
    String url = "http://127.0.0.1:" + port;
    // the receiver alone: worker JVMs would only compete for the cores with the hooks being measured
    running.keep(Launchers.orchestrator(port, Map.of(), "--worker-mode", "none"));
    return url;
  }

  private MediaMtxServer startMediaMtx(String orchestratorUrl) {
    return running.keep(MediaMtxServer.builder().env("ORCHESTRATOR_URL", orchestratorUrl).prependPath(Launchers.HOOK_BIN).start());
  }

  private static List<JsonNode> events(String orchestratorUrl) throws Exception {
    JsonNode list = JSON.readTree(Http.get(orchestratorUrl + "/v1/events").body());
    return StreamSupport.stream(list.spliterator(), false).toList();
  }

  private static JsonNode awaitEvent(String orchestratorUrl, String type, String path) {
    return await(type + " for " + path + " at the orchestrator").atMost(DELIVERY).pollInterval(Duration.ofMillis(50))
        .until(() -> events(orchestratorUrl).stream()
            .filter(e -> e.get("event").asText().equals(type) && e.get("path").asText().equals(path)).findFirst(),
            java.util.Optional::isPresent).orElseThrow();
  }

  private TestStreamPublisher publish(MediaMtxServer mediamtx, String pathAndQuery) {
    return running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl(pathAndQuery), TestStreamOptions.defaults()));
  }

  @Test
  void test_rtmp_publish_triggers_ready_event() throws Exception {
    String orchestrator = startOrchestrator();
    MediaMtxServer mediamtx = startMediaMtx(orchestrator);
    publish(mediamtx, "live/stream123/in");

    ObjectNode ready = (ObjectNode) awaitEvent(orchestrator, "ready", "live/stream123/in");
    assertThat(ready.get("streamId").asText()).isEqualTo("stream123");
    assertThat(ready.get("sourceType").asText()).isEqualTo("rtmpConn");
    List<ApiRtmpConn> conns = new MediaMtxApiClient(mediamtx.apiBaseUrl()).listRtmpConns();
    assertThat(conns).filteredOn(c -> c.path().equals("live/stream123/in")).singleElement()
        .extracting(ApiRtmpConn::id).isEqualTo(ready.get("sourceId").asText());
    ObjectNode asSent = ready.deepCopy();
    asSent.remove("receivedAt");
    assertThat(HookEventSchema.problems(asSent)).as("payload as received").isEmpty();
    mediamtx.log().await("the hook's delivery line", l -> l.contains("\"logger\":\"mtx-hook\"") && l.contains("delivered"), DELIVERY);
  }

  @Test
  void publisherDisconnectDeliversNotReady() {
    String orchestrator = startOrchestrator();
    MediaMtxServer mediamtx = startMediaMtx(orchestrator);
    TestStreamPublisher publisher = publish(mediamtx, "live/stream123/in");
    awaitEvent(orchestrator, "ready", "live/stream123/in");
    publisher.close();
    JsonNode notReady = awaitEvent(orchestrator, "not-ready", "live/stream123/in");
    assertThat(notReady.get("streamId").asText()).isEqualTo("stream123");
  }

  @Test
  void queryStringReachesThePayload() {
    String orchestrator = startOrchestrator();
    MediaMtxServer mediamtx = startMediaMtx(orchestrator);
    publish(mediamtx, "live/stream123/in?lang=es");
    assertThat(awaitEvent(orchestrator, "ready", "live/stream123/in").get("query").asText()).isEqualTo("lang=es");
  }

  @Test
  void orchestratorDownFailsTheHookVisiblyAndTheStreamStaysReadable() throws Exception {
    String closed = "http://127.0.0.1:" + FreePorts.tcp();
    MediaMtxServer mediamtx = startMediaMtx(closed);
    publish(mediamtx, "live/stream123/in");
    String line = mediamtx.log().await("the hook's failure line",
        l -> l.contains("\"logger\":\"mtx-hook\"") && l.contains("\"level\":\"ERROR\""), DELIVERY);
    assertThat(line).contains("Connection refused", "live/stream123/in", closed);
    assertReadableOverRtsp(mediamtx, "live/stream123/in");
  }

  @Test
  void receiverAnswering503IsNamedInMediaMtxLog() throws Exception {
    RecordingReceiver receiver = running.keep(RecordingReceiver.start(503));
    MediaMtxServer mediamtx = startMediaMtx(receiver.baseUrl());
    publish(mediamtx, "live/stream123/in");
    String line = mediamtx.log().await("the hook's 503 line",
        l -> l.contains("\"logger\":\"mtx-hook\"") && l.contains("\"status\":503"), DELIVERY);
    assertThat(line).contains("\"level\":\"ERROR\"");
    // A retry would come after the failure line, so the count must hold for a while.
    await("no retry").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> receiver.requests().size() == 1);
    assertReadableOverRtsp(mediamtx, "live/stream123/in");
  }

  @Test
  void outputAndForeignPathsFireNoHook() {
    RecordingReceiver receiver = running.keep(RecordingReceiver.start(202));
    MediaMtxServer mediamtx = startMediaMtx(receiver.baseUrl());
    MediaMtxApiClient api = new MediaMtxApiClient(mediamtx.apiBaseUrl());
    publish(mediamtx, "live/x/out");
    publish(mediamtx, "other/path");
    await("both paths ready").atMost(DELIVERY).until(() -> api.listPaths().stream().filter(p -> p.ready()).count() == 2);
    // A hook for the /in path published last arrives after any hook the earlier paths could have fired.
    publish(mediamtx, "live/x/in");
    receiver.await(1, DELIVERY);
    await("no late hook").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> receiver.requests().size() == 1);
    assertThat(receiver.requests()).singleElement().extracting(RecordingReceiver.Request::bodyText).asString()
        .contains("\"path\":\"live/x/in\"");
  }

  @Test
  void fiveStreamsAtOnceGiveFiveReadyEventsEachOnce() throws Exception {
    String orchestrator = startOrchestrator();
    MediaMtxServer mediamtx = startMediaMtx(orchestrator);
    for (int i = 1; i <= 5; i++) {
      publish(mediamtx, "live/s" + i + "/in");
    }
    await("five ready events").atMost(DELIVERY).until(() -> events(orchestrator).size() >= 5);
    await("each stream's event once: no late duplicate").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> events(orchestrator).size() == 5);
    List<JsonNode> events = events(orchestrator);
    assertThat(events).extracting(e -> e.get("path").asText())
        .containsExactlyInAnyOrder("live/s1/in", "live/s2/in", "live/s3/in", "live/s4/in", "live/s5/in");
    assertThat(events).allMatch(e -> e.get("event").asText().equals("ready"));
  }

  private static void assertReadableOverRtsp(MediaMtxServer mediamtx, String path) throws Exception {
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mediamtx.rtspUrl(path))) {
      grabber.setOption("rtsp_transport", "tcp");
      grabber.setOption("timeout", "5000000");
      grabber.start();
      int frames = 0;
      for (int i = 0; i < 200 && frames < 10; i++) {
        if (grabber.grabImage() != null) {
          frames++;
        }
      }
      assertThat(frames).as("video frames read over RTSP/TCP from %s", path).isEqualTo(10);
    }
  }
}
