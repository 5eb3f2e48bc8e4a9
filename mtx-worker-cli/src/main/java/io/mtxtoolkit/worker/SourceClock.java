package io.mtxtoolkit.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Carries a session's timestamps across a jump of the source's clock (an encoder or relay re-basing it without
 * ending the session), so /out's time keeps going as the time that passed does. Without it a jump back would have
 * every packet mended to its predecessor's time plus one tick (passthrough) or every picture dropped (transcode)
 * until the source's clock caught up, and a jump ahead would freeze /out's players for its length.
 *
 * <p>A track's step is a jump when it goes back more than {@link #BACK_MICROS}, or ahead of the time that passed
 * since the track's last packet by more than the ahead bound: a real gap takes its time on the wire too, and a burst
 * after a network stall advances each packet by a frame, not by the stall. A jump is bridged at once for its own
 * track, and kept only when it proves to be the whole source's:
 * <ul>
 *   <li>every track that is sending (one silent for {@link #SILENT_NANOS} is not waited for) jumps by about the same
 *       amount ({@link #AGREE_MICROS}) within {@link #CONFIRM_NANOS}; all then take the first track's shift, so the
 *       source's own alignment of its tracks is kept, and a silent track is moved onto the new clock with them;</li>
 *   <li>otherwise it is undone: a track that comes back to its old clock was one odd packet, and a track whose clock
 *       alone moved is being aligned with the others (FFmpeg's RTSP reader does that at a track's first RTCP
 *       sender report), which must stand.</li>
 * </ul>
 */
final class SourceClock {
  /** A step back of more than this is a jump; smaller ones are jitter that per-stream mending absorbs. */
  static final long BACK_MICROS = 1_000_000;
  /** The least step ahead of elapsed time that counts as a jump. */
  static final long MIN_AHEAD_MICROS = 5_000_000;
  /** Tracks whose jumps differ by less than this moved together. */
  static final long AGREE_MICROS = 1_000_000;
  /** How long the other tracks have to follow a track's jump. */
  static final long CONFIRM_NANOS = 2_000_000_000L;
  /** A track with no packet for this long is silent, and not waited for: shorter than {@link #CONFIRM_NANOS}. */
  static final long SILENT_NANOS = 1_000_000_000L;

  /** One track's clock. */
  private static final class Track {
    long lastSource;
    long lastAtNanos;
    /** Added to source time (µs) for the session's time. */
    long shift;
    /** A jump not confirmed yet: bridged for this track only, undone unless confirmed. */
    boolean pending;
    /** While pending: the shift before the jump, and when the jump came. */
    long shiftBefore;
    long pendingSince;
    /** While pending: a packet after the jump went on from it, so it was no single odd packet. */
    boolean steady;
    /** While pending: the old clock's last time and when it came, to see a return to it. */
    long oldSource;
    long oldAtNanos;
    /** The jump undone by {@link #expire} while the track fell silent after it (its last time is on the new clock). */
    boolean expired;
    long expiredJump;

    /** The jump bridged while pending, in source microseconds. */
    long jump() {
      return shiftBefore - shift;
    }
  }

  private final long aheadMicros;
  private final Map<Integer, Track> clocks = new HashMap<>();
  /** The shift of the source's last confirmed jump: a track first seen after it starts with it. */
  private long sessionShift;
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
   * {@code nowNanos} (System.nanoTime). {@link MonotonicTimestamps#NONE} passes unchanged.
   */
  long toSession(int track, long sourceMicros, long nowNanos) {
    if (sourceMicros == MonotonicTimestamps.NONE) {
      return sourceMicros;
    }
    Track t = clocks.get(track);
    if (t == null) {
      t = new Track();
      t.lastSource = sourceMicros;
      t.lastAtNanos = nowNanos;
      t.shift = sessionShift;
      clocks.put(track, t);
      return sourceMicros + t.shift;
    }
    expire(nowNanos);
    t.expired = false; // sending again: its own clock, whatever it did before
    long step = sourceMicros - t.lastSource;
    boolean onNewClock = fits(step, micros(nowNanos - t.lastAtNanos));
    // On its old clock, a track's time advances as time passes (a file read faster than real time, by a few packets)
    if (t.pending && Math.abs(sourceMicros - t.oldSource - micros(nowNanos - t.oldAtNanos)) <= BACK_MICROS) {
      t.shift = t.shiftBefore; // back on its old clock: the jump was one odd packet
      t.pending = false;
    } else if (!onNewClock) {
      if (!t.pending) {
        t.pending = true;
        t.shiftBefore = t.shift;
        t.oldSource = t.lastSource;
        t.oldAtNanos = t.lastAtNanos;
      }
      t.shift -= step - micros(nowNanos - t.lastAtNanos);
      t.pendingSince = nowNanos;
      t.steady = false;
    } else if (t.pending) {
      t.steady = true;
    }
    t.lastSource = sourceMicros;
    t.lastAtNanos = nowNanos;
    if (t.pending && t.steady) {
      confirm(nowNanos); // this track sends now, so it is among those confirming
    }
    return sourceMicros + t.shift;
  }

  /** The session time of a time of {@code track} that cannot tell a jump (a packet without its DTS), seen at {@code nowNanos}. */
  long shifted(int track, long sourceMicros, long nowNanos) {
    expire(nowNanos);
    Track t = clocks.get(track);
    return t == null || sourceMicros == MonotonicTimestamps.NONE ? sourceMicros : sourceMicros + t.shift;
  }

  private static long micros(long nanos) {
    return Math.max(0, nanos / 1000);
  }

  private boolean fits(long step, long elapsed) {
    return step >= -BACK_MICROS && step <= elapsed + aheadMicros;
  }

  /**
   * When every track still sending has jumped alike and gone on from it, the jump is the source's: all take the
   * first one's shift. A silent track (none for {@link #SILENT_NANOS}) is not waited for: one that made the same jump
   * before falling silent takes the shift too, one whose jump differed keeps its own clock, and one that has not
   * jumped is moved onto the new clock, so that its next packet is no jump of its own.
   */
  private void confirm(long nowNanos) {
    Track first = null;
    for (Track t : clocks.values()) {
      boolean silent = nowNanos - t.lastAtNanos > SILENT_NANOS;
      if (!silent && !(t.pending && t.steady)) {
        return; // sending, and not (yet) going on from the same jump
      }
      if (!silent && (first == null || t.pendingSince - first.pendingSince < 0)) {
        first = t;
      }
    }
    long jump = first.jump();
    for (Track t : clocks.values()) {
      if (nowNanos - t.lastAtNanos <= SILENT_NANOS && Math.abs(t.jump() - jump) >= AGREE_MICROS) {
        return;
      }
    }
    for (Track t : clocks.values()) {
      if (t.expired && Math.abs(t.expiredJump - jump) < AGREE_MICROS) {
        t.shift -= jump; // made this jump before it fell silent, and waited for longer than allowed
        t.expired = false;
      } else if (!t.pending) {
        t.shift -= jump;
        t.lastSource += jump;
      } else {
        t.shift = Math.abs(t.jump() - jump) < AGREE_MICROS ? t.shiftBefore - jump : t.shiftBefore;
        t.pending = false;
      }
    }
    sessionShift = first.shift;
    jumps++;
    lastJumpMicros = jump;
  }

  /** Undoes jumps the other tracks did not follow in time: that track's clock alone moved, as it meant to. */
  private void expire(long nowNanos) {
    for (Track t : clocks.values()) {
      if (t.pending && nowNanos - t.pendingSince > CONFIRM_NANOS) {
        t.expired = true;
        t.expiredJump = t.jump();
        t.shift = t.shiftBefore;
        t.pending = false;
      }
    }
  }

  /** Jumps of the whole source bridged so far. */
  long jumps() {
    return jumps;
  }

  /** The last bridged jump: how far the source's clock moved beyond the time that passed, in µs (negative: back). */
  long lastJumpMicros() {
    return lastJumpMicros;
  }
}
