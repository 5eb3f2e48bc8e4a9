package io.mtxtoolkit.orchestrator.http;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import io.mtxtoolkit.worker.FfmpegLog;
import io.mtxtoolkit.worker.StreamWorker;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One decoded picture of a path as JPEG, by a deadline that holds. Written against libav* rather than javacv's
 * grabber: the grabber allocates its own format context, so FFmpeg's interrupt callback cannot be set before the
 * open (FFmpeg copies it into each connection then), and its frame loop reads on through undecodable packets for
 * as long as they arrive. Here the callback ends the open, both of its attempts' waits and every read at the
 * deadline, and the loop stops there too.
 */
final class ThumbnailGrab {
  /** Widest picture kept: the page shows 160 px; a 4K frame would make a JPEG of megabytes. */
  static final int MAX_WIDTH = 640;

  /** The deadline of the grab under way on this thread (FFmpeg calls the callback on the thread it reads on). */
  private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

  private ThumbnailGrab() {}

  /** Made once natives are loaded (never in a static initialiser: JavaCPP's concurrent loads deadlock). */
  private static final class Interrupt extends AVIOInterruptCB.Callback_Pointer {
    /** JavaCPP callbacks are a scarce native resource: one serves every grab, reading its thread's deadline. */
    static final Interrupt INSTANCE = new Interrupt();

    @Override
    public int call(Pointer opaque) {
      long[] deadline = DEADLINE.get();
      return deadline != null && System.nanoTime() - deadline[0] >= 0 ? 1 : 0;
    }
  }

  /** The first picture decoded from {@code url}, or null when none came before {@code deadlineNanos} (System.nanoTime). */
  static byte[] grab(String url, long deadlineNanos) {
    if (System.nanoTime() - deadlineNanos >= 0) {
      return null;
    }
    StreamWorker.loadNatives();
    FfmpegLog.install(); // FFmpeg's complaints (a path not found) as JSON lines with the stream's fields
    AVFormatContext input = avformat_alloc_context();
    input.interrupt_callback().callback(Interrupt.INSTANCE);
    AVDictionary options = new AVDictionary(null);
    long left = deadlineNanos - System.nanoTime();
    // the socket's own timeout too: a source that ignores the interrupt check still gives up by the deadline
    StreamWorker.inputOptions(url, Duration.ofNanos(Math.max(left, 1_000_000))).forEach((k, v) -> av_dict_set(options, k, v, 0));
    DEADLINE.set(new long[] {deadlineNanos});
    AVCodecContext decoder = null;
    AVPacket packet = null;
    AVFrame picture = null;
    try {
      if (avformat_open_input(input, url, null, options) < 0) {
        return null; // FFmpeg has freed the context
      }
      if (avformat_find_stream_info(input, (PointerPointer<?>) null) < 0) {
        return null;
      }
      int video = av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
      AVCodec codec = video < 0 ? null : avcodec_find_decoder(input.streams(video).codecpar().codec_id());
      if (codec == null) {
        return null;
      }
      decoder = avcodec_alloc_context3(codec);
      if (avcodec_parameters_to_context(decoder, input.streams(video).codecpar()) < 0) {
        return null;
      }
      decoder.thread_count(1); // decoded on this thread, whose MDC marks FFmpeg's complaints as a thumbnail's
      if (avcodec_open2(decoder, codec, (AVDictionary) null) < 0) {
        return null;
      }
      packet = av_packet_alloc();
      picture = av_frame_alloc();
      while (System.nanoTime() - deadlineNanos < 0 && av_read_frame(input, packet) >= 0) {
        try {
          if (packet.stream_index() == video && avcodec_send_packet(decoder, packet) >= 0
              && avcodec_receive_frame(decoder, picture) == 0) {
            return jpeg(picture);
          }
        } finally {
          av_packet_unref(packet);
        }
      }
      return null;
    } finally {
      DEADLINE.remove();
      av_dict_free(options);
      if (picture != null) {
        av_frame_free(picture);
      }
      if (packet != null) {
        av_packet_free(packet);
      }
      if (decoder != null) {
        avcodec_free_context(decoder);
      }
      if (!input.isNull()) {
        avformat_close_input(input);
      }
    }
  }

  /** The picture as JPEG, scaled down to at most {@link #MAX_WIDTH} pixels wide. */
  private static byte[] jpeg(AVFrame picture) {
    int width = Math.min(picture.width(), MAX_WIDTH);
    int height = Math.max(2, (int) Math.round((double) picture.height() * width / picture.width()) & ~1);
    SwsContext scaler = sws_getContext(picture.width(), picture.height(), picture.format(), width, height,
        AV_PIX_FMT_BGR24, SWS_BILINEAR, null, null, (DoublePointer) null);
    if (scaler == null) {
      return null; // a pixel format swscale cannot read
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    try (BytePointer bgr = new BytePointer((long) width * height * 3);
         // four of each: swscale copies four plane pointers and strides, whichever the format uses
         PointerPointer<BytePointer> planes = new PointerPointer<>(bgr, null, null, null);
         IntPointer strides = new IntPointer(new int[] {width * 3, 0, 0, 0})) {
      sws_scale(scaler, picture.data(), picture.linesize(), 0, picture.height(), planes, strides);
      bgr.get(((DataBufferByte) image.getRaster().getDataBuffer()).getData());
    } finally {
      sws_freeContext(scaler);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "jpg", out);
    } catch (IOException e) {
      return null; // in memory: cannot happen, but a thumbnail is never worth a failed request
    }
    return out.toByteArray();
  }
}
