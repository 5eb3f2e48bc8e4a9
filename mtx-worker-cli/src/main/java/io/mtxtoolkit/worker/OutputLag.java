package io.mtxtoolkit.worker;

import java.util.OptionalLong;

/**
 * The delay {@code /out} has gained behind a live {@code /in}: a live source's media time advances with the wall
 * clock, so the wall time since the session's first published packet, less the media time published since, is what
 * the output has fallen behind (a worker that cannot keep up, or a stall). It counts from the best alignment seen:
 * the frames FFmpeg held back while probing arrive in a burst, ahead of the wall clock, and move the reference
 * forward; a delay present from the start (probing, encoding) is not in it. A source clock that jumps back (an RTSP
 * resync) starts the reference afresh.
 */
final class OutputLag {
  /** A source clock going back further than this has been reset, not merely interleaved tracks. */
  private static final long CLOCK_JUMP_MICROS = 1_000_000;
  private boolean started;
  private long baseNanos;
  private long baseMicros;
  private long newestMicros;

  /** A new session: its source's clock starts anywhere. */
  synchronized void reset() {
    started = false;
  }

  /** A packet or frame of source time {@code mediaMicros} was published at {@code nowNanos} (System.nanoTime). */
  synchronized void published(long mediaMicros, long nowNanos) {
    if (!started) {
      started = true;
      baseNanos = nowNanos;
      baseMicros = mediaMicros;
      newestMicros = mediaMicros;
      return;
    }
    if (mediaMicros < newestMicros - CLOCK_JUMP_MICROS) {
      baseNanos = nowNanos;
      baseMicros = mediaMicros;
      newestMicros = mediaMicros;
      return;
    }
    newestMicros = Math.max(newestMicros, mediaMicros);
    long mediaNanos = (newestMicros - baseMicros) * 1000;
    if (nowNanos - baseNanos < mediaNanos) {
      baseNanos = nowNanos - mediaNanos; // ahead of the wall clock: the start was late, not the output early
    }
  }

  /** The lag at {@code nowNanos} in milliseconds, empty before the session's first published packet. */
  synchronized OptionalLong millis(long nowNanos) {
    if (!started) {
      return OptionalLong.empty();
    }
    long behindNanos = (nowNanos - baseNanos) - (newestMicros - baseMicros) * 1000;
    return OptionalLong.of(Math.max(0, behindNanos / 1_000_000));
  }
}
