package io.mtxtoolkit.testkit.stream;

/**
 * The FFmpeg and GStreamer command lines equivalent to {@code mtx-testkit publish}, built from the same
 * options; README.md shows the output of these methods for the default options (a test keeps them equal).
 */
public final class FfmpegCommands {
  /** audiotestsrc's default buffer size, named where a duration counts buffers. */
  private static final int AUDIO_BUFFER_SAMPLES = 1024;

  private FfmpegCommands() {}

  /** The duration in seconds as FFmpeg's {@code -t} takes it: {@code 2}, {@code 2.5}. */
  private static String seconds(TestStreamOptions o) {
    return java.math.BigDecimal.valueOf(o.duration().toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /** FFmpeg: test pattern + 1 kHz tone, H.264 (keyframe every second) + AAC, over RTMP (FLV); {@code -t} for a duration. */
  public static String publish(String rtmpUrl, TestStreamOptions o) {
    return "ffmpeg -re -f lavfi -i testsrc2=size=" + o.width() + "x" + o.height() + ":rate=" + o.fps()
        + " -f lavfi -i sine=frequency=1000:sample_rate=" + o.sampleRate()
        + " -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g " + o.gopSize()
        + " -b:v " + o.videoBitrate() / 1000 + "k"
        + " -c:a aac -b:a " + o.audioBitrate() / 1000 + "k -ar " + o.sampleRate() + " -ac 1"
        + (o.duration() == null ? "" : " -t " + seconds(o))
        + " -f flv " + rtmpUrl;
  }

  /**
   * GStreamer: the same pattern and tone, x264 + AAC (avenc_aac), muxed to FLV for RTMP. A duration is a
   * number of buffers for each source: the muxer ends when both have.
   */
  public static String publishGstreamer(String rtmpUrl, TestStreamOptions o) {
    String videoBuffers = "";
    String audioBuffers = "";
    if (o.duration() != null) {
      long millis = o.duration().toMillis();
      videoBuffers = " num-buffers=" + Math.max(1, millis * o.fps() / 1000);
      audioBuffers = " samplesperbuffer=" + AUDIO_BUFFER_SAMPLES + " num-buffers="
          + Math.max(1, (millis * o.sampleRate() / 1000 + AUDIO_BUFFER_SAMPLES - 1) / AUDIO_BUFFER_SAMPLES);
    }
    return "gst-launch-1.0 -e videotestsrc is-live=true pattern=smpte" + videoBuffers
        + " ! video/x-raw,width=" + o.width() + ",height=" + o.height() + ",framerate=" + o.fps() + "/1"
        + " ! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=" + o.videoBitrate() / 1000
        + " key-int-max=" + o.gopSize() + " ! h264parse ! queue ! mux."
        + " audiotestsrc is-live=true wave=sine freq=1000" + audioBuffers + " ! audioconvert ! audioresample"
        + " ! audio/x-raw,rate=" + o.sampleRate() + ",channels=1 ! avenc_aac bitrate=" + o.audioBitrate()
        + " ! aacparse ! queue ! mux."
        + " flvmux name=mux streamable=true ! rtmpsink location=" + rtmpUrl;
  }
}
