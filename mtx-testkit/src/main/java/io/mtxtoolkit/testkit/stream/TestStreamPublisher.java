package io.mtxtoolkit.testkit.stream;

import io.mtxtoolkit.testkit.stream.TestStreamPublisher.PublishException.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FFmpegLogCallback;

/**
 * Publishes a live H.264 + AAC test pattern to an RTMP or RTSP URL, paced to the wall clock, on its
 * own thread. {@link #start} returns once the server accepted the publisher, or throws why not.
 */
public final class TestStreamPublisher implements AutoCloseable {
  private final URI url;
  private final TestStreamOptions options;
  private final AtomicLong frames = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile boolean paused;
  private final boolean listen;
  private Thread thread;

  private final Duration wait;

  private TestStreamPublisher(URI url, TestStreamOptions options, boolean listen, Duration wait) {
    this.url = url;
    this.options = options;
    this.listen = listen;
    this.wait = wait;
  }

  /** Connects and starts publishing; throws {@link PublishException} if the server cannot be reached or refuses. */
  public static TestStreamPublisher start(String url, TestStreamOptions options) {
    return launch(url, options, false, Duration.ofSeconds(15));
  }

  /**
   * Serves the stream as an RTMP server (FFmpeg's listen mode) to the first reader that connects;
   * returns once a reader connected, for testing readers without a media server.
   */
  public static TestStreamPublisher serve(String rtmpUrl, TestStreamOptions options, Duration waitForReader) {
    return launch(rtmpUrl, options, true, waitForReader);
  }

  private static TestStreamPublisher launch(String url, TestStreamOptions options, boolean listen, Duration wait) {
    URI uri = parse(url);
    TestStreamPublisher publisher = new TestStreamPublisher(uri, options, listen, wait);
    FFmpegNatives.load();
    publisher.thread = new Thread(publisher::run, "test-publisher " + uri.getPath());
    publisher.thread.setDaemon(true);
    publisher.thread.start();
    try {
      if (!publisher.started.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        publisher.close();
        throw new PublishException(Reason.UNREACHABLE, (listen ? "no reader connected to " : "no answer from ") + url
            + " within " + wait.toSeconds() + " s", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      publisher.close();
      throw new PublishException(Reason.BROKEN_OFF, "interrupted while connecting to " + url, e);
    }
    Throwable error = publisher.failure.get();
    if (error != null) {
      throw error instanceof PublishException pe ? pe : new PublishException(Reason.BROKEN_OFF, error.getMessage(), error);
    }
    return publisher;
  }

  /** How long a publisher's connection waits on a silent server, in each of FFmpeg's socket waits. */
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
  static final String SOCKET_TIMEOUT_MICROS = String.valueOf(SOCKET_TIMEOUT.toNanos() / 1000);

  static URI parse(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new PublishException(Reason.INVALID_URL, "invalid URL " + url + ": " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("rtmp") || scheme.equals("rtsp")) || host(uri) == null) {
      throw new PublishException(Reason.INVALID_URL,
          "invalid URL " + url + ": expected rtmp://host[:port]/path or rtsp://host[:port]/path", null);
    }
    if (port(uri) == 0 || port(uri) > 65535) { // URI takes any number; FFmpeg would only say "Port missing"
      throw new PublishException(Reason.INVALID_URL, "invalid URL " + url + ": port " + port(uri) + " is outside 1..65535", null);
    }
    return uri;
  }

  /**
   * host[:port] of an authority {@link URI} cannot take as a server's: a name with '_' (Docker Compose's service
   * names, which FFmpeg and the resolver take).
   */
  private static final java.util.regex.Pattern AUTHORITY =
      java.util.regex.Pattern.compile("(?:[^@/]*@)?([A-Za-z0-9._-]+)(?::(\\d{1,9}))?");

  /** The URL's host, or null when it has none. */
  static String host(URI uri) {
    if (uri.getHost() != null) {
      return uri.getHost();
    }
    java.util.regex.Matcher m = uri.getRawAuthority() == null ? null : AUTHORITY.matcher(uri.getRawAuthority());
    return m != null && m.matches() ? m.group(1) : null;
  }

  /** The URL's port, or -1 when it names none. */
  static int port(URI uri) {
    if (uri.getHost() != null || uri.getRawAuthority() == null) {
      return uri.getPort();
    }
    java.util.regex.Matcher m = AUTHORITY.matcher(uri.getRawAuthority());
    return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : -1;
  }

  private void run() {
    try {
      publish();
    } catch (Throwable e) {
      // an Error (out of memory for a large --size) where only exceptions were looked for: reported, never a silent end
      if (!stopRequested) {
        failure.compareAndSet(null, new PublishException(Reason.BROKEN_OFF, (started.getCount() > 0 ? "cannot start publishing to "
            : "publishing to ") + url + " failed after " + frames.get() + " frames: " + e, e));
      }
    } finally {
      started.countDown();
      finished.countDown();
    }
  }

  private void publish() {
    FFmpegLogCallback.setLevel(avutil.AV_LOG_ERROR);
    TestPattern pattern = new TestPattern(options.width(), options.height(), options.sampleRate(), 1000);
    FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(url.toString(), options.width(), options.height(), 1);
    long starting = System.nanoTime();
    try {
      configure(recorder);
      // startUnsafe: start() holds javacv's process-wide codec lock during the whole connect (in listen
      // mode: until a reader arrives), which deadlocks any grabber closing in the same JVM meanwhile.
      // FFmpeg's codec opening has been thread-safe since 4.0, so the lock is not needed.
      recorder.startUnsafe();
    } catch (Exception | LinkageError e) {
      failure.set(listen ? new PublishException(Reason.UNREACHABLE, "cannot serve " + url + ": " + e.getMessage(), e)
          : PublishException.cannotStart(url, e, Duration.ofNanos(System.nanoTime() - starting)));
      try {
        recorder.release(); // startUnsafe leaves the encoders it opened (and x264's threads) to the caller
      } catch (Exception | LinkageError ignored) {
        // the start's failure is the one reported
      }
      started.countDown();
      return;
    }
    started.countDown();
    int fps = options.fps();
    long startNanos = System.nanoTime();
    long endNanos = options.duration() == null ? Long.MAX_VALUE : options.duration().toNanos();
    try {
      // Frame n is due at n/fps s, in nanoseconds: whole microseconds per frame (33333 at 30 fps) would
      // round two frames onto one time after some minutes.
      for (long n = 0; !stopRequested && n * 1_000_000_000L / fps < endNanos; n++) {
        long due = startNanos + n * 1_000_000_000L / fps;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          // Pacing to the wall clock: a live source produces one frame per frame interval.
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (paused) {
          // A stalled source: the connection stays open, nothing is sent.
          continue;
        }
        recorder.setFrameNumber((int) n); // the video time base is 1/fps: frame n has pts n exactly
        var frame = pattern.videoFrame(n);
        if (options.timecode()) {
          Timecode.write(frame, System.currentTimeMillis());
        }
        recorder.record(frame, avutil.AV_PIX_FMT_BGR24);
        recorder.recordSamples(options.sampleRate(), 1, pattern.audioForFrame(options.fps()));
        frames.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!stopRequested) {
        failure.set(new PublishException(Reason.BROKEN_OFF,
            "publishing to " + url + " failed after " + frames.get() + " frames: " + e.getMessage(), e));
      }
    } finally {
      try {
        recorder.close();
      } catch (Exception e) {
        failure.compareAndSet(null, e);
      }
      // finished is counted down by run(), after an Error is recorded: a waiter must never see the end first
    }
  }

  private void configure(FFmpegFrameRecorder recorder) {
    if (url.getScheme().equals("rtsp")) {
      recorder.setFormat("rtsp");
      recorder.setOption("rtsp_transport", "tcp");
    } else {
      recorder.setFormat("flv");
      if (listen) {
        recorder.setOption("listen", "1");
        // seconds for the listen wait; 0 would wait for ever after start() has given up
        recorder.setOption("timeout", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
      }
    }
    recorder.setOption("rw_timeout", SOCKET_TIMEOUT_MICROS);
    if (url.getScheme().equals("rtsp")) {
      recorder.setOption("timeout", SOCKET_TIMEOUT_MICROS); // the RTSP muxer's socket I/O bound; rw_timeout does not reach it
    }
    recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
    recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
    recorder.setFrameRate(options.fps());
    recorder.setGopSize(options.gopSize());
    recorder.setVideoBitrate(options.videoBitrate());
    recorder.setVideoOption("preset", "ultrafast");
    recorder.setVideoOption("tune", "zerolatency");
    recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
    recorder.setAudioChannels(1);
    recorder.setSampleRate(options.sampleRate());
    recorder.setAudioBitrate(options.audioBitrate());
  }

  /** Stops sending frames while keeping the connection open (a stalled source), or resumes. */
  public void pause(boolean pause) {
    this.paused = pause;
  }

  /** Frames published so far. */
  public long frames() {
    return frames.get();
  }

  /** True while the publishing thread runs. */
  public boolean isRunning() {
    return finished.getCount() > 0;
  }

  /** The error that ended publishing, if any. */
  public Throwable failure() {
    return failure.get();
  }

  /** Blocks until a {@code --duration}-bounded stream ends; returns false on timeout. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops publishing and closes the connection (the server sees the publisher leave). */
  @Override
  public void close() {
    stopRequested = true;
    if (thread != null) {
      thread.interrupt();
      try {
        finished.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Publishing could not start or broke off; {@link #reason()} says which way. */
  public static final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int PROBE_TIMEOUT_MS = 2000;

    /** What went wrong, each with its own exit code in {@code mtx-testkit}. */
    public enum Reason {
      /** Not an rtmp:// or rtsp:// URL with a host. */
      INVALID_URL,
      /** Nothing answers at the URL's host and port. */
      UNREACHABLE,
      /** The server answers on its port but ended the session, e.g. for a path it does not accept. */
      REJECTED,
      /** Publishing had started and then failed. */
      BROKEN_OFF
    }

    private final Reason reason;

    public PublishException(Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }

    /**
     * For a publish that failed to start: FFmpeg's error does not say whether the server was there, so a
     * plain TCP connect to the same port tells a refusal (REJECTED) from a missing server (UNREACHABLE).
     */
    /** AVERROR(ETIMEDOUT), as javacv's messages quote it ("error -110: …"). */
    private static final int AVERROR_TIMEDOUT = -110;
    /** AVERROR_INVALIDDATA ("Invalid data found when processing input"). */
    private static final int AVERROR_INVALIDDATA = -1094995529;

    static PublishException cannotStart(URI url, Throwable error, Duration took) {
      int port = port(url) > 0 ? port(url) : "rtsp".equals(url.getScheme()) ? 554 : 1935;
      // FFmpeg's RTSP muxer reports a server that never answered as invalid data, after its socket timeout (RTMP says
      // ETIMEDOUT itself); a refusal after a slow answer is invalid data too, but comes before that timeout
      boolean waitedOut = "rtsp".equals(url.getScheme()) && took.compareTo(SOCKET_TIMEOUT.minusMillis(500)) >= 0
          && String.valueOf(error.getMessage()).contains("error " + AVERROR_INVALIDDATA + ":");
      if (waitedOut || String.valueOf(error.getMessage()).contains("error " + AVERROR_TIMEDOUT + ":")) {
        // it accepted the connection and never answered: no server of ours listens there, none refused anything
        return new PublishException(Reason.UNREACHABLE, "no answer from " + url + ": port " + port
            + " accepts connections but nothing there speaks " + url.getScheme().toUpperCase(java.util.Locale.ROOT), error);
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(host(url), port), PROBE_TIMEOUT_MS);
      } catch (IOException | IllegalArgumentException notThere) {
        return new PublishException(Reason.UNREACHABLE, "cannot publish to " + url + ": " + error.getMessage(), error);
      }
      return new PublishException(Reason.REJECTED, url + " refused the stream: the server answers on port " + port
          + " but ended the session (a path it does not accept?): " + error.getMessage(), error);
    }
  }
}
