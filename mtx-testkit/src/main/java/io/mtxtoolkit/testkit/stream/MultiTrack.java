package io.mtxtoolkit.testkit.stream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Files of several tracks, or odd ones, for tests of readers: javacv's recorder writes one video and one audio
 * track, so these mux the packets of test clips with libavformat itself.
 */
public final class MultiTrack {
  private MultiTrack() {}

  public static Path mux(Path out, Path... inputs) throws Exception {
    FFmpegNatives.load();
    List<FFmpegFrameGrabber> grabbers = new ArrayList<>();
    AVFormatContext oc = new AVFormatContext(null);
    check(avformat.avformat_alloc_output_context2(oc, null, "matroska", out.toString()), "alloc");
    try {
      List<int[]> firstIndex = new ArrayList<>();
      for (Path in : inputs) {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(in.toString());
        grabbers.add(g); // closed in the end even when its start fails
        g.start();
        firstIndex.add(new int[] {oc.nb_streams()});
        AVFormatContext ic = g.getFormatContext();
        for (int i = 0; i < ic.nb_streams(); i++) {
          AVStream s = avformat.avformat_new_stream(oc, null);
          check(avcodec.avcodec_parameters_copy(s.codecpar(), ic.streams(i).codecpar()), "copy");
          s.codecpar().codec_tag(0);
          s.time_base(ic.streams(i).time_base());
        }
      }
      AVIOContext pb = new AVIOContext(null);
      check(avformat.avio_open(pb, out.toString(), avformat.AVIO_FLAG_WRITE), "open");
      oc.pb(pb);
      check(avformat.avformat_write_header(oc, (AVDictionary) null), "header");
      for (int n = 0; n < grabbers.size(); n++) {
        FFmpegFrameGrabber g = grabbers.get(n);
        AVPacket p;
        while ((p = g.grabPacket()) != null) {
          int target = firstIndex.get(n)[0] + p.stream_index();
          avcodec.av_packet_rescale_ts(p, g.getFormatContext().streams(p.stream_index()).time_base(),
              oc.streams(target).time_base());
          p.stream_index(target);
          p.pos(-1);
          check(avformat.av_interleaved_write_frame(oc, p), "write");
        }
      }
      check(avformat.av_write_trailer(oc), "trailer");
    } finally {
      closeOutput(oc);
      for (FFmpegFrameGrabber g : grabbers) {
        g.close();
      }
    }
    return out;
  }

  /**
   * Writes {@code first}'s packets, then {@code second}'s shifted {@code shiftMicros} later, into one FLV file:
   * a source with a gap. Both files must have the same tracks.
   */
  public static Path concat(Path out, long shiftMicros, Path first, Path second) throws Exception {
    try (FFmpegFrameGrabber b = new FFmpegFrameGrabber(second.toString())) {
      return flv(out, first, (a, rec) -> {
        copy(a, rec, p -> true);
        b.start();
        AVPacket p;
        while ((p = b.grabPacket()) != null) {
          long shift = avutil.av_rescale_q(shiftMicros, micros(), b.getFormatContext().streams(p.stream_index()).time_base());
          p.pts(p.pts() + shift);
          p.dts(p.dts() + shift);
          rec.recordPacket(p);
        }
      });
    }
  }

  /** {@code clip}'s packets in an FLV file, its audio only from {@code fromMicros} on: a source whose audio comes late. */
  public static Path audioFrom(Path out, long fromMicros, Path clip) throws Exception {
    return flv(out, clip, (a, rec) -> copy(a, rec, p -> p.stream_index() != a.getAudioStream()
        || avutil.av_rescale_q(p.pts(), a.getFormatContext().streams(p.stream_index()).time_base(), micros()) >= fromMicros));
  }

  /** Microseconds as a time base (made when asked: avutil's class loads FFmpeg, which FFmpegNatives.load orders). */
  private static org.bytedeco.ffmpeg.avutil.AVRational micros() {
    return avutil.av_make_q(1, 1_000_000);
  }

  /** What {@link #flv} writes: packets from the opened {@code source} to the started FLV recorder. */
  private interface Writing {
    void write(FFmpegFrameGrabber source, org.bytedeco.javacv.FFmpegFrameRecorder flv) throws Exception;
  }

  /** An FLV file with {@code source}'s tracks, which {@code writing} fills. */
  private static Path flv(Path out, Path source, Writing writing) throws Exception {
    FFmpegNatives.load();
    try (FFmpegFrameGrabber a = new FFmpegFrameGrabber(source.toString())) {
      a.start();
      try (org.bytedeco.javacv.FFmpegFrameRecorder rec = new org.bytedeco.javacv.FFmpegFrameRecorder(out.toString(),
          a.getImageWidth(), a.getImageHeight(), a.getAudioChannels())) {
        rec.setFormat("flv");
        rec.start(a.getFormatContext());
        writing.write(a, rec);
      }
    }
    return out;
  }

  /** Every packet of {@code a} that {@code kept} keeps, as it is. */
  private static void copy(FFmpegFrameGrabber a, org.bytedeco.javacv.FFmpegFrameRecorder rec,
                           java.util.function.Predicate<AVPacket> kept) throws Exception {
    AVPacket p;
    while ((p = a.grabPacket()) != null) {
      if (kept.test(p)) {
        rec.recordPacket(p);
      } else {
        avcodec.av_packet_unref(p); // grabPacket does not release the packet it read last; recordPacket does
      }
    }
  }

  /**
   * {@code first}'s FLV tags followed by {@code second}'s, as bytes: a source whose clock starts again from
   * {@code second}'s first time without ending (a muxer would refuse to write the step back).
   */
  public static Path restartClock(Path out, Path first, Path second) throws java.io.IOException {
    byte[] a = java.nio.file.Files.readAllBytes(first);
    byte[] b = java.nio.file.Files.readAllBytes(second);
    // FLV: a header whose bytes 5..8 give its size, then PreviousTagSize0 (4 bytes), then the tags
    int tags = java.nio.ByteBuffer.wrap(b, 5, 4).getInt() + 4;
    try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(out)) {
      o.write(a);
      o.write(b, tags, b.length - tags);
    }
    return out;
  }

  /** A Matroska file with one subtitle track and nothing else: a source with no track a worker can carry. */
  public static Path subtitlesOnly(Path out) {
    FFmpegNatives.load();
    AVFormatContext oc = new AVFormatContext(null);
    check(avformat.avformat_alloc_output_context2(oc, null, "matroska", out.toString()), "alloc");
    try {
      AVStream s = avformat.avformat_new_stream(oc, null);
      s.codecpar().codec_type(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_SUBTITLE);
      s.codecpar().codec_id(avcodec.AV_CODEC_ID_SUBRIP);
      s.time_base(org.bytedeco.ffmpeg.global.avutil.av_make_q(1, 1000));
      AVIOContext pb = new AVIOContext(null);
      check(avformat.avio_open(pb, out.toString(), avformat.AVIO_FLAG_WRITE), "open");
      oc.pb(pb);
      check(avformat.avformat_write_header(oc, (AVDictionary) null), "header");
      byte[] text = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      AVPacket p = avcodec.av_packet_alloc();
      check(avcodec.av_new_packet(p, text.length), "packet");
      p.data().put(text);
      p.pts(0);
      p.dts(0);
      p.duration(1000);
      p.stream_index(0);
      check(avformat.av_interleaved_write_frame(oc, p), "write");
      avcodec.av_packet_free(p);
      check(avformat.av_write_trailer(oc), "trailer");
    } finally {
      closeOutput(oc);
    }
    return out;
  }

  /** Closes the output file, if it was opened (also when a write failed), and frees the context. */
  private static void closeOutput(AVFormatContext oc) {
    AVIOContext pb = oc.pb();
    if (pb != null && !pb.isNull()) {
      avformat.avio_closep(pb);
    }
    avformat.avformat_free_context(oc);
  }

  private static void check(int ret, String step) {
    if (ret < 0) {
      throw new IllegalStateException(step + " failed: " + ret);
    }
  }
}
