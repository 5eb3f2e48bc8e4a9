package io.mtxtoolkit.worker;

import java.util.Arrays;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;

/**
 * The input's chosen video and audio track as a format context of their own, to set up the passthrough
 * muxer from. javacv's {@code start(AVFormatContext)} takes each media type's <em>last</em> track while
 * its grabber reads the <em>first</em>: with two video tracks (an RTSP or WebRTC publisher may send them)
 * /out would carry one track's packets under the other's codec parameters, and no reader could decode it.
 */
final class ChosenTracks implements AutoCloseable {
  private final AVFormatContext context;
  /** Source track index → index in {@link #context}, or -1 for a track left out. */
  private final int[] index;
  private boolean closed;

  /** The source's tracks {@code video} and {@code audio} (either -1 when there is none), in that order. */
  ChosenTracks(AVFormatContext source, int video, int audio) {
    context = avformat.avformat_alloc_context();
    if (context == null) {
      throw new IllegalStateException("avformat_alloc_context failed");
    }
    index = new int[source.nb_streams()];
    Arrays.fill(index, -1);
    try {
      for (int chosen : new int[] {video, audio}) {
        if (chosen >= 0 && chosen < index.length) {
          index[chosen] = copy(source.streams(chosen));
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private int copy(AVStream from) {
    AVStream to = avformat.avformat_new_stream(context, null);
    if (to == null || avcodec.avcodec_parameters_copy(to.codecpar(), from.codecpar()) < 0) {
      throw new IllegalStateException("cannot copy the parameters of input track " + from.index());
    }
    to.time_base(from.time_base());
    to.r_frame_rate(from.r_frame_rate());
    to.avg_frame_rate(from.avg_frame_rate());
    to.sample_aspect_ratio(from.sample_aspect_ratio());
    return to.index();
  }

  /** The chosen tracks alone, for {@code FFmpegFrameRecorder.start(AVFormatContext)}. */
  AVFormatContext context() {
    return context;
  }

  /** The index a packet of source track {@code sourceIndex} takes here, or -1 when that track is left out. */
  int indexOf(int sourceIndex) {
    return sourceIndex >= 0 && sourceIndex < index.length ? index[sourceIndex] : -1;
  }

  /** Frees the context, once; call after the recorder set up from it is closed. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      avformat.avformat_free_context(context);
    }
  }
}
