package io.mtxtoolkit.testkit.stream;

/**
 * What {@code mtx-testkit play} saw: codecs, picture, frame rate, frames and gaps, and per-frame latency
 * when the source carries a {@link Timecode}.
 *
 * @param gaps video frame intervals longer than 2.5 nominal frame durations
 * @param measuredFps over the read after its first second, or from the frames' times on a shorter one; 0: unknown
 * @param latencyMs p50, p95 and max, or null without a timecode or a frame carrying one after the first second
 * @param timecodeFrames video frames that carried a timecode, the first second's included
 */
public record PlayReport(String url, String videoCodec, String audioCodec, int width, int height, double nominalFps,
                         double measuredFps, long videoFrames, long audioFrames, int gaps, double seconds,
                         Latency latencyMs, long timecodeFrames) {
  /** Latency percentiles in milliseconds over {@code samples} frames. */
  public record Latency(long p50, long p95, long max, long samples) {}

  /** One human-readable line. */
  public String summary() {
    String base = String.format("%s: video %s %dx%d @ %s fps (nominal %.1f), audio %s; %d video / %d audio frames in %.1f s, %d gaps",
        url, videoCodec, width, height, measuredFps > 0 ? String.format("%.1f", measuredFps) : "?", nominalFps, audioCodec,
        videoFrames, audioFrames, seconds, gaps);
    if (latencyMs == null) {
      return base + (timecodeFrames == 0 ? "; no timecode"
          : "; timecode in " + timecodeFrames + " frames, all in the first second, which latency leaves out (read longer)");
    }
    return base + String.format("; latency p50 %d ms, p95 %d ms, max %d ms (%d frames)", latencyMs.p50(), latencyMs.p95(),
            latencyMs.max(), latencyMs.samples());
  }
}
