package io.mtxtoolkit.testkit.stream;

/**
 * Per-frame latencies counted per whole millisecond from 0 to {@link #MAX_MS}: a read that lasts days keeps a
 * fixed size, and its percentiles are the same as those of the sorted values.
 */
final class LatencyHistogram {
  /** Timecodes later than this are not taken for this run's ({@link Timecode#plausibleLatency}). */
  static final int MAX_MS = 60_000;

  private final long[] counts = new long[MAX_MS + 1];
  private long samples;

  /** Counts {@code ms}, below 0 as 0 (a clock's jitter is no latency) and above {@link #MAX_MS} as that. */
  void add(long ms) {
    counts[(int) Math.min(MAX_MS, Math.max(0, ms))]++;
    samples++;
  }

  /** p50, p95 and max, or null when nothing was counted. */
  PlayReport.Latency latency() {
    if (samples == 0) {
      return null;
    }
    return new PlayReport.Latency(at((samples - 1) / 2), at((long) Math.ceil(samples * 0.95) - 1), at(samples - 1),
        samples);
  }

  /** The value of 0-based {@code rank} in sorted order. */
  private long at(long rank) {
    long seen = 0;
    for (int ms = 0; ms < counts.length; ms++) {
      seen += counts[ms];
      if (seen > rank) {
        return ms;
      }
    }
    throw new IllegalStateException("rank " + rank + " of " + samples);
  }
}
