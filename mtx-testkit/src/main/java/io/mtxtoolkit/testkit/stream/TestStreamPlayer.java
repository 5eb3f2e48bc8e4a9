package io.mtxtoolkit.testkit.stream;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegLogCallback;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Reads a stream (RTSP over TCP, or RTMP) for a while and reports what arrived; see {@link PlayReport}. */
public final class TestStreamPlayer {
  private TestStreamPlayer() {}

  /** The snapshot could not be written. */
  public static final class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SnapshotException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** No media within the timeout, or the URL could not be opened. */
  public static final class NoMediaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoMediaException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Plays {@code url} for {@code duration} (or until {@code maxVideoFrames}), failing when it has not opened within
   * {@code timeout} or its media stops for that long; writes the first decoded picture to {@code snapshot} when given.
   * A server's answer ends the wait at once: a path nobody publishes (RTSP 404) is a {@link NoMediaException}, so a
   * caller that has just started a publisher waits for its path first ({@code MediaMtxServer.awaitReady}).
   *
   * @throws NoMediaException nothing to read: no answer, no stream there, or the connection lost
   * @throws TestStreamPublisher.PublishException an invalid URL ({@code INVALID_URL}), or an RTSP server's refusal
   *     (401, 403, 400: {@code REJECTED})
   * @throws SnapshotException the snapshot could not be written
   */
  public static PlayReport play(String url, Duration duration, long maxVideoFrames, Duration timeout, Path snapshot) {
    return play(url, duration, maxVideoFrames, timeout, snapshot, () -> false);
  }

  /**
   * Like {@link #play(String, Duration, long, Duration, Path)}, but ends early once {@code stopRequested} says so
   * (Ctrl-C) and returns the report of what arrived until then, however little; a stop before the server answered
   * is a {@link NoMediaException}.
   */
  public static PlayReport play(String url, Duration duration, long maxVideoFrames, Duration timeout, Path snapshot,
                                BooleanSupplier stopRequested) {
    return read(url, false, duration, maxVideoFrames, timeout, snapshot, warmUpFor(duration), stopRequested);
  }

  /**
   * A reader's warm-up: FFmpeg holds back the frames it read while probing the stream, then hands them over in a
   * burst, old, and faster than real time; 1 s leaves them out of latency and frame rate (half a shorter read).
   */
  static Duration warmUpFor(Duration duration) {
    Duration half = duration.dividedBy(2);
    return half.compareTo(Duration.ofSeconds(1)) < 0 ? half : Duration.ofSeconds(1);
  }

  /**
   * Like {@link #play}, but as an RTMP server (FFmpeg's listen mode) on {@code rtmpUrl}, for the one
   * publisher that connects within {@code timeout}: a reader at the end of a chain without a media server.
   * Latency counts only frames decoded after {@code warmUp}: frames buffered while each hop probed its
   * input arrive in a burst at the start and say nothing about the steady state.
   */
  public static PlayReport listen(String rtmpUrl, Duration duration, long maxVideoFrames, Duration timeout, Duration warmUp) {
    return read(rtmpUrl, true, duration, maxVideoFrames, timeout, null, warmUp, () -> false);
  }

  private static PlayReport read(String url, boolean listen, Duration duration, long maxVideoFrames, Duration timeout,
                                 Path snapshot, Duration warmUp, BooleanSupplier stopRequested) {
    TestStreamPublisher.parse(url);
    FFmpegNatives.load(); // before the opening thread: see FFmpegNatives
    FFmpegLogCallback.setLevel(avutil.AV_LOG_ERROR);
    FFmpegFrameGrabber opened = new FFmpegFrameGrabber(url);
    String micros = String.valueOf(timeout.toNanos() / 1000);
    if (listen) {
      opened.setFormat("flv");
      opened.setOption("listen", "1");
      opened.setOption("timeout", String.valueOf(Math.max(1, timeout.toSeconds())));
      opened.setOption("rw_timeout", micros);
    } else if (url.startsWith("rtsp:")) {
      opened.setOption("rtsp_transport", "tcp");
      opened.setOption("timeout", micros);
    } else {
      opened.setOption("rw_timeout", micros);
    }
    try {
      if (listen) {
        opened.startUnsafe(); // FFmpeg's listen timeout bounds the wait for the publisher; its probe follows
      } else {
        new Opening(opened).await(url, timeout, stopRequested);
      }
    } catch (FFmpegFrameGrabber.Exception e) {
      if (listen) { // an Opening has released its grabber; a publisher whose probe failed here must see its connection end
        Opening.release(opened);
      }
      throw listen ? new NoMediaException("cannot read " + url + ": " + e.getMessage(), e) : cannotOpen(url, e);
    }
    try (FFmpegFrameGrabber grabber = opened) {
      double nominal = grabber.getFrameRate();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long video = 0;
      long videoAfterWarmUp = 0;
      long warmedAt = 0;
      long audio = 0;
      int gaps = 0;
      long lastTs = Long.MIN_VALUE;
      long firstTs = Long.MIN_VALUE;
      long timecoded = 0;
      LatencyHistogram latencies = new LatencyHistogram();
      boolean snapped = snapshot == null;
      String lost = null;
      while (System.nanoTime() < end && video < maxVideoFrames && !stopRequested.getAsBoolean()) {
        Frame f;
        try {
          f = grabber.grab();
        } catch (FFmpegFrameGrabber.Exception e) {
          lost = e.getMessage();
          break;
        }
        if (f == null) {
          lost = "the stream ended";
          break;
        }
        if (f.image != null) {
          video++;
          if (System.nanoTime() - start >= warmUp.toNanos()) {
            if (videoAfterWarmUp++ == 0) {
              warmedAt = System.nanoTime();
            }
          }
          if (lastTs != Long.MIN_VALUE && nominal > 0 && f.timestamp - lastTs > 2.5 * 1_000_000 / nominal) {
            gaps++;
          }
          lastTs = f.timestamp;
          if (firstTs == Long.MIN_VALUE) {
            firstTs = f.timestamp;
          }
          OptionalLong code = Timecode.read(f);
          if (code.isPresent()) {
            timecoded++;
          }
          OptionalLong ms = code.isPresent() ? Timecode.plausibleLatency(code.getAsLong(), System.currentTimeMillis())
              : OptionalLong.empty();
          if (ms.isPresent() && System.nanoTime() - start >= warmUp.toNanos()) {
            latencies.add(ms.getAsLong());
          }
          if (!snapped) {
            writePng(f, snapshot);
            snapped = true;
          }
        } else if (f.samples != null) {
          audio++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      boolean stopped = stopRequested.getAsBoolean();
      if (video + audio == 0 && !stopped) {
        throw new NoMediaException("no media from " + url + " within " + timeout.toMillis() + " ms", null);
      }
      if (lost != null && !listen && !stopped) {
        // A reader of a live path asked for a duration or a frame count; a publisher that ends its own
        // stream (listen mode, behind a chain under test) is another matter.
        throw new NoMediaException("connection to " + url + " lost after " + video + " video frames in "
            + String.format(java.util.Locale.ROOT, "%.1f", seconds) + " s: " + lost, null);
      }
      if (!snapped && !stopped) {
        // asked for a picture and got none (an audio-only stream, or a read that ended first): not a success
        throw new NoMediaException("no picture for --snapshot " + snapshot + ": " + (video == 0 ? "no video frame from " + url
            : "none decoded") + " in " + String.format(java.util.Locale.ROOT, "%.1f", seconds) + " s", null);
      }
      return new PlayReport(url, grabber.getVideoCodecName(), grabber.getAudioCodecName(), grabber.getImageWidth(),
          grabber.getImageHeight(), nominal, fps(video, seconds, videoAfterWarmUp, warmedAt, firstTs, lastTs), video, audio,
          gaps, seconds, latencies.latency(), timecoded);
    } catch (FrameGrabber.Exception e) {
      throw new NoMediaException("reading " + url + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A grabber's open, bounded by the reader's timeout: javacv tries a failed open a second time, so a server that
   * accepts but never answers would hold a reader for twice its socket timeout. FFmpeg's open cannot be cut short,
   * so one given up on finishes in its own thread, which then closes the grabber: closing it any earlier would free
   * what FFmpeg is still using.
   */
  private static final class Opening {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final FFmpegFrameGrabber grabber;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private boolean abandoned; // guarded by done

    Opening(FFmpegFrameGrabber grabber) {
      this.grabber = grabber;
      Thread opener = new Thread(this::open, "mtx-testkit-open");
      opener.setDaemon(true); // an abandoned open must not keep the command's JVM alive
      opener.start();
    }

    private void open() {
      Throwable failure = null;
      try {
        grabber.startUnsafe();
      } catch (Throwable e) {
        failure = e;
      }
      synchronized (done) {
        if (abandoned) {
          release(grabber);
        } else if (failure == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(failure);
        }
      }
    }

    /** Returns once the grabber is open; throws its open's failure, or a {@link NoMediaException} on time-out or stop. */
    void await(String url, Duration timeout, BooleanSupplier stopRequested) throws FFmpegFrameGrabber.Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          done.get(Math.max(1, Math.min(POLL_NANOS, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
          return;
        } catch (ExecutionException e) {
          release(grabber);
          if (e.getCause() instanceof FFmpegFrameGrabber.Exception cause) {
            throw cause;
          }
          throw new NoMediaException("cannot read " + url + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
          boolean stop = stopRequested.getAsBoolean();
          if (stop || System.nanoTime() - deadline >= 0) {
            giveUp(stop ? "stopped before " + url + " answered"
                : "no answer from " + url + " within " + timeout.toMillis() + " ms");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          giveUp("interrupted while waiting for " + url);
        }
      }
    }

    /** Leaves the open to its thread, unless it has just ended: then the caller goes on with its outcome. */
    private void giveUp(String why) {
      synchronized (done) {
        if (!done.isDone()) {
          abandoned = true;
          throw new NoMediaException(why, null);
        }
      }
    }

    private static void release(FFmpegFrameGrabber grabber) {
      try {
        grabber.close();
      } catch (FrameGrabber.Exception ignored) {
        // nothing was read from it; the open's own outcome is what the caller hears
      }
    }
  }

  /**
   * Frames per second: over the time after the warm-up's first frame when there are enough frames there to
   * measure; else, on a short read (--frames), from the frames' own times: the burst of frames FFmpeg held back while
   * probing arrives at once, and counted against the wall clock it reads as hundreds a second. 0: unknown.
   */
  static double fps(long video, double seconds, long afterWarmUp, long warmedAt, long firstMicros, long lastMicros) {
    double warmSeconds = (System.nanoTime() - warmedAt) / 1e9;
    if (afterWarmUp >= 10 && warmSeconds > 0.5) {
      return (afterWarmUp - 1) / warmSeconds;
    }
    if (video >= 2 && lastMicros > firstMicros) {
      return (video - 1) / ((lastMicros - firstMicros) / 1e6);
    }
    return 0;
  }

  /**
   * A reader's failed open: refused (exit 6) when an RTSP server says so (401, 403, 400 or another 4xx but 404);
   * otherwise no media (exit 4): nothing answers, a 404 (nothing is published there), a source that sends
   * nothing, or an RTMP server ending the session, which cannot be told from "no stream there yet".
   */
  static RuntimeException cannotOpen(String url, Exception error) {
    String m = String.valueOf(error.getMessage());
    boolean refused = java.util.stream.IntStream.of(avutil.AVERROR_HTTP_UNAUTHORIZED, avutil.AVERROR_HTTP_FORBIDDEN,
        avutil.AVERROR_HTTP_BAD_REQUEST, avutil.AVERROR_HTTP_OTHER_4XX).anyMatch(code -> m.contains("error " + code + ":"));
    if (refused) {
      return new TestStreamPublisher.PublishException(TestStreamPublisher.PublishException.Reason.REJECTED,
          url + " refused the stream (the server's answer): " + m, error);
    }
    boolean noStreamThere = m.contains("error " + avutil.AVERROR_HTTP_NOT_FOUND + ":");
    return new NoMediaException("cannot read " + url + (noStreamThere ? ": no stream is published there" : "") + ": " + m,
        error);
  }

  private static void writePng(Frame frame, Path file) {
    try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
      BufferedImage image = converter.convert(frame);
      if (!ImageIO.write(image, "png", file.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new SnapshotException("cannot write snapshot " + file + ": " + e.getMessage(), e);
    }
  }
}
