package io.mtxtoolkit.orchestrator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the thumbnail endpoint bounds its work: cached misses, a cap on decodes at once, FFmpeg's lines tied to the stream. */
class StatusPageThumbnailTest {
  /** Nothing listens here: every grab fails at once with "connection refused". */
  private final String nowhere = "rtsp://127.0.0.1:" + FreePorts.tcp() + "/";
  private final List<String> asked = new CopyOnWriteArrayList<>();

  /** A page whose every stream is read from a port nobody listens on; each path it reads is noted in {@link #asked}. */
  private StatusPage pageOfNothing() {
    return new StatusPage(path -> {
      asked.add(path.name());
      return nowhere + path.name();
    }, 8888, 8889);
  }

  @Test
  void aStreamWithNoPictureIsNotAskedAgainWhileTheMissIsFresh() {
    StatusPage page = pageOfNothing();
    StreamId id = StreamId.of("dark");
    assertThat(page.thumbnail(id)).isNull();
    assertThat(asked).containsExactly("live/dark/out", "live/dark/in");
    assertThat(page.thumbnail(id)).isNull();
    assertThat(asked).as("the miss is cached like a picture").hasSize(2);
  }

  @Test
  void missesInARowAreRetriedLessOftenUpTo30s() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    StatusPage page = pageOfNothing().clock(nanos::get);
    StreamId id = StreamId.of("gone");
    java.util.List<Integer> grabsAt = new java.util.ArrayList<>();
    for (int second = 0; second <= 120; second++) {
      nanos.set(Duration.ofSeconds(second).toNanos());
      int before = asked.size();
      page.thumbnail(id);
      if (asked.size() > before) {
        grabsAt.add(second);
      }
    }
    assertThat(grabsAt).as("3 s, then doubling for each miss in a row, at most 30 s").containsExactly(0, 3, 9, 21, 45, 75, 105);
  }

  @Test
  void anotherStreamsGrabDoesNotResetABackOff() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    StatusPage page = pageOfNothing().clock(nanos::get);
    StreamId gone = StreamId.of("gone");
    for (int second = 0; second <= 75; second++) { // misses at 0, 3, 9, 21, 45 and 75 s: now at the 30 s step
      nanos.set(Duration.ofSeconds(second).toNanos());
      page.thumbnail(gone);
    }
    nanos.set(Duration.ofSeconds(106).toNanos());
    page.thumbnail(StreamId.of("other")); // a grab tidies the cache of streams nobody asks for
    int before = asked.size();
    page.thumbnail(gone);
    assertThat(asked).as("30 s on: tried again").hasSizeGreaterThan(before);

    nanos.set(Duration.ofSeconds(110).toNanos());
    before = asked.size();
    page.thumbnail(gone);
    assertThat(asked).as("still at the 30 s step, not back to 3 s").hasSize(before);
  }

  /** A grab that misses (a hiccup) keeps the last picture while it is recent: 30 s; then the stream shows none. */
  @Test
  void aMissKeepsTheLastPictureWhileItIsRecent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path clip = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("clip.flv"), 0, 25, false);
    java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    StatusPage page = new StatusPage(path -> up.get() ? clip.toString() : nowhere + path.name(), 8888, 8889)
        .clock(nanos::get);
    StreamId id = StreamId.of("hiccup");
    byte[] picture = page.thumbnail(id);
    assertThat(picture).isNotEmpty();

    up.set(false);
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(page.thumbnail(id)).as("missed, but the picture of 4 s ago stands in").isEqualTo(picture);
    nanos.addAndGet(Duration.ofSeconds(27).toNanos());
    assertThat(page.thumbnail(id)).as("31 s old: no picture any more").isNull();
  }

  @Test
  void pastTwoDecodesAtOnceTheNextRequestIsToldToComeBack() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    StatusPage page = new StatusPage(path -> {
      asked.add(path.name());
      try {
        release.await(10, TimeUnit.SECONDS); // a slow source: the decode holds its slot
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return nowhere + path.name();
    }, 8888, 8889);
    CompletableFuture<byte[]> a = CompletableFuture.supplyAsync(() -> page.thumbnail(StreamId.of("a")));
    CompletableFuture<byte[]> b = CompletableFuture.supplyAsync(() -> page.thumbnail(StreamId.of("b")));
    await("two decodes under way").atMost(Duration.ofSeconds(5)).until(() -> asked.size() == 2);

    assertThatThrownBy(() -> page.thumbnail(StreamId.of("c"))).isInstanceOfSatisfying(RequestRejected.class,
        e -> assertThat(e.status()).isEqualTo(503)).hasMessageContaining("busy");
    io.mtxtoolkit.orchestrator.OrchestratorServer server = new io.mtxtoolkit.orchestrator.OrchestratorServer(
        io.mtxtoolkit.orchestrator.config.OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        io.mtxtoolkit.orchestrator.events.HookEventListener.NONE, java.time.Clock.systemUTC(), page::register);
    int port = server.start();
    try {
      java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(
          "http://127.0.0.1:" + port + "/v1/streams/c/thumbnail.jpg").toURL().openConnection();
      assertThat(c.getResponseCode()).isEqualTo(503);
      assertThat(c.getHeaderField("Retry-After")).isEqualTo("1");
      assertThat(new String(c.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("busy");
    } finally {
      server.stop();
    }

    release.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(b.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(page.thumbnail(StreamId.of("c"))).as("a slot is free again").isNull();
    assertThat(asked).contains("live/c/out", "live/c/in");
  }

  @Test
  void ffmpegsComplaintsDuringAGrabCarryTheStreamAtDebugLevel() throws Exception {
    var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during("ffmpeg", ch.qos.logback.classic.Level.DEBUG,
        () -> new StatusPage(path -> nowhere + path.name(), 8888, 8889).thumbnail(StreamId.of("cam9")));
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.getMDCPropertyMap())
        .containsEntry("streamId", "cam9").containsKey("path").containsEntry("purpose", "thumbnail"));
    assertThat(lines).as("a page asking for a stream without /out is no error of the service")
        .allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG));
    assertThat(lines).extracting(line -> line.getMDCPropertyMap().get("path"))
        .contains(StreamPath.out(StreamId.of("cam9")).name(), StreamPath.in(StreamId.of("cam9")).name());
  }
}
