package io.mtxtoolkit.testkit.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Republishes a media file without re-encoding (packets copied), paced to its timestamps, optionally in a
 * loop with timestamps carried on, so load tests spend no CPU on encoding.
 */
public final class FilePublisher {
  private final String file;
  private final String url;
  private final boolean loop;
  private final Duration duration;
  private final AtomicLong packets = new AtomicLong();
  private volatile boolean stop;

  public FilePublisher(String file, String url, boolean loop, Duration duration) {
    this.file = file;
    this.url = url;
    this.loop = loop;
    this.duration = duration;
  }

  public void stop() {
    stop = true;
  }

  public long packets() {
    return packets.get();
  }

  /** Runs on the calling thread until the file ends (without loop), the duration passes, or {@link #stop()}. */
  public void run() throws Exception {
    java.net.URI target = TestStreamPublisher.parse(url);
    long startNanos = System.nanoTime();
    long endNanos = duration == null ? Long.MAX_VALUE : startNanos + duration.toNanos();
    long offsetMicros = 0;
    // The recorder rescales packet times through the input context it was started with, so that first
    // grabber stays open for the whole run; later loops read the file through fresh grabbers.
    FFmpegFrameGrabber template = new FFmpegFrameGrabber(file);
    FFmpegFrameRecorder recorder = null;
    try {
      template.startUnsafe();
      recorder = new FFmpegFrameRecorder(url, template.getImageWidth(), template.getImageHeight(), template.getAudioChannels());
      recorder.setFormat(url.startsWith("rtsp:") ? "rtsp" : "flv");
      if (url.startsWith("rtsp:")) {
        recorder.setOption("rtsp_transport", "tcp");
      }
      try {
        recorder.start(template.getFormatContext());
      } catch (FFmpegFrameRecorder.Exception e) {
        throw TestStreamPublisher.PublishException.cannotStart(target, e);
      }
      FFmpegFrameGrabber grabber = template;
      do {
        long lastMicros = 0;
        if (grabber != template) {
          grabber.startUnsafe();
        }
        try {
          AVPacket p;
          while (!stop && System.nanoTime() < endNanos && (p = grabber.grabPacket()) != null) {
            AVStream s = grabber.getFormatContext().streams(p.stream_index());
            long micros = avutil.av_rescale_q(p.dts() == avutil.AV_NOPTS_VALUE ? p.pts() : p.dts(), s.time_base(),
                avutil.av_make_q(1, 1_000_000));
            lastMicros = Math.max(lastMicros, micros);
            long shift = avutil.av_rescale_q(offsetMicros, avutil.av_make_q(1, 1_000_000), s.time_base());
            p.pts(p.pts() + shift);
            p.dts(p.dts() + shift);
            long wait = startNanos + (offsetMicros + micros) * 1000 - System.nanoTime();
            if (wait > 0) {
              // Real-time pacing: a file played as a live source.
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            recorder.recordPacket(p);
            packets.incrementAndGet();
          }
        } finally {
          if (grabber != template) {
            grabber.close();
          }
        }
        offsetMicros += lastMicros + 40_000;
        grabber = new FFmpegFrameGrabber(file);
      } while (loop && !stop && System.nanoTime() < endNanos);
    } finally {
      if (recorder != null) {
        recorder.close();
      }
      template.close();
    }
  }
}
