package io.mtxtoolkit.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Carries each track's timestamps across a jump of the source's clock (an encoder or relay re-basing it without
 * ending the session), so /out's time keeps going as the time that passed does. Without it a jump back would have
 * every packet mended to its predecessor's time plus one tick (passthrough) or every picture dropped (transcode)
 * until the source's clock caught up, and a jump ahead would freeze /out's players for its length.
 *
 * <p>A track's step counts as a jump when it goes back more than {@link #BACK_MICROS}, or ahead of the time that
 * passed since the track's last packet by more than {@code aheadMicros}: a real gap in the source takes its time
 * on the wire too, and a burst after a network stall advances each packet by a frame, not by the stall. Tracks are
 * re-based one by one (each jumps at its next packet), so they stay within about a packet of each other.
 */
final class SourceClock {
  /** A step back of more than this is a jump; smaller ones are jitter that per-stream mending absorbs. */
  static final long BACK_MICROS = 1_000_000;
  /** The least step ahead of elapsed time that counts as a jump. */
  static final long MIN_AHEAD_MICROS = 5_000_000;

  private final long aheadMicros;
  /** Per track: {last source time, the session time given for it, when it came (ns), shift to add (µs)}. */
  private final Map<Integer, long[]> tracks = new HashMap<>();
  private long jumps;
  private long lastJumpMicros;

  /**
   * {@code stallMicros}: the worker's stall timeout. No gap longer than it can come in a session, so a step ahead
   * of the elapsed time by more than it (and at least {@link #MIN_AHEAD_MICROS}) is a jump.
   */
  SourceClock(long stallMicros) {
    this.aheadMicros = Math.max(MIN_AHEAD_MICROS, stallMicros);
  }

  /**
   * The session time of a packet or frame of {@code track} at source time {@code sourceMicros}, seen at
   * {@code nowNanos} (System.nanoTime). A jump makes the track's time continue from its last one by the time
   * that passed; other times keep their source's steps. {@link MonotonicTimestamps#NONE} passes unchanged.
   */
  long toSession(int track, long sourceMicros, long nowNanos) {
    if (sourceMicros == MonotonicTimestamps.NONE) {
      return sourceMicros;
    }
    long[] last = tracks.get(track);
    if (last == null) {
      tracks.put(track, new long[] {sourceMicros, sourceMicros, nowNanos, 0});
      return sourceMicros;
    }
    long step = sourceMicros - last[0];
    long elapsed = Math.max(0, (nowNanos - last[2]) / 1000);
    if (step < -BACK_MICROS || step > elapsed + aheadMicros) {
      last[3] = last[1] + elapsed - sourceMicros;
      jumps++;
      lastJumpMicros = step;
    }
    last[0] = sourceMicros;
    last[1] = sourceMicros + last[3];
    last[2] = nowNanos;
    return last[1];
  }

  /** Jumps bridged so far, over all tracks. */
  long jumps() {
    return jumps;
  }

  /** The last jump's size on its track's source clock, in microseconds (negative: back). */
  long lastJumpMicros() {
    return lastJumpMicros;
  }
}
