package io.mtxtoolkit.orchestrator;

import static io.mtxtoolkit.core.testing.RandomInputs.anyText;
import static io.mtxtoolkit.core.testing.RandomInputs.forAll;
import static io.mtxtoolkit.core.testing.RandomInputs.samples;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

/**
 * The whole service as {@code mtx-orchestrator} assembles it (hook routes, streams API, status page, thumbnails,
 * metrics, workers in threads), with MediaMTX away: random requests on every route get no 5xx but the documented
 * 503 of a stream MediaMTX cannot be asked about, and a flood of readies for new ids starts no more workers than
 * the limit.
 */
class FullServerHostileRequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ROUTES = List.of("/", "/healthz", "/metrics", "/v1/events", "/v1/streams",
      "/v1/streams/", "/v1/mediamtx/events/ready", "/v1/mediamtx/events/not-ready");

  @Test
  void everyRouteAnswersHostileRequestsAndWorkersStayWithinTheLimit() {
    int away = FreePorts.tcp(); // nothing listens: MediaMTX's API, RTSP and RTMP are all away
    Map<String, String> env = Map.of("MEDIAMTX_API_URL", "http://127.0.0.1:" + away, "MEDIAMTX_HOST", "127.0.0.1",
        "MEDIAMTX_RTSP_PORT", String.valueOf(away), "MEDIAMTX_RTMP_PORT", String.valueOf(away));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int code = OrchestratorMain.run(new String[] {"--host", "127.0.0.1", "--port", "0", "--worker-mode", "thread",
        "--reconcile-interval-ms", "0", "--max-workers", "3"}, env, new PrintWriter(out, true), new PrintWriter(err, true),
        server -> {
          try {
            exercise(server.url());
          } catch (Throwable t) {
            failure.set(t);
          }
        });
    if (failure.get() instanceof AssertionError a) {
      throw a;
    }
    assertThat(failure.get()).as("the checks ran to the end").isNull();
    assertThat(code).as(err.toString()).isZero();
  }

  private static void exercise(String base) throws Exception {
    for (int i = 0; i < 40; i++) {
      String body = "{\"eventId\":\"flood-" + i + "\",\"event\":\"ready\",\"path\":\"live/flood" + i + "/in\",\"streamId\":\"flood"
          + i + "\",\"query\":\"\",\"sourceType\":\"rtmpConn\",\"sourceId\":\"c" + i + "\",\"timestamp\":\""
          + java.time.Instant.now() + "\"}";
      assertThat(Http.post(base + "/v1/mediamtx/events/ready", "application/json", body).status()).isEqualTo(202);
    }
    JsonNode streams = JSON.readTree(Http.get(base + "/v1/streams").body()).path("streams");
    long withWorkers = 0;
    long limited = 0;
    for (JsonNode s : streams) {
      JsonNode worker = s.path("worker");
      String state = worker.path("workerState").asText();
      if (List.of("starting", "running", "reconnecting", "stopping").contains(state)) {
        withWorkers++;
      }
      if (worker.path("failedReason").asText().startsWith("worker limit reached")) {
        limited++;
      }
    }
    assertThat(streams).as("streams listed").hasSize(40);
    assertThat(withWorkers).as("workers after 40 readies for new ids").isLessThanOrEqualTo(3);
    assertThat(limited).as("streams told why they have none").isGreaterThanOrEqualTo(37);
    assertThat(Http.get(base + "/metrics").body()).contains("mtx_worker_limit_refusals_total 37.0");

    forAll(samples(0x66756c6cL, 200, r -> {
      String route = ROUTES.get(r.nextInt(ROUTES.size()));
      String tail = switch (r.nextInt(4)) {
        case 0 -> "";
        case 1 -> URLEncoder.encode(anyText(r, 30), StandardCharsets.UTF_8);
        case 2 -> "flood" + r.nextInt(50) + (r.nextBoolean() ? "/thumbnail.jpg" : "");
        default -> "?limit=" + URLEncoder.encode(anyText(r, 8), StandardCharsets.UTF_8);
      };
      return new String[] {route + tail, r.nextBoolean() ? "GET" : "POST", anyText(r, 200)};
    }, new String[] {"/v1/streams/flood1/thumbnail.jpg", "GET", ""}, new String[] {"/v1/streams/nobody", "GET", ""},
        new String[] {"/", "POST", "{}"}), request -> {
          Request.Builder b = new Request.Builder().url(base + request[0]);
          if (request[1].equals("POST")) {
            b.post(RequestBody.create(request[2].getBytes(StandardCharsets.UTF_8), MediaType.get("application/json")));
          }
          Http.Reply reply = Http.call(b.build());
          if (reply.status() == 503) {
            // documented: a stream without a worker, which MediaMTX (away) cannot be asked about
            assertThat(request[0]).as("503 " + reply.body()).startsWith("/v1/streams/");
          } else {
            assertThat(reply.status()).as(request[1] + " " + request[0] + ": " + reply.body()).isLessThan(500);
          }
        });
    assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
    assertThat(Http.get(base + "/metrics").body()).contains("mtx_");
  }
}
