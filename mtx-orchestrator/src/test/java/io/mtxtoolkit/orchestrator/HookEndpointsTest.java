package io.mtxtoolkit.orchestrator;

import static io.mtxtoolkit.orchestrator.RunningServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.http.Http.Reply;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HookEndpointsTest {
  private static final String READY = HookEventType.READY.endpointPath();
  private static final String NOT_READY = HookEventType.NOT_READY.endpointPath();
  private static final Instant RECEIVED = Instant.parse("2026-11-24T08:00:00Z");

  private RunningServer orch;

  @BeforeEach
  void start() {
    orch = RunningServer.start(200, Clock.fixed(RECEIVED, ZoneOffset.UTC), HookEventListener.NONE);
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  private static HookEvent event(HookEventType type, String id) {
    return new HookEvent("evt-" + id, type, StreamPath.in(StreamId.of(id)), "token=abc", "rtmpConn", "conn-" + id,
        Instant.parse("2026-11-24T07:59:59.5Z"));
  }

  private Reply send(HookEvent event) {
    return orch.postJson(event.type().endpointPath(), new String(HookEventJson.write(event), StandardCharsets.UTF_8));
  }

  @Test
  void acceptsReadyWithIdsEchoedAndHandsItToTheListener() {
    HookEvent sent = event(HookEventType.READY, "cam1");

    Reply reply = send(sent);

    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    assertThat(reply.contentType()).startsWith("application/json");
    JsonNode body = json(reply);
    assertThat(body.get("eventId").asText()).isEqualTo("evt-cam1");
    assertThat(body.get("event").asText()).isEqualTo("ready");
    assertThat(body.get("path").asText()).isEqualTo("live/cam1/in");
    assertThat(body.get("streamId").asText()).isEqualTo("cam1");
    assertThat(orch.heard).containsExactly(sent);
  }

  @Test
  void acceptsNotReadyWithOnlyAPath() {
    Reply reply = orch.postJson(NOT_READY, "{\"path\":\"live/cam2/in\"}");

    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    JsonNode body = json(reply);
    assertThat(body.get("event").asText()).isEqualTo("not-ready");
    assertThat(body.get("streamId").asText()).isEqualTo("cam2");
    assertThat(body.get("eventId").asText()).as("generated when absent").hasSize(36);
    assertThat(orch.heard).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(HookEventType.NOT_READY);
      assertThat(e.timestamp()).as("the server's clock fills in a missing timestamp").isEqualTo(RECEIVED);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json; charset=UTF-8", "Application/JSON", "application/json;charset=\"utf-8\""})
  void acceptsJsonWithUtf8Charset(String contentType) {
    Reply reply = Http.post(orch.url(READY), contentType, "{\"path\":\"live/a/in\"}");
    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
  }

  @Test
  void listsAcceptedEventsNewestLast() {
    send(event(HookEventType.READY, "one"));
    send(event(HookEventType.NOT_READY, "two"));

    Reply reply = Http.get(orch.url("/v1/events"));

    assertThat(reply.status()).isEqualTo(200);
    JsonNode events = json(reply);
    assertThat(events.isArray()).isTrue();
    assertThat(events).hasSize(2);
    JsonNode first = events.get(0);
    assertThat(fieldNames(first)).containsExactlyInAnyOrder("eventId", "event", "path", "streamId", "query",
        "sourceType", "sourceId", "timestamp", "receivedAt");
    assertThat(first.get("eventId").asText()).isEqualTo("evt-one");
    assertThat(first.get("event").asText()).isEqualTo("ready");
    assertThat(first.get("path").asText()).isEqualTo("live/one/in");
    assertThat(first.get("streamId").asText()).isEqualTo("one");
    assertThat(first.get("query").asText()).as("credentials masked").isEqualTo("token=***");
    assertThat(first.get("sourceType").asText()).isEqualTo("rtmpConn");
    assertThat(first.get("sourceId").asText()).isEqualTo("conn-one");
    assertThat(first.get("timestamp").asText()).isEqualTo("2026-11-24T07:59:59.500Z");
    assertThat(first.get("receivedAt").asText()).isEqualTo(RECEIVED.toString());
    assertThat(events.get(1).get("event").asText()).isEqualTo("not-ready");
  }

  @Test
  void limitReturnsTheNewest() {
    for (int i = 0; i < 5; i++) {
      send(event(HookEventType.READY, "s" + i));
    }

    JsonNode events = json(Http.get(orch.url("/v1/events?limit=2")));

    assertThat(events).extracting(e -> e.get("streamId").asText()).containsExactly("s3", "s4");
    assertThat(json(Http.get(orch.url("/v1/events?limit=200")))).hasSize(5);
    assertThat(json(Http.get(orch.url("/v1/events?limit=1")))).as("the smallest limit").singleElement()
        .extracting(e -> e.get("streamId").asText()).isEqualTo("s4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "201", "-1", "ten", ""})
  void rejectsALimitOutsideOneToN(String limit) {
    Reply reply = Http.get(orch.url("/v1/events?limit=" + limit));

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(json(reply).get("field").asText()).isEqualTo("limit");
    assertThat(json(reply).get("error").asText()).contains("1 to 200");
  }

  @Test
  void keepsOnlyTheConfiguredNumberOfEvents() {
    try (RunningServer small = RunningServer.start(3, Clock.systemUTC(), HookEventListener.NONE)) {
      for (int i = 0; i < 5; i++) {
        assertThat(small.postJson(READY, "{\"path\":\"live/k" + i + "/in\"}").status()).isEqualTo(202);
      }
      assertThat(json(Http.get(small.url("/v1/events")))).extracting(e -> e.get("streamId").asText())
          .containsExactly("k2", "k3", "k4");
      assertThat(small.server.events().total()).isEqualTo(5);
    }
  }

  @Test
  void appliesARepeatedEventIdOnce() {
    HookEvent sent = event(HookEventType.READY, "dup");

    assertThat(send(sent).status()).isEqualTo(202);
    Http.Reply again = send(sent);
    assertThat(again.status()).as("a redelivery is acknowledged").isEqualTo(202);
    assertThat(again.body()).contains("\"duplicate\":true");

    assertThat(json(Http.get(orch.url("/v1/events")))).extracting(e -> e.get("eventId").asText())
        .containsExactly("evt-dup");
    assertThat(orch.heard).hasSize(1);
  }

  @Test
  void anEventAnswered500IsAppliedWhenSentAgain() {
    AtomicInteger calls = new AtomicInteger();
    try (RunningServer failsOnce = RunningServer.start(200, Clock.fixed(RECEIVED, ZoneOffset.UTC), event -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("worker start failed");
      }
    })) {
      HookEvent sent = event(HookEventType.READY, "retry");
      String body = new String(HookEventJson.write(sent), StandardCharsets.UTF_8);

      assertThat(failsOnce.postJson(READY, body).status()).isEqualTo(500);
      Http.Reply again = failsOnce.postJson(READY, body);

      assertThat(again.status()).isEqualTo(202);
      assertThat(again.body()).as("applied, not taken for a repeat").doesNotContain("duplicate");
      assertThat(calls).hasValue(2);
      assertThat(failsOnce.postJson(READY, body).body()).as("once applied, a repeat").contains("\"duplicate\":true");
    }
  }

  @Test
  void anEventForANewStreamPastTheStreamLimitIs503AndAppliedWhenSentAgain() {
    AtomicInteger calls = new AtomicInteger();
    try (RunningServer full = RunningServer.start(200, Clock.fixed(RECEIVED, ZoneOffset.UTC), event -> {
      if (calls.incrementAndGet() == 1) {
        throw new io.mtxtoolkit.orchestrator.workers.StreamLimitReached("stream limit reached: 1000 streams are tracked");
      }
    })) {
      String body = new String(HookEventJson.write(event(HookEventType.READY, "onetoomany")), StandardCharsets.UTF_8);

      Http.Reply refused = full.postJson(READY, body);

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body()).contains("stream limit reached");
      assertThat(full.server.events().total()).as("nothing was taken").isZero();
      assertThat(full.postJson(READY, body).status()).as("sent again once there is room").isEqualTo(202);
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void aRedeliveryDuringAFailingFirstDeliveryIsApplied() throws Exception {
    CountDownLatch firstEntered = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicReference<Thread> first = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    ExecutorService senders = Executors.newFixedThreadPool(2);
    try (RunningServer slowFailure = RunningServer.start(200, Clock.fixed(RECEIVED, ZoneOffset.UTC), event -> {
      if (calls.incrementAndGet() == 1) {
        first.set(Thread.currentThread());
        firstEntered.countDown();
        awaitOrFail(releaseFirst, "the test to release the first delivery");
        throw new IllegalStateException("worker start failed");
      }
    })) {
      String body = new String(HookEventJson.write(event(HookEventType.READY, "racing")), StandardCharsets.UTF_8);
      Future<Reply> firstReply = senders.submit(() -> slowFailure.postJson(READY, body));
      awaitOrFail(firstEntered, "the first delivery to reach the listener");
      Future<Reply> redelivery = senders.submit(() -> slowFailure.postJson(READY, body));

      // the redelivery must wait for the first one's outcome: either it is seen blocked behind it, or it answered
      // early (the bug this guards against)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!redelivery.isDone() && !blockedBehind(first.get())) {
        assertThat(System.nanoTime()).as("the redelivery neither answered nor waited within 10 s").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(redelivery.isDone()).as("a redelivery answered while the first delivery was still being applied")
          .isFalse();
      releaseFirst.countDown();

      assertThat(firstReply.get(10, TimeUnit.SECONDS).status()).isEqualTo(500);
      Reply again = redelivery.get(10, TimeUnit.SECONDS);
      assertThat(again.status()).isEqualTo(202);
      assertThat(again.body()).as("applied, not taken for a repeat").doesNotContain("duplicate");
      assertThat(calls).hasValue(2);
    } finally {
      releaseFirst.countDown();
      senders.shutdownNow();
    }
  }

  private static void awaitOrFail(CountDownLatch latch, String what) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("waited 10 s for " + what).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** True when some thread is blocked on a monitor that {@code owner} holds. */
  private static boolean blockedBehind(Thread owner) {
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, false)) {
      if (info.getThreadState() == Thread.State.BLOCKED && info.getLockOwnerId() == owner.getId()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aTimestampOutside1970To9999Is400() {
    Reply reply = orch.postJson(READY, "{\"path\":\"live/t/in\",\"timestamp\":\"-1000000000-01-01T00:00:00Z\"}");
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.body()).contains("timestamp").contains("outside 1970..9999");
  }

  @Test
  void oneIdSentToReadyAndToNotReadyIsTwoEvents() {
    assertThat(send(event(HookEventType.READY, "same")).body()).doesNotContain("duplicate");
    assertThat(send(event(HookEventType.NOT_READY, "same")).body()).doesNotContain("duplicate");
    assertThat(orch.heard).hasSize(2);
  }

  @Test
  void oneIdSentForTwoStreamsIsTwoEvents() {
    // a sample body copied for another stream keeps its eventId: that stream's ready must not be taken for a repeat
    assertThat(orch.postJson(READY, "{\"eventId\":\"copied\",\"path\":\"live/first/in\"}").body()).doesNotContain("duplicate");
    assertThat(orch.postJson(READY, "{\"eventId\":\"copied\",\"path\":\"live/second/in\"}").body()).doesNotContain("duplicate");
    assertThat(orch.heard).extracting(e -> e.streamId().value()).containsExactly("first", "second");
  }

  @ParameterizedTest(name = "{0} -> 400 naming {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{nope|body|malformed JSON",
      "``|body|must be a JSON object",
      "[1,2]|body|must be a JSON object",
      "\"text\"|body|must be a JSON object",
      "{}|path|missing field path",
      "{\"path\":7}|path|must be a string, got number",
      "{\"path\":null}|path|missing field path",
      "{\"path\":\"live/x/out\"}|path|not an ingest path",
      "{\"path\":\"other/x/in\"}|path|is not of the form",
      "{\"path\":\"live/a b/in\"}|path|invalid stream id",
      "{\"path\":\"live//in\"}|path|invalid stream id",
      "{\"path\":\"live/a/in\",\"event\":\"not-ready\"}|event|sent to the ready endpoint",
      "{\"path\":\"live/a/in\",\"streamId\":\"b\"}|streamId|does not match path",
      "{\"path\":\"live/a/in\",\"eventId\":42}|eventId|must be a string",
      "{\"path\":\"live/a/in\",\"query\":{}}|query|must be a string, got object",
      "{\"path\":\"live/a/in\",\"timestamp\":\"yesterday\"}|timestamp|not an ISO-8601 instant",
      "{\"path\":\"live/a/in\"} garbage|body|malformed JSON",
      "{\"path\":\"live/a/in\",\"eventId\":\"a\\r\\nb\"}|eventId|invalid character"})
  void rejectsBadBodiesNamingTheField(String body, String field, String message) {
    Reply reply = orch.postJson(READY, body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.contentType()).startsWith("application/json");
    JsonNode error = json(reply);
    assertThat(error.get("field").asText()).isEqualTo(field);
    assertThat(error.get("error").asText()).contains(message);
    assertThat(orch.heard).isEmpty();
    assertThat(orch.server.events().total()).isZero();
  }

  @Test
  void rejectsABodyOver64KiBByContentLength() {
    Reply reply = orch.postJson(READY, padded(70 * 1024));

    assertThat(reply.status()).as(reply.body()).isEqualTo(413);
    assertThat(json(reply).get("error").asText()).contains("65536");
    assertStillServing();
  }

  @Test
  void rejectsAChunkedBodyOver64KiB() {
    byte[] body = padded(200 * 1024).getBytes(StandardCharsets.UTF_8);
    RequestBody chunked = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/json");
      }

      @Override
      public long contentLength() {
        return -1; // okhttp then sends Transfer-Encoding: chunked, no Content-Length
      }

      @Override
      public void writeTo(BufferedSink sink) throws java.io.IOException {
        for (int off = 0; off < body.length; off += 8192) {
          sink.write(body, off, Math.min(8192, body.length - off));
          sink.flush();
        }
      }
    };

    Reply reply = Http.call(new Request.Builder().url(orch.url(READY)).post(chunked).build());

    assertThat(reply.status()).as(reply.body()).isEqualTo(413);
    assertThat(json(reply).get("field").asText()).isEqualTo("body");
    assertStillServing();
  }

  @Test
  void acceptsABodyOfExactly64KiB() {
    Reply reply = orch.postJson(READY, padded(64 * 1024));
    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/json; charset=ISO-8859-1",
      "application/jsonx"})
  void rejectsOtherContentTypesWith415(String contentType) {
    Reply reply = Http.post(orch.url(READY), contentType, "{\"path\":\"live/a/in\"}");

    assertThat(reply.status()).as(reply.body()).isEqualTo(415);
    assertThat(json(reply).get("field").asText()).isEqualTo("Content-Type");
    assertThat(orch.heard).isEmpty();
  }

  @Test
  void rejectsAMissingContentTypeWith415() {
    RequestBody untyped = RequestBody.create("{\"path\":\"live/a/in\"}".getBytes(StandardCharsets.UTF_8), null);

    Reply reply = Http.call(new Request.Builder().url(orch.url(NOT_READY)).post(untyped).build());

    assertThat(reply.status()).as(reply.body()).isEqualTo(415);
    assertThat(json(reply).get("error").asText()).contains("missing Content-Type");
  }

  @Test
  void answers405ForAnotherMethodOnAKnownPath() {
    Reply get = Http.get(orch.url(READY));
    assertThat(get.status()).as(get.body()).isEqualTo(405);
    assertThat(json(get).get("error").asText()).contains("allowed: POST");

    Reply post = orch.postJson("/healthz", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.contentType()).startsWith("application/json");
  }

  @Test
  void answers404AsJsonForAnUnknownPath() {
    Reply reply = Http.get(orch.url("/v1/nope"));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.contentType()).startsWith("application/json");
    assertThat(json(reply).get("error").asText()).contains("/v1/nope");
    assertThat(orch.postJson("/v1/mediamtx/events/other", "{}").status()).isEqualTo(404);
  }

  @Test
  void answersHealthz() {
    Reply reply = Http.get(orch.url("/healthz"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(json(reply).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void answersOversizedHeadersWithJsonFromJetty() {
    Request request = new Request.Builder().url(orch.url("/healthz")).header("X-Padding", "x".repeat(20_000)).build();

    Reply reply = Http.call(request);

    assertThat(reply.status()).isEqualTo(431);
    assertThat(reply.contentType()).startsWith("application/json");
    assertThat(json(reply).get("error").asText()).isNotBlank();
    assertStillServing();
  }

  @Test
  void keepsServingAfterBadRequests() {
    List<Integer> statuses = new ArrayList<>();
    statuses.add(orch.postJson(READY, "{").status());
    statuses.add(Http.post(orch.url(READY), "text/plain", "x").status());
    statuses.add(orch.postJson(READY, padded(100 * 1024)).status());
    statuses.add(Http.get(orch.url(NOT_READY)).status());
    assertThat(statuses).containsExactly(400, 415, 413, 405);

    assertThat(send(event(HookEventType.READY, "after")).status()).isEqualTo(202);
    assertThat(orch.heard).extracting(HookEvent::eventId).containsExactly("evt-after");
  }

  @Test
  void answers500AsJsonWhenTheListenerFailsAndKeepsServing() {
    Iterator<Boolean> failFirst = List.of(true, false).iterator();
    try (RunningServer failing = RunningServer.start(10, Clock.systemUTC(), event -> {
      if (failFirst.next()) {
        throw new IllegalStateException("worker lifecycle broke");
      }
    })) {
      Reply reply = failing.postJson(READY, "{\"path\":\"live/boom/in\"}");

      assertThat(reply.status()).isEqualTo(500);
      assertThat(json(reply).get("error").asText()).doesNotContain("worker lifecycle broke").contains("internal error");
      assertThat(failing.postJson(READY, "{\"path\":\"live/fine/in\"}").status()).isEqualTo(202);
      assertThat(failing.server.events().total()).as("only the accepted one is listed: the 500 accepted nothing")
          .isEqualTo(1);
    }
  }

  private void assertStillServing() {
    assertThat(Http.get(orch.url("/healthz")).status()).as("server still answers").isEqualTo(200);
  }

  /** A valid payload padded with an ignored property to exactly {@code size} bytes. */
  private static String padded(int size) {
    String head = "{\"path\":\"live/big/in\",\"pad\":\"";
    String tail = "\"}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
