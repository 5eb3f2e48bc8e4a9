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
  /**
   * Streams handed over before the muxer's first write, and the span of their timestamps in FLV's milliseconds,
   * rounded as the muxer rounds them: the muxer decides on those, so the emulation does too.
   */
  private final Set<Integer> handed = new HashSet<>();
  private long oldestMillis = NONE;
  private long newestMillis = NONE;
  /** The time of the first packet the muxer writes (FLV ms); NONE until known. */
  private long floorMillis = NONE;
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
    if (timed && floorMillis != NONE && (outDts == NONE || millis(outDts, timeBases[stream]) < floorMillis)) {
      if (stream == audioStream && outDts != NONE) {
        dropped++;
        return null;
      }
      long least = ticksAtLeast(floorMillis * 1000, timeBases[stream]);
      outDts = last == null ? least : Math.max(least, last + 1);
    }
    if (last != null && (outDts == NONE || outDts <= last)) {
      outDts = last + 1;
    }
    // a packet without a PTS gets its DTS (mended or made up) as its PTS too: FLV refuses a packet with none
    long outPts = pts == NONE ? outDts : outDts != NONE && pts < outDts ? outDts : pts;
    if (outDts != dts || outPts != pts) {
      mended++;
    }
    if (outDts != NONE) {
      lastDts.put(stream, outDts);
      if (timed && floorMillis == NONE) {
        followFirstWrite(stream, millis(outDts, timeBases[stream]));
      }
    }
    return new long[] {outPts, outDts};
  }

  /** The muxer's rule for its first write, on the packets handed so far. */
  private void followFirstWrite(int stream, long millis) {
    handed.add(stream);
    oldestMillis = oldestMillis == NONE ? millis : Math.min(oldestMillis, millis);
    newestMillis = newestMillis == NONE ? millis : Math.max(newestMillis, millis);
    if (handed.size() >= tracks || (newestMillis - oldestMillis) * 1000 > windowMicros) {
      floorMillis = oldestMillis;
    }
  }

  /**
   * {@code timestamp} in FLV's milliseconds as the recorder rescales it (javacv's recordPacket: av_rescale_q_rnd,
   * to the nearest, halves away from zero).
   */
  static long millis(long timestamp, int[] timeBase) {
    long scaled = timestamp * timeBase[0] * 1000L;
    long rounded = (Math.abs(scaled) * 2 + timeBase[1]) / (2L * timeBase[1]);
    return scaled < 0 ? -rounded : rounded;
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
