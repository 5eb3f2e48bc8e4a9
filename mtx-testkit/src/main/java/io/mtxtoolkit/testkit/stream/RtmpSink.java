package io.mtxtoolkit.testkit.stream;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * An RTMP server (FFmpeg's listen mode) that accepts one publisher and records what arrives: codecs
 * and packet timestamps. Lets tests check a publisher's output without a media server.
 */
public final class RtmpSink implements AutoCloseable {
  /** FFmpeg opens its listening socket at once; this only bounds a machine under load. */
  private static final Duration LISTEN_WAIT = Duration.ofSeconds(15);
  private final String url;
  private final List<long[]> packets = new ArrayList<>();
  private final CountDownLatch connected = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile int videoCodec = avcodec.AV_CODEC_ID_NONE;
  private volatile int audioCodec = avcodec.AV_CODEC_ID_NONE;
  private volatile String videoSize = "";
  private volatile boolean closing;
  private volatile String error;
  private final Thread thread;

  private RtmpSink(String url, Duration waitForPublisher) {
    this.url = url;
    FFmpegNatives.load();
    thread = new Thread(() -> run(waitForPublisher), "rtmp-sink");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Listens on {@code rtmpUrl} (e.g. {@code rtmp://127.0.0.1:PORT/live/x/out}) for one publisher, for up to
   * {@code waitForPublisher}; returns once the port listens, so a publisher started next finds it.
   */
  public static RtmpSink listen(String rtmpUrl, Duration waitForPublisher) {
    RtmpSink sink = new RtmpSink(rtmpUrl, waitForPublisher);
    try {
      FreePorts.awaitListening(java.net.URI.create(rtmpUrl).getPort(), LISTEN_WAIT, () -> sink.ended.getCount() == 0);
    } catch (IllegalStateException e) {
      sink.close();
      throw new IllegalStateException("the RTMP sink on " + rtmpUrl + " does not listen"
          + (sink.error == null ? "" : ": " + sink.error), e);
    }
    return sink;
  }

  private void run(Duration wait) {
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(url)) {
      grabber.setFormat("flv");
      grabber.setOption("listen", "1");
      // whole seconds, rounded up: 0 would make the listener wait for ever
      grabber.setOption("timeout", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
      grabber.setOption("rw_timeout", "10000000");
      // startUnsafe: start() would hold javacv's global lock while waiting, blocking the publisher's start.
      grabber.startUnsafe();
      videoCodec = grabber.getVideoCodec();
      audioCodec = grabber.getAudioCodec();
      videoSize = grabber.getImageWidth() + "x" + grabber.getImageHeight();
      connected.countDown();
      AVPacket p;
      while (!closing && (p = grabber.grabPacket()) != null) {
        try {
          AVStream stream = grabber.getFormatContext().streams(p.stream_index());
          int type = stream.codecpar().codec_type();
          long dtsMicros = avutil.av_rescale_q(p.dts(), stream.time_base(), avutil.av_make_q(1, 1_000_000));
          synchronized (packets) {
            packets.add(new long[] {type, dtsMicros});
            packets.notifyAll();
          }
        } finally {
          // grabPacket hands back one shared packet and the next read does not release its data: released here
          avcodec.av_packet_unref(p);
        }
      }
    } catch (Exception e) {
      if (!closing) {
        error = e.getMessage();
      }
    } finally {
      connected.countDown();
      ended.countDown();
    }
  }

  /** Waits for {@code n} packets; fails with what arrived. */
  public void awaitPackets(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (packets) {
      while (packets.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || (ended.getCount() == 0 && packets.size() < n)) {
          throw new AssertionError("expected " + n + " packets at " + url + " within " + timeout.toMillis() + " ms, got "
              + packets.size() + (error == null ? "" : " (" + error + ")"));
        }
        try {
          packets.wait(Math.min(100, Math.max(1, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** True once the publisher disconnected (or the sink failed). */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public int videoCodec() {
    return videoCodec;
  }

  public int audioCodec() {
    return audioCodec;
  }

  /** The video's size as the stream's codec parameters state it ({@code 320x240}); empty before a publisher came. */
  public String videoSize() {
    return videoSize;
  }

  public int packetCount() {
    synchronized (packets) {
      return packets.size();
    }
  }

  /** Decode timestamps (µs) of the packets of one media type ({@code avutil.AVMEDIA_TYPE_VIDEO}/{@code AUDIO}). */
  public List<Long> timestamps(int mediaType) {
    synchronized (packets) {
      return packets.stream().filter(p -> p[0] == mediaType).map(p -> p[1]).toList();
    }
  }

  public String error() {
    return error;
  }

  @Override
  public void close() {
    closing = true;
    try {
      ended.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
