package io.mtxtoolkit.testkit.stream;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacv.Frame;

/**
 * Synthetic video and audio: colour bars with a bar that sweeps one step per frame (a frozen
 * picture is visible as such) and a sine tone. Deterministic for a given frame number.
 */
public final class TestPattern {
  private static final int[][] BARS_BGR = {
      {255, 255, 255}, {0, 255, 255}, {255, 255, 0}, {0, 255, 0},
      {255, 0, 255}, {0, 0, 255}, {255, 0, 0}, {16, 16, 16}};

  private final int width;
  private final int height;
  private final int sampleRate;
  private final double toneHz;
  private final Frame video;
  private long samplesWritten;
  private long audioFrames;

  public TestPattern(int width, int height, int sampleRate, double toneHz) {
    checkSize(width, height);
    this.width = width;
    this.height = height;
    this.sampleRate = sampleRate;
    this.toneHz = toneHz;
    this.video = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
  }

  /** Largest picture drawn: 8K UHD, about what H.264's highest levels carry (a frame of it takes 100 MB). */
  public static final int MAX_WIDTH = 7680;
  public static final int MAX_HEIGHT = 4320;

  /** Checks a picture size without drawing anything: even, 16x16 to {@link #MAX_WIDTH}x{@link #MAX_HEIGHT}. */
  public static void checkSize(int width, int height) {
    if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0 || width > MAX_WIDTH || height > MAX_HEIGHT) {
      throw new IllegalArgumentException("picture size must be even, from 16x16 to " + MAX_WIDTH + "x" + MAX_HEIGHT
          + ", got " + width + "x" + height);
    }
  }

  /** Draws frame {@code n} into a reused BGR24 frame and returns it. */
  public Frame videoFrame(long n) {
    ByteBuffer buf = (ByteBuffer) video.image[0];
    int stride = video.imageStride;
    int barWidth = Math.max(1, width / BARS_BGR.length);
    int sweepWidth = Math.max(2, width / 32);
    int sweepX = (int) ((n * sweepWidth / 2) % width);
    byte[] row = new byte[stride];
    for (int y = 0; y < height; y++) {
      boolean lowerBand = y >= height * 3 / 4;
      for (int x = 0; x < width; x++) {
        int[] bgr = BARS_BGR[Math.min(BARS_BGR.length - 1, x / barWidth)];
        int b = bgr[0];
        int g = bgr[1];
        int r = bgr[2];
        if (x >= sweepX && x < sweepX + sweepWidth) {
          b = g = r = lowerBand ? 255 : 0;
        } else if (lowerBand) {
          int shade = (int) ((x + n * 4) % 256);
          b = g = r = shade;
        }
        row[x * 3] = (byte) b;
        row[x * 3 + 1] = (byte) g;
        row[x * 3 + 2] = (byte) r;
      }
      buf.position(y * stride);
      buf.put(row, 0, stride);
    }
    buf.rewind();
    return video;
  }

  /** Mono 16-bit samples of the tone covering one frame at {@code fps}; continues the phase across calls. */
  public ShortBuffer audioForFrame(double fps) {
    // Frame k's share ends at round((k+1) * rate / fps): over any run the counts add up to the exact
    // duration, where a fixed round(rate / fps) drifts (at 90 fps, 2.25 s an hour behind the video).
    long k = audioFrames++;
    int count = (int) (Math.round((k + 1) * sampleRate / fps) - Math.round(k * sampleRate / fps));
    short[] samples = new short[count];
    for (int i = 0; i < count; i++) {
      double t = (samplesWritten + i) / (double) sampleRate;
      samples[i] = (short) (Math.sin(2 * Math.PI * toneHz * t) * 0.3 * Short.MAX_VALUE);
    }
    samplesWritten += count;
    return ShortBuffer.wrap(samples);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int sampleRate() {
    return sampleRate;
  }
}
