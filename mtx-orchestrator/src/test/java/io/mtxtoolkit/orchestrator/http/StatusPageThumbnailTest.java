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

  /**
   * {@link #pageOfNothing}, but each read first waits (up to 10 s) for {@code release}: a slow source, whose decode
   * holds its slot meanwhile.
   */
  private StatusPage slowPage(CountDownLatch release) {
    return new StatusPage(path -> {
      asked.add(path.name());
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return nowhere + path.name();
    }, 8888, 8889);
  }

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
    StatusPage page = slowPage(release);
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

  /** A large picture comes back scaled to at most 640 px wide, with the colours javacv's own decode gives. */
  @Test
  void theThumbnailIsTheFirstPictureScaledDown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path clip = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("wide.flv"), 0, 5, false, 1280, 720);
    byte[] jpeg = new StatusPage(path -> clip.toString(), 8888, 8889).thumbnail(StreamId.of("wide"));
    java.awt.image.BufferedImage thumb = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
    assertThat(thumb.getWidth()).isEqualTo(ThumbnailGrab.MAX_WIDTH);
    assertThat(thumb.getHeight()).isEqualTo(360);
    java.awt.image.BufferedImage reference;
    try (org.bytedeco.javacv.FFmpegFrameGrabber grabber = new org.bytedeco.javacv.FFmpegFrameGrabber(clip.toFile());
         org.bytedeco.javacv.Java2DFrameConverter converter = new org.bytedeco.javacv.Java2DFrameConverter()) {
      grabber.start();
      reference = converter.convert(grabber.grabImage());
    }
    java.awt.image.BufferedImage scaled = new java.awt.image.BufferedImage(thumb.getWidth(), thumb.getHeight(),
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(reference, 0, 0, thumb.getWidth(), thumb.getHeight(), null);
    g.dispose();
    assertThat(difference(thumb, scaled, false)).as("mean difference per channel from javacv's decode").isLessThan(12.0);
    assertThat(difference(thumb, scaled, true)).as("red and blue swapped would show").isGreaterThan(20.0);
  }

  /** Mean absolute difference per channel, with {@code b}'s red and blue swapped if asked. */
  private static double difference(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b, boolean swap) {
    double sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        int qr = swap ? q & 0xff : (q >> 16) & 0xff;
        int qb = swap ? (q >> 16) & 0xff : q & 0xff;
        sum += Math.abs(((p >> 16) & 0xff) - qr) + Math.abs(((p >> 8) & 0xff) - ((q >> 8) & 0xff)) + Math.abs((p & 0xff) - qb);
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  /**
   * A server that answers a byte at a time and never finishes (a hung MediaMTX): no socket timeout ever fires, and
   * only the grab's own deadline ends it; javacv's grabber waited as long as the bytes came.
   */
  @Test
  void aServerThatNeverFinishesItsAnswerIsGivenUpOnAtTheBudget() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         FakeServer trickle = trickle(server)) {
      Duration took = timedMiss(server, "rtsp");
      assertThat(trickle.count.get()).as("the server was reached").isPositive();
      assertThat(took).as("ended by the deadline, not by FFmpeg's timeouts").isLessThan(StatusPage.GRAB_BUDGET.plusSeconds(1));
    }
  }

  /**
   * Packets that never decode (garbage after the header), arriving in real time for 30 s: the grab gives up at its
   * budget. javacv's frame loop read on through them for as long as they came.
   */
  @Test
  void undecodablePicturesArrivingLiveDoNotHoldTheGrabPastItsBudget() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         FakeServer feed = garbageFlv(server)) {
      Duration took = timedMiss(server, "http");
      assertThat(feed.count.get()).as("packets were flowing").isGreaterThan(10);
      assertThat(took).as("ended by the budget while packets still came").isLessThan(StatusPage.GRAB_BUDGET.plusSeconds(1));
    }
  }

  /** How long a thumbnail read from {@code server} over {@code scheme} took to find no picture. */
  private static Duration timedMiss(java.net.ServerSocket server, String scheme) {
    StatusPage page = new StatusPage(path -> scheme + "://127.0.0.1:" + server.getLocalPort() + "/" + path.name(), 8888, 8889);
    long start = System.nanoTime();
    assertThat(page.thumbnail(StreamId.of("late"))).isNull();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Two pages (or a refresh over a slow grab) asking for one stream: one grab, not both slots. */
  @Test
  void aSecondRequestForAStreamBeingGrabbedStartsNoOtherGrab() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    StatusPage page = slowPage(release);
    CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> page.thumbnail(StreamId.of("a")));
    await("the first grab under way").atMost(Duration.ofSeconds(5)).until(() -> asked.size() == 1);
    assertThatThrownBy(() -> page.thumbnail(StreamId.of("a"))).isInstanceOfSatisfying(RequestRejected.class, e -> {
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.routine()).as("a page polling: no warning").isTrue();
    }).hasMessageContaining("being taken");
    assertThat(asked).as("no second grab of a").containsExactly("live/a/out");
    CompletableFuture<byte[]> other = CompletableFuture.supplyAsync(() -> page.thumbnail(StreamId.of("b")));
    await("another stream still has a slot").atMost(Duration.ofSeconds(5)).until(() -> asked.contains("live/b/out"));
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(other.get(10, TimeUnit.SECONDS)).isNull();
  }

  /** The page asks for every listed stream every few seconds: "no picture" is answered 404 without a WARN line. */
  @Test
  void noPictureIsAnsweredWithoutAWarning() throws Exception {
    StatusPage page = pageOfNothing();
    io.mtxtoolkit.orchestrator.OrchestratorServer server = new io.mtxtoolkit.orchestrator.OrchestratorServer(
        io.mtxtoolkit.orchestrator.config.OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        io.mtxtoolkit.orchestrator.events.HookEventListener.NONE, java.time.Clock.systemUTC(), page::register);
    int port = server.start();
    try {
      int[] status = new int[1];
      var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during(ErrorResponses.class.getName(),
          ch.qos.logback.classic.Level.DEBUG,
          () -> status[0] = io.mtxtoolkit.testkit.http.Http.get("http://127.0.0.1:" + port + "/v1/streams/dark/thumbnail.jpg").status());
      assertThat(status[0]).isEqualTo(404);
      assertThat(lines).singleElement().satisfies(line -> {
        assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
        assertThat(line.getFormattedMessage()).contains("no picture");
      });
    } finally {
      server.stop();
    }
  }

  /** A loopback server whose connections {@code serve} answers on a thread of its own; closing it ends them. */
  private static final class FakeServer implements AutoCloseable {
    final java.net.ServerSocket server;
    /** What the server counts: connections taken, tags sent. */
    final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;

    FakeServer(java.net.ServerSocket server, String name, java.util.function.Consumer<FakeServer> serve) {
      this.server = server;
      this.thread = new Thread(() -> serve.accept(this), name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws Exception {
      server.close();
      thread.join(5000);
    }
  }

  /** Takes connections and answers each with one byte every 300 ms for 30 s: a reply that never ends. */
  private static FakeServer trickle(java.net.ServerSocket listening) {
    return new FakeServer(listening, "trickle-server", f -> {
      java.net.ServerSocket server = f.server;
      java.util.concurrent.atomic.AtomicInteger count = f.count;
      while (!server.isClosed()) {
        try {
          java.net.Socket s = server.accept();
          count.incrementAndGet();
          Thread writer = new Thread(() -> {
            try (s; java.io.OutputStream out = s.getOutputStream()) {
              for (int i = 0; i < 100 && !server.isClosed(); i++) {
                out.write('R');
                out.flush();
                Thread.sleep(300);
              }
            } catch (java.io.IOException | InterruptedException e) {
              // the reader gave up
            }
          }, "trickle");
          writer.setDaemon(true);
          writer.start();
        } catch (java.io.IOException e) {
          return;
        }
      }
    });
  }

  /** An HTTP FLV stream whose H.264 packets are garbage (a forbidden NAL header), one every 40 ms for up to 30 s. */
  private static FakeServer garbageFlv(java.net.ServerSocket listening) {
    return new FakeServer(listening, "garbage-flv", f -> {
      java.net.ServerSocket server = f.server;
      java.util.concurrent.atomic.AtomicInteger count = f.count;
      try (java.net.Socket s = server.accept(); java.io.OutputStream out = s.getOutputStream()) {
        out.write("HTTP/1.0 200 OK\r\nContent-Type: video/x-flv\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(new byte[] {'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0}); // video only, then PreviousTagSize0
        byte[] nal = new byte[200];
        java.util.Arrays.fill(nal, (byte) 0xff);
        for (int i = 0; i < 750 && !server.isClosed(); i++) {
          java.io.ByteArrayOutputStream tag = new java.io.ByteArrayOutputStream();
          int size = 5 + 4 + nal.length; // AVC keyframe NALU packet: header, composition time, one length-prefixed NAL
          int ms = i * 40;
          tag.write(new byte[] {9, (byte) (size >> 16), (byte) (size >> 8), (byte) size,
              (byte) (ms >> 16), (byte) (ms >> 8), (byte) ms, (byte) (ms >> 24), 0, 0, 0});
          tag.write(new byte[] {0x17, 1, 0, 0, 0, 0, 0, 0, (byte) nal.length});
          tag.write(nal);
          int total = 11 + size;
          tag.write(new byte[] {(byte) (total >> 24), (byte) (total >> 16), (byte) (total >> 8), (byte) total});
          out.write(tag.toByteArray());
          out.flush();
          count.incrementAndGet();
          Thread.sleep(40); // a live source's pace: the point is that packets keep arriving
        }
      } catch (java.io.IOException | InterruptedException e) {
        // the reader gave up, or the test closed the server
      }
    });
  }
}
