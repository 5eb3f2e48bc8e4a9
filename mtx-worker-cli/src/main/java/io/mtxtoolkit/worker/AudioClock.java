package io.mtxtoolkit.worker;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacv.Frame;

/**
 * Keeps transcoded audio on the source's clock across a gap. The encoder stamps audio by counting samples,
 * while pictures keep their source time: after a gap in the source (a publisher's hiccup, a dropped
 * second) the audio would lag the pictures for the rest of the session. Silence fills the gap instead.
 */
final class AudioClock {
  /** Smaller gaps are jitter, which the encoder's sample count smooths out. */
  static final long TOLERANCE_MICROS = 100_000;
  /** No gap within a session is longer than the longest stall timeout; a longer one is a clock jump, not filled. */
  static final long MAX_FILL_MICROS = 60_000_000;
  /** Silence is written in pieces of at most this many samples per channel (one second at 48 kHz). */
  static final int MAX_PIECE = 48_000;

  private long samples;
  private int sampleRate;
  /** Session time of the first audio written, where the encoder's count starts. */
  private long originMicros;

  /** Microseconds of audio written so far. */
  long writtenMicros() {
    return sampleRate == 0 ? 0 : samples * 1_000_000 / sampleRate;
  }

  /** Samples per channel of silence to write before audio that belongs at {@code atMicros} (session time). */
  long silenceBefore(long atMicros, int rate) {
    if (sampleRate == 0) {
      sampleRate = rate;
      originMicros = atMicros;
      return 0; // the first audio starts the count
    }
    long gap = atMicros - originMicros - writtenMicros();
    return gap > TOLERANCE_MICROS && gap <= MAX_FILL_MICROS ? gap * sampleRate / 1_000_000 : 0;
  }

  /** Counts {@code frame}'s samples as written; call for every audio frame recorded, silence included. */
  void written(Frame frame) {
    samples += samplesPerChannel(frame);
  }

  /** Samples per channel in an audio frame, planar (a buffer per channel) or interleaved (one buffer). */
  static int samplesPerChannel(Frame frame) {
    int n = frame.samples[0].remaining();
    return frame.samples.length == 1 && frame.audioChannels > 1 ? n / frame.audioChannels : n;
  }

  /** A silent frame of {@code perChannel} samples in the layout and sample type of {@code like}. */
  static Frame silence(Frame like, int perChannel) {
    Frame quiet = new Frame();
    quiet.sampleRate = like.sampleRate;
    quiet.audioChannels = like.audioChannels;
    int length = like.samples.length == 1 ? perChannel * Math.max(1, like.audioChannels) : perChannel;
    quiet.samples = new Buffer[like.samples.length];
    for (int i = 0; i < quiet.samples.length; i++) {
      quiet.samples[i] = zeros(like.samples[i], length);
    }
    return quiet;
  }

  private static Buffer zeros(Buffer like, int length) {
    if (like instanceof FloatBuffer) {
      return FloatBuffer.allocate(length);
    } else if (like instanceof ShortBuffer) {
      return ShortBuffer.allocate(length);
    } else if (like instanceof IntBuffer) {
      return IntBuffer.allocate(length);
    } else if (like instanceof DoubleBuffer) {
      return DoubleBuffer.allocate(length);
    }
    // unsigned 8-bit audio is silent at its midpoint
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      b.put((byte) 0x80);
    }
    return b.flip();
  }
}
