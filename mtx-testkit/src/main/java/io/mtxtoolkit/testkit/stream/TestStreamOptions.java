package io.mtxtoolkit.testkit.stream;

import java.time.Duration;

/** How a synthetic H.264 + AAC test stream is made: picture size, frame rate, bitrates and duration. */
public record TestStreamOptions(int width, int height, int fps, int videoBitrate, int audioBitrate,
                                int sampleRate, Duration duration, boolean timecode) {
  /** Longest bounded run: far beyond any test, and its nanoseconds still fit a long. */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  public TestStreamOptions {
    if (fps < 1 || fps > 120) {
      throw new IllegalArgumentException("frame rate must be 1..120, got " + fps);
    }
    if (videoBitrate < 10_000 || audioBitrate < 8_000) {
      throw new IllegalArgumentException("bitrates too low: video " + videoBitrate + ", audio " + audioBitrate);
    }
    if (videoBitrate > 100_000_000) {
      throw new IllegalArgumentException("video bitrate must be at most 100000 kbit/s, got " + videoBitrate / 1000);
    }
    if (duration != null && (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0)) {
      throw new IllegalArgumentException("duration must be more than 0 and at most " + MAX_DURATION.toDays() + " days, got "
          + duration);
    }
  }

  /** 320x240 at 25 fps, 500 kbit/s video, 64 kbit/s AAC at 48 kHz, until stopped. */
  public static TestStreamOptions defaults() {
    return new TestStreamOptions(320, 240, 25, 500_000, 64_000, 48_000, null, false);
  }

  public TestStreamOptions withSize(int w, int h) {
    return new TestStreamOptions(w, h, fps, videoBitrate, audioBitrate, sampleRate, duration, timecode);
  }

  public TestStreamOptions withFps(int f) {
    return new TestStreamOptions(width, height, f, videoBitrate, audioBitrate, sampleRate, duration, timecode);
  }

  public TestStreamOptions withDuration(Duration d) {
    return new TestStreamOptions(width, height, fps, videoBitrate, audioBitrate, sampleRate, d, timecode);
  }

  public TestStreamOptions withVideoBitrate(int bps) {
    return new TestStreamOptions(width, height, fps, bps, audioBitrate, sampleRate, duration, timecode);
  }

  /** With the wall-clock time of each frame burned in ({@link Timecode}). */
  public TestStreamOptions withTimecode(boolean on) {
    return new TestStreamOptions(width, height, fps, videoBitrate, audioBitrate, sampleRate, duration, on);
  }

  /** Keyframe interval in frames: one per second, within the 1–2 s that players and MediaMTX handle well. */
  public int gopSize() {
    return fps;
  }
}
