package io.mtxtoolkit.testkit.stream;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Republishes a media file without re-encoding (packets copied), paced to its timestamps, optionally in a
 * loop with timestamps carried on, so load tests spend no CPU on encoding.
 */
public final class FilePublisher {
  /** A pass's length when its packets give none (a single packet of unknown duration): one frame at 25 fps. */
  private static final long LOOP_GAP_MICROS = 40_000;

  private final String file;
  private final String url;
  private final boolean loop;
  private final Duration duration;
  private final AtomicLong packets = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stop;

  /** The file could not be opened or read: the media's fault, not the server's ({@code mtx-testkit} exit 5). */
  public static final class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public FilePublisher(String file, String url, boolean loop, Duration duration) {
    this.file = file;
    this.url = url;
    this.loop = loop;
    this.duration = duration;
  }

  public void stop() {
    stop = true;
  }

  /** Stops and waits up to {@code timeout} for the run to close its connection (for a Ctrl-C hook). */
  public void stopAndAwait(Duration timeout) {
    stop();
    try {
      finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public long packets() {
    return packets.get();
  }

  /** Bytes of media sent so far (the packets' payloads, without the container's framing). */
  public long bytes() {
    return bytes.get();
  }

  /** Waits up to {@code timeout} for the run to end; true when it has. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs on the calling thread until the file ends (without loop), the duration passes, or {@link #stop()}.
   * Throws {@link SourceException} when the file fails, {@link TestStreamPublisher.PublishException} when
   * the server does.
   */
  public void run() throws Exception {
    try {
      publish();
    } finally {
      finished.countDown();
    }
  }

  private void publish() throws Exception {
    java.net.URI target = TestStreamPublisher.parse(url);
    long startNanos = System.nanoTime();
    long endNanos = duration == null ? Long.MAX_VALUE : startNanos + duration.toNanos();
    long offsetMicros = 0;
    // The recorder rescales packet times through the input context it was started with, so that first
    // grabber stays open for the whole run; later loops read the file through fresh grabbers.
    FFmpegFrameGrabber template = new FFmpegFrameGrabber(file);
    FFmpegFrameRecorder recorder = null;
    try {
      open(template);
      int[] forwarded = tracksTheRecorderTakes(template.getFormatContext());
      fitTracksTo(url.startsWith("rtsp:") ? null : "flv", template.getFormatContext(), forwarded);
      recorder = new FFmpegFrameRecorder(url, template.getImageWidth(), template.getImageHeight(), template.getAudioChannels());
      recorder.setFormat(url.startsWith("rtsp:") ? "rtsp" : "flv");
      if (url.startsWith("rtsp:")) {
        recorder.setOption("rtsp_transport", "tcp");
        recorder.setOption("timeout", TestStreamPublisher.SOCKET_TIMEOUT_MICROS);
      }
      recorder.setOption("rw_timeout", TestStreamPublisher.SOCKET_TIMEOUT_MICROS); // a server that stops reading ends the run, not hangs it
      long starting = System.nanoTime();
      try {
        recorder.start(template.getFormatContext());
      } catch (FFmpegFrameRecorder.Exception e) {
        throw TestStreamPublisher.PublishException.cannotStart(target, e, Duration.ofNanos(System.nanoTime() - starting));
      }
      FFmpegFrameGrabber grabber = template;
      do {
        // Each pass is timed from its own first packet: a file may start at 1.4 s (MPEG-TS), or below 0
        // (the decode times of B-frames), and the next pass follows the last packet of this one.
        Long base = null;
        java.util.Map<Integer, TrackSpan> spans = new java.util.HashMap<>();
        try {
          if (grabber != template) {
            open(grabber); // inside the try: a file that cannot be opened again still has its grabber closed
          }
          AVPacket p;
          while (!stop && System.nanoTime() < endNanos && (p = next(grabber)) != null) {
            AVStream s = grabber.getFormatContext().streams(p.stream_index());
            long ts = p.dts() != avutil.AV_NOPTS_VALUE ? p.dts() : p.pts();
            if (ts == avutil.AV_NOPTS_VALUE || (p.stream_index() != forwarded[0] && p.stream_index() != forwarded[1])) {
              // No time at all (nothing to pace it by, and a muxer would refuse it), or a track FLV has no room
              // for: a second audio track would interleave its times into the one AAC track. grabPacket keeps
              // the packet it read until the next read, which does not release it: released here.
              avcodec.av_packet_unref(p);
              continue;
            }
            long micros = avutil.av_rescale_q(ts, s.time_base(), avutil.av_make_q(1, 1_000_000));
            if (base == null) {
              base = micros;
            }
            long rel = micros - base;
            spans.computeIfAbsent(p.stream_index(), k -> new TrackSpan(micros))
                .add(micros, p.duration() > 0 ? avutil.av_rescale_q(p.duration(), s.time_base(), avutil.av_make_q(1, 1_000_000)) : 0);
            long shift = avutil.av_rescale_q(offsetMicros - base, avutil.av_make_q(1, 1_000_000), s.time_base());
            if (p.pts() != avutil.AV_NOPTS_VALUE) {
              p.pts(p.pts() + shift);
            }
            if (p.dts() != avutil.AV_NOPTS_VALUE) {
              p.dts(p.dts() + shift);
            }
            long wait = startNanos + (offsetMicros + rel) * 1000 - System.nanoTime();
            if (wait > 0) {
              // Real-time pacing: a file played as a live source.
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            int size = p.size(); // the muxer takes the packet over
            try {
              recorder.recordPacket(p);
            } catch (FFmpegFrameRecorder.Exception e) {
              throw new TestStreamPublisher.PublishException(TestStreamPublisher.PublishException.Reason.BROKEN_OFF,
                  "publishing to " + url + " failed after " + packets.get() + " packets: " + e.getMessage(), e);
            }
            packets.incrementAndGet();
            bytes.addAndGet(size);
          }
        } finally {
          if (grabber != template) {
            grabber.close();
          }
        }
        if (base == null) {
          break; // a pass with no packet: looping would spin
        }
        // The next pass follows on as the file would if it went on: each track's times move by the longest track's
        // length (first time to the end of its last packet), so a track's next first packet comes one packet after
        // its last. Spans are per track: B-frames put video's decode times ahead of audio's, and the union of the
        // two would leave a hole at every loop.
        long length = spans.values().stream().mapToLong(TrackSpan::length).max().orElse(0);
        offsetMicros += length > 0 ? length : LOOP_GAP_MICROS;
        grabber = new FFmpegFrameGrabber(file);
      } while (loop && !stop && System.nanoTime() < endNanos);
    } finally {
      if (recorder != null) {
        recorder.close();
      }
      template.close();
    }
  }

  /** One track's times in a pass (µs): its first, its last, and how long its last packet lasts. */
  private static final class TrackSpan {
    private final long first;
    private long last;
    private long lastLength;

    TrackSpan(long first) {
      this.first = first;
      this.last = first;
    }

    /** A packet at {@code at}, lasting {@code length} (0: unknown, taken as the step from the packet before). */
    void add(long at, long length) {
      long step = at - last;
      if (at > last) {
        last = at;
        lastLength = length > 0 ? length : step;
      } else if (at == last && length > 0) {
        lastLength = length;
      }
    }

    long length() {
      return last - first + lastLength;
    }
  }

  /**
   * The video and audio track javacv's {@code start(AVFormatContext)} sets the output up from: the last of each
   * type (-1 for none). Only their packets are sent, so each output track carries its own input track. Cover
   * art there (a still picture, not a video) cannot be published: a clear error rather than a failed muxer.
   */
  int[] tracksTheRecorderTakes(org.bytedeco.ffmpeg.avformat.AVFormatContext context) {
    int[] chosen = {-1, -1};
    for (int i = 0; i < context.nb_streams(); i++) {
      int type = context.streams(i).codecpar().codec_type();
      if (type == avutil.AVMEDIA_TYPE_VIDEO) {
        chosen[0] = i;
      } else if (type == avutil.AVMEDIA_TYPE_AUDIO) {
        chosen[1] = i;
      }
    }
    if (chosen[0] >= 0 && (context.streams(chosen[0]).disposition() & avformat.AV_DISPOSITION_ATTACHED_PIC) != 0) {
      throw new SourceException(file + " ends its tracks with cover art, which is no video to publish; remux it without "
          + "(ffmpeg -i in -map 0:v:0 -map 0:a:0 -c copy out.mp4)", null);
    }
    return chosen;
  }

  /**
   * Readies the {@code chosen} tracks for the output format ({@code flv} for RTMP; null for RTSP, which carries
   * what MediaMTX takes): their codec tags cleared, since an MP4's {@code avc1} or an MPEG-TS's stream type
   * means nothing to another container and the muxer refuses it rather than pick its own; and a codec that
   * {@code format} cannot carry (VP8 in FLV) is the file's problem, said before any connection is made.
   */
  void fitTracksTo(String format, org.bytedeco.ffmpeg.avformat.AVFormatContext context, int[] chosen) {
    org.bytedeco.ffmpeg.avformat.AVOutputFormat output = format == null ? null : avformat.av_guess_format(format, null, null);
    for (int i : chosen) {
      if (i < 0) {
        continue;
      }
      org.bytedeco.ffmpeg.avcodec.AVCodecParameters track = context.streams(i).codecpar();
      track.codec_tag(0);
      if (output != null && avformat.avformat_query_codec(output, track.codec_id(), avcodec.FF_COMPLIANCE_NORMAL) != 1) {
        throw new SourceException(file + " carries " + avcodec.avcodec_get_name(track.codec_id()).getString()
            + ", which RTMP (FLV) cannot carry; publish it over RTSP, or re-encode it to H.264 + AAC", null);
      }
    }
  }

  private void open(FFmpegFrameGrabber grabber) {
    try {
      grabber.startUnsafe();
    } catch (FFmpegFrameGrabber.Exception e) {
      throw new SourceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private AVPacket next(FFmpegFrameGrabber grabber) {
    try {
      return grabber.grabPacket();
    } catch (FFmpegFrameGrabber.Exception e) {
      throw new SourceException("reading " + file + " failed after " + packets.get() + " packets: " + e.getMessage(), e);
    }
  }
}
