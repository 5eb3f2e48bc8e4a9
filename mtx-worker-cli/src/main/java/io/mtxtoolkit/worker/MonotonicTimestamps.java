package io.mtxtoolkit.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps each stream's decoding timestamps increasing, as muxers require, the way the ffmpeg CLI mends a
 * live source's: an RTSP input re-syncs its clock on RTCP sender reports and may hand over a packet
 * without a DTS, and FFmpeg's FLV muxer refuses a packet whose DTS goes back, which would end the session.
 * Given the streams' time bases, it also keeps every packet at or after the session's first one, across
 * streams: the FLV muxer refuses a packet older than the first it wrote, and with a short interleaving bound
 * (a source whose audio comes late) that first one may be a picture written before older audio arrived.
 */
final class MonotonicTimestamps {
  /** FFmpeg's AV_NOPTS_VALUE. */
  static final long NONE = Long.MIN_VALUE;

  private final Map<Integer, Long> lastDts = new HashMap<>();
  /** Each stream's time base {num, den}; null: no floor across streams. */
  private final int[][] timeBases;
  /** The first DTS handed over, in microseconds; NONE before it. */
  private long floorMicros = NONE;
  private long mended;

  /** Per-stream mending only. */
  MonotonicTimestamps() {
    this(null);
  }

  /** With the session's floor across streams, from each stream's time base {num, den} by stream index. */
  MonotonicTimestamps(int[][] timeBases) {
    this.timeBases = timeBases;
  }

  /** The packet's {pts, dts}, mended where needed, in the stream's own time base. */
  long[] mend(int stream, long pts, long dts) {
    Long last = lastDts.get(stream);
    long outDts = dts == NONE ? pts : dts;
    boolean timed = timeBases != null && stream < timeBases.length && timeBases[stream][1] != 0;
    if (timed && outDts != NONE && floorMicros != NONE) {
      outDts = Math.max(outDts, ticksAtLeast(floorMicros, timeBases[stream]));
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
        floorMicros = StreamWorker.micros(outDts, timeBases[stream][0], timeBases[stream][1]);
      }
    }
    return new long[] {outPts, outDts};
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
}
