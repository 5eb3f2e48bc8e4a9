package io.mtxtoolkit.testkit.stream;

/**
 * The FFmpeg and GStreamer command lines equivalent to {@code mtx-testkit publish}, built from the same
 * options; README.md shows the output of these methods for the default options (a test keeps them equal).
 */
public final class FfmpegCommands {
  private FfmpegCommands() {}

  /** FFmpeg: test pattern + 1 kHz tone, H.264 (keyframe every second) + AAC, over RTMP (FLV). */
  public static String publish(String rtmpUrl, TestStreamOptions o) {
    return "ffmpeg -re -f lavfi -i testsrc2=size=" + o.width() + "x" + o.height() + ":rate=" + o.fps()
        + " -f lavfi -i sine=frequency=1000:sample_rate=" + o.sampleRate()
        + " -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g " + o.gopSize()
        + " -b:v " + o.videoBitrate() / 1000 + "k"
        + " -c:a aac -b:a " + o.audioBitrate() / 1000 + "k -ar " + o.sampleRate() + " -ac 1"
        + " -f flv " + rtmpUrl;
  }

  /** GStreamer: the same pattern and tone, x264 + AAC (avenc_aac), muxed to FLV for RTMP. */
  public static String publishGstreamer(String rtmpUrl, TestStreamOptions o) {
    return "gst-launch-1.0 -e videotestsrc is-live=true pattern=smpte"
        + " ! video/x-raw,width=" + o.width() + ",height=" + o.height() + ",framerate=" + o.fps() + "/1"
        + " ! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=" + o.videoBitrate() / 1000
        + " key-int-max=" + o.gopSize() + " ! h264parse ! queue ! mux."
        + " audiotestsrc is-live=true wave=sine freq=1000 ! audioconvert ! audioresample"
        + " ! audio/x-raw,rate=" + o.sampleRate() + ",channels=1 ! avenc_aac bitrate=" + o.audioBitrate()
        + " ! aacparse ! queue ! mux."
        + " flvmux name=mux streamable=true ! rtmpsink location=" + rtmpUrl;
  }
}
