package io.mtxtoolkit.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client behaviour against canned HTTP answers: paging, 404, errors, bad JSON, no server. */
class MediaMtxApiClientTest {
  private HttpServer server;
  private final Map<String, String[]> answers = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String uri = exchange.getRequestURI().toString();
      requests.add(uri);
      authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      String[] answer = answers.getOrDefault(uri, new String[] {"404", "{\"status\":\"error\",\"error\":\"path not found\"}"});
      byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private MediaMtxApiClient client() {
    return new MediaMtxApiClient("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @Test
  void followsEveryPageAndIgnoresUnknownFields() {
    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"pageCount\":2,\"itemCount\":2,\"items\":[{\"name\":\"live/a/in\",\"confName\":\"~^live/x$\","
            + "\"source\":{\"type\":\"rtmpConn\",\"id\":\"c1\"},\"ready\":true,\"tracks\":[\"H264\",\"MPEG-4 Audio\"],"
            + "\"bytesReceived\":42,\"readers\":[{\"type\":\"rtspSession\",\"id\":\"r1\"}],\"futureField\":1}]}"});
    answers.put("/v3/paths/list?itemsPerPage=100&page=1", new String[] {"200",
        "{\"pageCount\":2,\"itemCount\":2,\"items\":[{\"name\":\"live/a/out\",\"ready\":false}]}"});
    List<ApiPath> paths = client().listPaths();
    assertThat(paths).extracting(ApiPath::name).containsExactly("live/a/in", "live/a/out");
    ApiPath first = paths.get(0);
    assertThat(first.source()).isEqualTo(new ApiPath.Source("rtmpConn", "c1"));
    assertThat(first.tracks()).containsExactly("H264", "MPEG-4 Audio");
    assertThat(first.readers()).containsExactly(new ApiPath.Reader("rtspSession", "r1"));
    assertThat(first.bytesReceived()).isEqualTo(42);
    assertThat(paths.get(1).tracks()).isEmpty();
    assertThat(paths.get(1).readers()).isEmpty();
  }

  @Test
  void tracksComeFromTracks2WhenTheOldListIsEmptyOrAbsent() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    String tracks2 = "\"tracks2\":[{\"codec\":\"H265\"}]";
    assertThat(json.readValue("{\"name\":\"p\",\"tracks\":[],"  + tracks2 + "}", ApiPath.class).tracks()).containsExactly("H265");
    assertThat(json.readValue("{\"name\":\"p\"," + tracks2 + "}", ApiPath.class).tracks()).containsExactly("H265");
    assertThat(json.readValue("{\"name\":\"p\",\"tracks\":[\"H264\"]," + tracks2 + "}", ApiPath.class).tracks())
        .as("both: the old list, as MediaMTX keeps them equal").containsExactly("H264");
    assertThat(json.readValue("{\"name\":\"p\",\"tracks\":[]}", ApiPath.class).tracks()).isEmpty();
    ApiPath alwaysAvailable = json.readValue("{\"name\":\"p\",\"ready\":true,\"readyTime\":\"T0\",\"online\":false,"
        + "\"onlineTime\":null}", ApiPath.class);
    assertThat(alwaysAvailable.ready()).as("1.17+: online, not ready, says a publisher is there").isFalse();
    assertThat(alwaysAvailable.readyTime()).isEqualTo("T0");
    ApiPath online = json.readValue("{\"name\":\"p\",\"ready\":true,\"readyTime\":\"T0\",\"online\":true,"
        + "\"onlineTime\":\"T1\"}", ApiPath.class);
    assertThat(online.readyTime()).isEqualTo("T1");
  }

  @Test
  void listsRtmpConnections() {
    answers.put("/v3/rtmpconns/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"pageCount\":1,\"itemCount\":1,\"items\":[{\"id\":\"c1\",\"remoteAddr\":\"127.0.0.1:5000\","
            + "\"state\":\"publish\",\"path\":\"live/a/in\",\"query\":\"lang=es\",\"bytesReceived\":7}]}"});
    assertThat(client().listRtmpConns()).singleElement().satisfies(c -> {
      assertThat(c.state()).isEqualTo("publish");
      assertThat(c.path()).isEqualTo("live/a/in");
      assertThat(c.query()).isEqualTo("lang=es");
    });
  }

  @Test
  void prefersTheFieldsMediaMtx117AddedOverTheDeprecatedOnes() {
    answers.put("/v3/paths/get/live/a/in", new String[] {"200", "{\"name\":\"live/a/in\",\"ready\":true,"
        + "\"readyTime\":\"2026-01-01T00:00:00Z\",\"online\":false,\"onlineTime\":null,\"tracks\":[],"
        + "\"tracks2\":[{\"codec\":\"H264\",\"codecProps\":{\"width\":320}}],\"bytesReceived\":1,"
        + "\"inboundBytes\":10,\"bytesSent\":2,\"outboundBytes\":20}"});
    ApiPath path = client().getPath("live/a/in").orElseThrow();
    assertThat(path.ready()).as("online wins over ready (alwaysAvailable keeps ready true)").isFalse();
    assertThat(path.readyTime()).as("no onlineTime: readyTime is kept").isEqualTo("2026-01-01T00:00:00Z");
    assertThat(path.tracks()).containsExactly("H264");
    assertThat(path.bytesReceived()).isEqualTo(10);
    assertThat(path.bytesSent()).isEqualTo(20);

    answers.put("/v3/rtmpconns/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"itemCount\":1,\"pageCount\":1,\"items\":[{\"id\":\"c1\",\"bytesReceived\":1,\"inboundBytes\":10,"
            + "\"bytesSent\":2,\"outboundBytes\":20}]}"});
    assertThat(client().listRtmpConns()).singleElement().satisfies(c -> {
      assertThat(c.bytesReceived()).isEqualTo(10);
      assertThat(c.bytesSent()).isEqualTo(20);
    });
  }

  @Test
  void anItemOnTwoPagesIsListedOnce() {
    // MediaMTX pages each request afresh: a path added between two requests shifts live/b/in onto page 1 too
    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"itemCount\":2,\"pageCount\":2,\"items\":[{\"name\":\"live/a/in\"},{\"name\":\"live/b/in\"}]}"});
    answers.put("/v3/paths/list?itemsPerPage=100&page=1", new String[] {"200",
        "{\"itemCount\":3,\"pageCount\":2,\"items\":[{\"name\":\"live/b/in\"},{\"name\":\"live/c/in\"}]}"});
    assertThat(client().listPaths()).extracting(ApiPath::name).containsExactly("live/a/in", "live/b/in", "live/c/in");
  }

  /**
   * The answers of one scenario (a publisher on live/contract/in?lang=es, a worker reading it over RTSP/TCP
   * and publishing live/contract/out): shaped from MediaMTX's source per version (api/), and recorded from a
   * running MediaMTX by deploy/mediamtx/record-contract.sh (contract/), wherever such recordings exist.
   */
  static List<String> mediaMtxAnswers() throws Exception {
    List<String> dirs = new java.util.ArrayList<>(List.of("api/v1.16", "api/v1.18"));
    java.net.URL recorded = MediaMtxApiClientTest.class.getResource("/contract");
    if (recorded != null) {
      try (java.util.stream.Stream<java.nio.file.Path> versions = java.nio.file.Files.list(java.nio.file.Path.of(recorded.toURI()))) {
        versions.map(v -> "contract/" + v.getFileName()).sorted().forEach(dirs::add);
      }
    }
    return dirs;
  }

  private static String answer(String dir, String file) throws IOException {
    try (java.io.InputStream in = MediaMtxApiClientTest.class.getResourceAsStream("/" + dir + "/" + file)) {
      assertThat(in).as(dir + "/" + file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("mediaMtxAnswers")
  void readsWhatMediaMtxAnswers(String dir) throws IOException {
    for (String list : List.of("paths", "rtmpconns", "rtspconns", "rtspsessions")) {
      answers.put("/v3/" + list + "/list?itemsPerPage=100&page=0", new String[] {"200", answer(dir, list + "_list.json")});
    }
    answers.put("/v3/paths/get/live/missing/in", new String[] {"404", answer(dir, "paths_get_missing.json")});
    MediaMtxApiClient client = client();

    Map<String, ApiPath> paths = new java.util.HashMap<>();
    client.listPaths().forEach(p -> paths.put(p.name(), p));
    ApiPath in = paths.get("live/contract/in");
    ApiPath out = paths.get("live/contract/out");
    assertThat(in.ready()).isTrue();
    assertThat(in.tracks()).containsExactlyInAnyOrder("H264", "MPEG-4 Audio");
    assertThat(in.source().type()).isEqualTo("rtmpConn");
    assertThat(in.bytesReceived()).isPositive();
    assertThat(out.ready()).isTrue();
    assertThat(out.readers()).isEmpty();

    ApiRtspSession session = client.listRtspSessions().stream()
        .filter(x -> "live/contract/in".equals(x.path())).findFirst().orElseThrow();
    assertThat(session.state()).isEqualTo("read");
    assertThat(session.transport()).isEqualTo("TCP");
    assertThat(in.readers()).contains(new ApiPath.Reader("rtspSession", session.id()));
    assertThat(client.listRtspConns()).anySatisfy(c -> {
      assertThat(c.session()).isEqualTo(session.id());
      assertThat(c.bytesSent()).isPositive();
    });
    assertThat(client.listRtmpConns()).anySatisfy(c -> {
      assertThat(c.id()).isEqualTo(in.source().id());
      assertThat(c.state()).isEqualTo("publish");
      assertThat(c.query()).isEqualTo("lang=es");
      assertThat(c.bytesReceived()).isPositive();
    });
    assertThat(client.getPath("live/missing/in")).isEmpty();

    List<PrometheusText.Sample> metrics = PrometheusText.parse(answer(dir, "metrics.txt"));
    assertThat(PrometheusText.value(metrics, "paths", Map.of("name", "live/contract/in", "state", "ready"))).hasValue(1.0);
    assertThat(PathMetrics.readers(metrics, "live/contract/in")).hasValue(1.0);
    assertThat(PathMetrics.readers(metrics, "live/contract/out")).hasValue(0.0);
    assertThat(PathMetrics.inboundBytes(metrics, "live/contract/in")).get().satisfies(b -> assertThat(b).isPositive());
    assertThat(PathMetrics.inboundBytes(metrics, "live/none/in")).isEmpty();
  }

  @Test
  void emptyListHasNoItems() {
    answers.put("/v3/rtmpconns/list?itemsPerPage=100&page=0", new String[] {"200", "{\"pageCount\":0,\"itemCount\":0,\"items\":[]}"});
    assertThat(client().listRtmpConns()).isEmpty();
  }

  @Test
  void getPathIsEmptyOn404() {
    assertThat(client().getPath("live/none/in")).isEmpty();
    assertThat(requests).contains("/v3/paths/get/live/none/in");
  }

  @Test
  void getPathReadsOnePath() {
    answers.put("/v3/paths/get/live/a/in", new String[] {"200", "{\"name\":\"live/a/in\",\"ready\":true}"});
    assertThat(client().getPath("live/a/in")).get().extracting(ApiPath::ready).isEqualTo(true);
  }

  @Test
  void serverErrorsCarryStatusAndBody() {
    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"500", "{\"status\":\"error\",\"error\":\"boom\"}"});
    assertThatThrownBy(() -> client().listPaths())
        .isInstanceOfSatisfying(MediaMtxApiException.class, e -> assertThat(e.status()).isEqualTo(500))
        .hasMessageContaining("answered 500").hasMessageContaining("boom");
  }

  @Test
  void a404OnAListIsAnError() {
    assertThatThrownBy(() -> client().listRtmpConns()).hasMessageContaining("answered 404");
  }

  @Test
  void badJsonIsReportedAsSuch() {
    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"200", "<html>not json"});
    assertThatThrownBy(() -> client().listPaths()).hasMessageContaining("invalid JSON");
  }

  @Test
  void unreachableServerSaysSo() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    MediaMtxApiClient client = new MediaMtxApiClient("http://127.0.0.1:" + closedPort);
    assertThatThrownBy(client::listPaths)
        .isInstanceOfSatisfying(MediaMtxApiException.class, e -> assertThat(e.status()).isZero())
        .hasMessageContaining("unreachable");
  }

  @Test
  void aUserInTheUrlIsSentAsBasicCredentialsAndNeverQuoted() {
    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"500", "{\"status\":\"error\",\"error\":\"boom\"}"});
    MediaMtxApiClient client = new MediaMtxApiClient("http://orchestrator:s3cr%C3%A9t@127.0.0.1:" + server.getAddress().getPort());
    assertThatThrownBy(client::listPaths).hasMessageContaining("answered 500").hasMessageNotContaining("s3cr")
        .hasMessageNotContaining("orchestrator@");
    // base64("orchestrator:s3crét") in UTF-8, as MediaMTX's authInternalUsers compare it
    assertThat(authorizations).containsExactly("Basic b3JjaGVzdHJhdG9yOnMzY3LDqXQ=");

    answers.put("/v3/paths/list?itemsPerPage=100&page=0", new String[] {"200", "{\"pageCount\":1,\"items\":[]}"});
    assertThat(client().listPaths()).isEmpty();
    assertThat(authorizations).as("no user, no header").endsWith("null");
    assertThatThrownBy(() -> new MediaMtxApiClient("http://u:s3cret@bad host")).hasMessageNotContaining("s3cret");
  }

  @Test
  void rejectsAnInvalidBaseUrl() {
    assertThatThrownBy(() -> new MediaMtxApiClient("not a url")).hasMessageContaining("invalid MediaMTX API URL");
  }

  @Test
  void listsRtspConnectionsAndSessions() {
    answers.put("/v3/rtspconns/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"pageCount\":1,\"itemCount\":1,\"items\":[{\"id\":\"k1\",\"remoteAddr\":\"127.0.0.1:6000\",\"session\":\"s1\"}]}"});
    answers.put("/v3/rtspsessions/list?itemsPerPage=100&page=0", new String[] {"200",
        "{\"pageCount\":1,\"itemCount\":1,\"items\":[{\"id\":\"s1\",\"state\":\"read\",\"path\":\"live/a/in\","
            + "\"transport\":\"TCP\",\"bytesSent\":9}]}"});
    assertThat(client().listRtspConns()).singleElement().extracting(ApiRtspConn::session).isEqualTo("s1");
    assertThat(client().listRtspSessions()).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo("read");
      assertThat(s.transport()).isEqualTo("TCP");
    });
  }

  @Test
  void readsFilteredMetrics() {
    answers.put("/metrics?type=paths&path=live%2Fa%2Fin", new String[] {"200",
        "paths{name=\"live/a/in\",state=\"ready\"} 1\npaths_bytes_received{name=\"live/a/in\",state=\"ready\"} 77\n"});
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    var samples = MediaMtxApiClient.metrics(base, "paths", "live/a/in", java.time.Duration.ofSeconds(2));
    assertThat(PrometheusText.value(samples, "paths_bytes_received", Map.of("name", "live/a/in"))).hasValue(77.0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MediaMtxApiClient.metrics(base, null, null, java.time.Duration.ofSeconds(2)))
        .hasMessageContaining("answered 404");
  }

  /** A proxy's error page served as 200: MediaMTX's answer, reported like its other failures, naming the URL. */
  @Test
  void unreadableMetricsAreAnApiFailure() {
    answers.put("/metrics", new String[] {"200", "<html><body>Bad gateway</body></html>\n"});
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MediaMtxApiClient.metrics(base, null, null, java.time.Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(MediaMtxApiException.class, e -> assertThat(e.status()).isEqualTo(200))
        .hasMessageContaining("returned unreadable text").hasMessageContaining(base + "/metrics");
  }

  @Test
  void metricsTakeTheUrlsCredentialsAndNeverShowThem() throws Exception {
    answers.put("/metrics", new String[] {"200", "paths 1\n"});
    String base = "http://viewer:s3cret@127.0.0.1:" + server.getAddress().getPort();
    MediaMtxApiClient.metrics(base, null, null, java.time.Duration.ofSeconds(2));
    assertThat(authorizations).last().isEqualTo(okhttp3.Credentials.basic("viewer", "s3cret"));
    int closedPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    String closed = "http://viewer:s3cret@127.0.0.1:" + closedPort;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MediaMtxApiClient.metrics(closed, null, null,
        java.time.Duration.ofSeconds(1))).hasMessageContaining("unreachable").hasMessageNotContaining("s3cret");
  }
}
