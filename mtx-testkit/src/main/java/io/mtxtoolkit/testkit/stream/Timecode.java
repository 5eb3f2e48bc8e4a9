package io.mtxtoolkit.testkit.stream;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.bytedeco.javacv.Frame;

/**
 * Wall-clock time burned into a picture as black and white blocks, so a reader on the same machine can
 * compute per-frame latency. 40 bits of milliseconds plus an 8-bit CRC, in two rows of 24 blocks across
 * the top of the frame; blocks are large enough to survive H.264 at the test kit's default bitrate, and
 * the CRC rejects a frame whose blocks were smeared.
 */
public final class Timecode {
  static final int COLUMNS = 24;
  static final int ROWS = 2;
  /** Narrowest picture whose blocks (4 pixels wide at least) a reader can tell apart after H.264. */
  public static final int MIN_WIDTH = COLUMNS * 4;
  private static final long MASK40 = (1L << 40) - 1;

  private Timecode() {}

  /** Height in pixels of the band the code occupies at the top of a {@code height}-pixel frame. */
  public static int bandHeight(int height) {
    return ROWS * blockHeight(height);
  }

  private static int blockHeight(int height) {
    return Math.max(8, height / 16);
  }

  /** Writes {@code epochMillis} into a BGR24 frame. */
  public static void write(Frame frame, long epochMillis) {
    long bits = ((epochMillis & MASK40) << 8) | crc8(epochMillis & MASK40);
    ByteBuffer buf = (ByteBuffer) frame.image[0];
    int stride = frame.imageStride;
    int bw = frame.imageWidth / COLUMNS;
    int bh = blockHeight(frame.imageHeight);
    for (int i = 0; i < COLUMNS * ROWS; i++) {
      boolean one = ((bits >>> (47 - i)) & 1) == 1;
      byte v = (byte) (one ? 255 : 0);
      int x0 = (i % COLUMNS) * bw;
      int y0 = (i / COLUMNS) * bh;
      for (int y = y0; y < y0 + bh; y++) {
        for (int x = x0; x < x0 + bw; x++) {
          int at = y * stride + x * 3;
          buf.put(at, v);
          buf.put(at + 1, v);
          buf.put(at + 2, v);
        }
      }
    }
  }

  /** Reads the time from a decoded BGR24 frame, or empty when there is no valid code. */
  public static OptionalLong read(Frame frame) {
    if (frame == null || frame.image == null || frame.imageChannels < 3 || frame.imageWidth < MIN_WIDTH
        || frame.imageHeight < ROWS * blockHeight(frame.imageHeight)) {
      return OptionalLong.empty(); // too short for the code's rows: whatever is there, no code can be
    }
    ByteBuffer buf = (ByteBuffer) frame.image[0];
    int stride = frame.imageStride;
    int bw = frame.imageWidth / COLUMNS;
    int bh = blockHeight(frame.imageHeight);
    long bits = 0;
    for (int i = 0; i < COLUMNS * ROWS; i++) {
      int cx = (i % COLUMNS) * bw + bw / 2;
      int cy = (i / COLUMNS) * bh + bh / 2;
      int sum = 0;
      int n = 0;
      // Average the block's central third: edges blur under compression.
      for (int y = cy - bh / 6; y <= cy + bh / 6; y++) {
        for (int x = cx - bw / 6; x <= cx + bw / 6; x++) {
          int at = y * stride + x * 3;
          sum += (buf.get(at) & 0xff) + (buf.get(at + 1) & 0xff) + (buf.get(at + 2) & 0xff);
          n += 3;
        }
      }
      int level = sum / n;
      if (level > DARK && level < LIGHT) {
        // A code's blocks are black or white, softened a little by H.264; a grey or coloured block (the test
        // pattern's bars: red averages 85, yellow 170) means there is no code, whatever the CRC would say.
        return OptionalLong.empty();
      }
      bits = (bits << 1) | (level >= LIGHT ? 1 : 0);
    }
    long millis = bits >>> 8;
    return crc8(millis) == (bits & 0xff) ? OptionalLong.of(millis) : OptionalLong.empty();
  }

  /** Brightest block average that reads as black, and darkest that reads as white. */
  static final int DARK = 64;
  static final int LIGHT = 192;
  /** A latency within this of zero can be real; anything else is a code of another run, or a chance match. */
  static final long PLAUSIBLE_MS = 60_000;
  /** A clock read after the stamp can still be a little behind it (two clocks, or one adjusted). */
  static final long TOLERATED_EARLY_MS = 1_000;

  /**
   * Latency in ms of a frame stamped {@code code} (40-bit wall clock) seen at {@code nowMillis}: signed, so a
   * wall clock stepped back between stamp and reading shows as negative rather than as 34 years.
   */
  public static long latency(long code, long nowMillis) {
    long diff = ((nowMillis & MASK40) - code) & MASK40;
    return diff >= (1L << 39) ? diff - (1L << 40) : diff;
  }

  /** {@link #latency}, or empty when it is no latency of a frame of this run: beyond a minute, or over 1 s early. */
  public static OptionalLong plausibleLatency(long code, long nowMillis) {
    long ms = latency(code, nowMillis);
    return ms >= -TOLERATED_EARLY_MS && ms <= PLAUSIBLE_MS ? OptionalLong.of(ms) : OptionalLong.empty();
  }

  static int crc8(long value) {
    int crc = 0;
    for (int i = 4; i >= 0; i--) {
      crc ^= (int) ((value >>> (i * 8)) & 0xff);
      for (int b = 0; b < 8; b++) {
        crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      }
    }
    return crc;
  }
}
