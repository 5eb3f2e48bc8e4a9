package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.api.PathMetrics;
import io.mtxtoolkit.core.api.PrometheusText;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxServer;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * User story 4 on real parts: the paths list, MediaMTX's filtered metrics and the orchestrator's
 * joined view follow a stream from publish to stop; and the Control API's answers have every field
 * our client reads, with the type it reads (the responses are also written to
 * target/mediamtx-contract/ for deploy/mediamtx/record-contract.sh).
 */
@Tag("mediamtx")
class ObservabilityMediaMtxIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A hook JVM, a worker JVM with FFmpeg's natives and an RTSP open, on a loaded 2-core machine. */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @AutoClose
  private final Running running = new Running();

  /** MediaMTX calling the packaged hook, and the packaged orchestrator (child-process workers) pointed at it. */
  private record Stack(MediaMtxServer mediamtx, String orchestrator) {}

  private Stack stack() {
    int port = FreePorts.tcp();
    String orchestrator = "http://127.0.0.1:" + port;
    MediaMtxServer mediamtx = running.keep(MediaMtxServer.builder().env("ORCHESTRATOR_URL", orchestrator)
        .prependPath(Launchers.HOOK_BIN).start());
    running.keep(Launchers.orchestrator(port, Map.of("MEDIAMTX_HOST", "127.0.0.1", "MEDIAMTX_API_URL", mediamtx.apiBaseUrl(),
        "MEDIAMTX_RTSP_PORT", String.valueOf(mediamtx.rtspPort()), "MEDIAMTX_RTMP_PORT", String.valueOf(mediamtx.rtmpPort())),
        "--grace-period-ms", "500"));
    return new Stack(mediamtx, orchestrator);
  }

  private static List<PrometheusText.Sample> pathMetrics(MediaMtxServer mediamtx, String path) {
    return MediaMtxApiClient.metrics(mediamtx.metricsBaseUrl(), "paths", path, Duration.ofSeconds(5));
  }


  private static JsonNode stream(String orchestrator, String id) throws Exception {
    return JSON.readTree(Http.get(orchestrator + "/v1/streams/" + id).body());
  }

  @Test
  void test_end_to_end_observability() throws Exception {
    Stack s = stack();
    MediaMtxApiClient api = new MediaMtxApiClient(s.mediamtx().apiBaseUrl());
    TestStreamPublisher publisher = running.keep(TestStreamPublisher.start(s.mediamtx().rtmpUrl("live/obs/in"), TestStreamOptions.defaults()));

    ApiPath in = await("live/obs/in ready in the paths list").atMost(SETTLE)
        .until(() -> api.getPath("live/obs/in").filter(ApiPath::ready), Optional::isPresent).orElseThrow();
    assertThat(in.tracks()).containsExactlyInAnyOrder("H264", "MPEG-4 Audio");
    assertThat(in.source().type()).isEqualTo("rtmpConn");
    await("the worker reads /in and publishes /out").atMost(SETTLE).until(() ->
        api.getPath("live/obs/in").map(p -> !p.readers().isEmpty()).orElse(false)
            && api.getPath("live/obs/out").map(ApiPath::ready).orElse(false));
    await("filtered metrics: bytes received grow, one reader").atMost(SETTLE).until(() -> {
      List<PrometheusText.Sample> m = pathMetrics(s.mediamtx(), "live/obs/in");
      return PathMetrics.inboundBytes(m, "live/obs/in").orElse(0.0) > 0 && PathMetrics.readers(m, "live/obs/in").orElse(0.0) >= 1;
    });
    assertThat(pathMetrics(s.mediamtx(), "live/obs/in")).as("the filter keeps only live/obs/in")
        .allSatisfy(sample -> assertThat(sample.labels().getOrDefault("name", "live/obs/in")).isEqualTo("live/obs/in"));
    JsonNode processing = await("/v1/streams shows obs processing").atMost(SETTLE)
        .until(() -> stream(s.orchestrator(), "obs"), j -> j.path("status").asText().equals("processing"));
    assertThat(processing.path("worker").path("workerState").asText()).isEqualTo("running");
    assertThat(processing.path("in").path("readers").toString()).contains("rtsp");
    assertThat(processing.path("out").path("ready").asBoolean()).isTrue();

    publisher.close();
    await("live/obs/in gone from the paths list").atMost(SETTLE).until(() -> api.getPath("live/obs/in").isEmpty());
    await("filtered metrics no longer list live/obs/in").atMost(SETTLE)
        .until(() -> PathMetrics.inboundBytes(pathMetrics(s.mediamtx(), "live/obs/in"), "live/obs/in").isEmpty());
    JsonNode stopped = await("/v1/streams: worker stopped after the grace period").atMost(SETTLE)
        .until(() -> stream(s.orchestrator(), "obs"), j -> j.path("worker").path("workerState").asText().equals("stopped"));
    assertThat(stopped.path("status").asText()).isEqualTo("stopped");
    await("live/obs/out gone").atMost(SETTLE).until(() -> api.getPath("live/obs/out").isEmpty());
  }

  /**
   * Per endpoint, each field our client reads (see mtx-core's api records) → the JSON node types it accepts.
   * {@code new|old} names a field MediaMTX renamed: the answer must have one of them.
   */
  private static final Map<String, Map<String, String>> CONTRACT = Map.of(
      "/v3/paths/list", Map.of("name", "STRING", "online|ready", "BOOLEAN", "tracks|tracks2", "ARRAY",
          "source", "OBJECT|NULL", "readers", "ARRAY", "inboundBytes|bytesReceived", "NUMBER",
          "outboundBytes|bytesSent", "NUMBER"),
      "/v3/rtmpconns/list", Map.of("id", "STRING", "state", "STRING", "path", "STRING", "query", "STRING",
          "inboundBytes|bytesReceived", "NUMBER"),
      "/v3/rtspconns/list", Map.of("id", "STRING", "inboundBytes|bytesReceived", "NUMBER"),
      "/v3/rtspsessions/list", Map.of("id", "STRING", "state", "STRING", "path", "STRING"));

  private static void assertField(String endpoint, JsonNode item, String names, String types) {
    String present = Arrays.stream(names.split("\\|")).filter(item::has).findFirst().orElse(null);
    assertThat(present).as("%s: one of the fields %s in %s", endpoint, names, item).isNotNull();
    assertThat(List.of(types.split("\\|"))).as("%s: type of %s in %s", endpoint, present, item)
        .contains(item.get(present).getNodeType().name());
  }

  @Test
  void test_control_api_response_schema() throws Exception {
    Stack s = stack();
    MediaMtxApiClient api = new MediaMtxApiClient(s.mediamtx().apiBaseUrl());
    running.keep(TestStreamPublisher.start(s.mediamtx().rtmpUrl("live/contract/in?lang=es"), TestStreamOptions.defaults()));
    await("a publisher, a worker reading over RTSP and its /out").atMost(SETTLE)
        .until(() -> api.getPath("live/contract/out").map(ApiPath::ready).orElse(false)
            && !api.listRtspSessions().isEmpty() && !api.listRtspConns().isEmpty());

    Path recorded = Files.createDirectories(Path.of("target", "mediamtx-contract"));
    for (Map.Entry<String, Map<String, String>> endpoint : CONTRACT.entrySet()) {
      String body = Http.get(s.mediamtx().apiBaseUrl() + endpoint.getKey()).body();
      Files.writeString(recorded.resolve(endpoint.getKey().substring(4).replace('/', '_') + ".json"), body);
      JsonNode page = JSON.readTree(body);
      assertThat(page.path("itemCount").isNumber()).as(endpoint.getKey() + " itemCount").isTrue();
      assertThat(page.path("pageCount").isNumber()).as(endpoint.getKey() + " pageCount").isTrue();
      assertThat(page.path("items").isArray() && !page.path("items").isEmpty()).as(endpoint.getKey() + " items").isTrue();
      for (Iterator<JsonNode> it = page.path("items").elements(); it.hasNext(); ) {
        JsonNode item = it.next();
        endpoint.getValue().forEach((names, types) -> assertField(endpoint.getKey(), item, names, types));
      }
    }
    Files.writeString(recorded.resolve("metrics.txt"), Http.get(s.mediamtx().metricsBaseUrl() + "/metrics").body());
    Files.writeString(recorded.resolve("paths_get_missing.json"),
        Http.get(s.mediamtx().apiBaseUrl() + "/v3/paths/get/live/missing/in").body());
    assertThat(api.getPath("live/missing/in")).as("404 for an unknown path reads as empty").isEmpty();
    assertThat(api.listRtmpConns()).anySatisfy(c -> assertThat(c.query()).isEqualTo("lang=es"));
  }
}
