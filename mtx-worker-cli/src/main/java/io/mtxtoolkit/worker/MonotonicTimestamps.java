package io.mtxtoolkit.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps each stream's decoding timestamps increasing, as muxers require, the way the ffmpeg CLI mends a
 * live source's: an RTSP input re-syncs its clock on RTCP sender reports and may hand over a packet
 * without a DTS, and FFmpeg's FLV muxer refuses a packet whose DTS goes back, which would end the session.
 *
 * <p>Given the session's tracks, it also keeps packets from falling before the first one the muxer writes. FFmpeg's
 * FLV muxer refuses any packet older than that one, and with a short interleaving bound (a source whose audio
 * comes late) it may be a picture written before older audio arrived. The muxer writes its first packet, the
 * oldest it holds, as soon as every track has handed one or the packets it holds span more than the bound; this
 * class follows the same rule to know that packet's time. Later, older video is moved up to it (a picture cannot
 * be left out without breaking the ones after it) and older audio is left out.
 */
final class MonotonicTimestamps {
  /** FFmpeg's AV_NOPTS_VALUE. */
  static final long NONE = Long.MIN_VALUE;

  private final Map<Integer, Long> lastDts = new HashMap<>();
  /** Each stream's time base {num, den} by stream index; null: per-stream mending only. */
  private final int[][] timeBases;
  private final int tracks;
  private final int audioStream;
  private final long windowMicros;
  /** Streams handed over before the muxer's first write, and the span of their timestamps (µs). */
  private final Set<Integer> handed = new HashSet<>();
  private long oldestMicros = NONE;
  private long newestMicros = NONE;
  /** The time of the first packet the muxer writes (µs); NONE until known. */
  private long floorMicros = NONE;
  private long mended;
  private long dropped;

  /** Per-stream mending only. */
  MonotonicTimestamps() {
    this(null, 0, -1, Duration.ZERO);
  }

  /**
   * With the muxer's first packet kept as a floor: {@code timeBases} by stream index, the number of {@code tracks}
   * the muxer carries, which stream is the audio ({@code -1}: none), and the muxer's interleaving bound.
   */
  MonotonicTimestamps(int[][] timeBases, int tracks, int audioStream, Duration interleaveBound) {
    this.timeBases = timeBases;
    this.tracks = tracks;
    this.audioStream = audioStream;
    this.windowMicros = interleaveBound.toNanos() / 1000;
  }

  /** The packet's {pts, dts}, mended where needed, in the stream's own time base; null when it is to be left out. */
  long[] mend(int stream, long pts, long dts) {
    Long last = lastDts.get(stream);
    long outDts = dts == NONE ? pts : dts;
    boolean timed = timeBases != null && stream < timeBases.length && timeBases[stream][0] > 0 && timeBases[stream][1] > 0;
    if (timed && floorMicros != NONE) {
      long least = ticksAtLeast(floorMicros, timeBases[stream]);
      if (outDts == NONE || outDts < least) {
        if (stream == audioStream && outDts != NONE) {
          dropped++;
          return null;
        }
        outDts = last == null ? least : Math.max(least, last + 1);
      }
    }
    if (last != null && (outDts == NONE || outDts <= last)) {
      outDts = last + 1;
    }
    long outPts = pts != NONE && outDts != NONE && pts < outDts ? outDts : pts;
    if (outDts != dts || outPts != pts) {
      mended++;
    }
    if (outDts != NONE) {
      lastDts.put(stream, outDts);
      if (timed && floorMicros == NONE) {
        followFirstWrite(stream, micros(outDts, timeBases[stream]));
      }
    }
    return new long[] {outPts, outDts};
  }

  /** The muxer's rule for its first write, on the packets handed so far. */
  private void followFirstWrite(int stream, long micros) {
    handed.add(stream);
    oldestMicros = oldestMicros == NONE ? micros : Math.min(oldestMicros, micros);
    newestMicros = newestMicros == NONE ? micros : Math.max(newestMicros, micros);
    if (handed.size() >= tracks || newestMicros - oldestMicros > windowMicros) {
      floorMicros = oldestMicros;
    }
  }

  /** {@code timestamp} in microseconds, rounded down. */
  static long micros(long timestamp, int[] timeBase) {
    return Math.floorDiv(timestamp * timeBase[0] * 1_000_000L, timeBase[1]);
  }

  /** The smallest timestamp in time base {num, den} at or after {@code micros}. */
  static long ticksAtLeast(long micros, int[] timeBase) {
    long scale = timeBase[0] * 1_000_000L;
    return -Math.floorDiv(-micros * timeBase[1], scale);
  }

  /** Packets whose timestamps were changed so far. */
  long mended() {
    return mended;
  }

  /** Audio packets left out so far, older than the muxer's first packet. */
  long dropped() {
    return dropped;
  }
}
