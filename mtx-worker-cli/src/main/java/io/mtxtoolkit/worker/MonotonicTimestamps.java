package io.mtxtoolkit.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps each stream's decoding timestamps increasing, as muxers require, the way the ffmpeg CLI mends a
 * live source's: an RTSP input re-syncs its clock on RTCP sender reports and may hand over a packet
 * without a DTS, and FFmpeg's FLV muxer refuses a packet whose DTS goes back, which would end the session.
 */
final class MonotonicTimestamps {
  /** FFmpeg's AV_NOPTS_VALUE. */
  static final long NONE = Long.MIN_VALUE;

  private final Map<Integer, Long> lastDts = new HashMap<>();
  private long mended;

  /** The packet's {pts, dts}, mended where needed, in the stream's own time base. */
  long[] mend(int stream, long pts, long dts) {
    Long last = lastDts.get(stream);
    long outDts = dts == NONE ? pts : dts;
    if (last != null && (outDts == NONE || outDts <= last)) {
      outDts = last + 1;
    }
    long outPts = pts != NONE && outDts != NONE && pts < outDts ? outDts : pts;
    if (outDts != dts || outPts != pts) {
      mended++;
    }
    if (outDts != NONE) {
      lastDts.put(stream, outDts);
    }
    return new long[] {outPts, outDts};
  }

  /** Packets whose timestamps were changed so far. */
  long mended() {
    return mended;
  }
}
