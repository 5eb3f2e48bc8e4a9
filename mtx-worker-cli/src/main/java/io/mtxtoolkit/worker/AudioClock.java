package io.mtxtoolkit.worker;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacv.Frame;

/**
 * Keeps transcoded audio on the pictures' clock. The encoder stamps audio by counting samples from 0, the first
 * picture's time, while pictures keep their source time: audio that starts after the first picture, leaves a gap
 * (a publisher's hiccup, a dropped second) or stops would otherwise play early or late for the rest of the session.
 * Silence fills what is missing, and audio the count has already passed is dropped.
 */
final class AudioClock {
  /** Smaller differences are jitter, which the encoder's sample count smooths out. */
  static final long TOLERANCE_MICROS = 100_000;
  /**
   * How far the audio may fall behind the pictures before silence keeps it up (an audio track that stopped, or has
   * not started): well inside the muxer's 1 s wait for a packet of each track, so that it never writes a second of
   * pictures alone and then refuses the audio, whose first packet (the encoder's priming) is older.
   */
  static final long LAG_MICROS = 500_000;
  /**
   * The longest wait for the source's audio before silence: a source that sends its audio in bursts waits as long as
   * its longest gap so far (plus the tolerance), up to this, still inside the muxer's 1 s.
   */
  static final long MAX_WAIT_MICROS = 900_000;
  /**
   * The most one picture's step counts toward the wait: a step of the pictures' time alone (a track re-aligned at its
   * first RTCP report) counts as one picture, while a worker catching up counts in full. Below 4 pictures a second the
   * wait is that many pictures, longer than its time.
   */
  static final long MAX_STEP_MICROS = 250_000;
  /** No gap within a session is longer than the longest stall timeout; a longer one is a clock jump, not filled. */
  static final long MAX_FILL_MICROS = 60_000_000;
  /** Silence is written in pieces of at most this many samples per channel (one second at 48 kHz). */
  static final int MAX_PIECE = 48_000;

  private final boolean withPictures;
  private long samples;
  private int sampleRate;
  /** Where the encoder's count starts: the first picture (0) or, without pictures, the first audio. */
  private long originMicros;
  /** Whether the source's audio came yet (see {@link #came}). */
  private boolean audioCame;
  /** The pictures' time since the audio last came, each picture's step counted up to {@link #MAX_STEP_MICROS}. */
  private long sinceAudio;
  /** The longest {@link #sinceAudio} at which audio came again. */
  private long longestAudioGap;
  /** The last picture's time given to {@link #behind}; MIN_VALUE before any. */
  private long lastPicture = Long.MIN_VALUE;
  /** Dropping audio the count has passed, until the audio is back at or after it (not merely within the tolerance). */
  private boolean dropping;
  /** Audio frames left out because the count had passed them. */
  private long dropped;

  /** A clock for a session with pictures, whose times count from the first one, or for audio alone. */
  AudioClock(boolean withPictures) {
    this.withPictures = withPictures;
  }

  /** Microseconds of audio written so far. */
  long writtenMicros() {
    return sampleRate == 0 ? 0 : samples * 1_000_000 / sampleRate;
  }

  /**
   * For audio that belongs at {@code atMicros} (from the first picture, or session time without pictures): the
   * samples per channel of silence to write before it, or -1 to drop it, the audio written having passed its time.
   */
  long place(long atMicros, int rate) {
    start(withPictures ? 0 : atMicros, rate);
    long gap = atMicros - originMicros - writtenMicros();
    // Once behind by more than the tolerance, drop until it is no longer behind: stopping within the tolerance would
    // leave it that late for the session.
    dropping = gap < -TOLERANCE_MICROS || dropping && gap < 0;
    if (dropping) {
      dropped++;
      return -1;
    }
    return gap > TOLERANCE_MICROS && gap <= MAX_FILL_MICROS ? gap * sampleRate / 1_000_000 : 0;
  }

  /** The source's audio came (placed or dropped). */
  void came() {
    // only gaps a source sending its audio in bursts could have: an outage must not lengthen every later wait
    if (audioCame && sinceAudio <= MAX_WAIT_MICROS - TOLERANCE_MICROS) {
      longestAudioGap = Math.max(longestAudioGap, sinceAudio);
    }
    audioCame = true;
    sinceAudio = 0;
  }

  /**
   * Samples per channel of silence that bring the audio up to {@link #LAG_MICROS} behind a picture at
   * {@code pictureMicros} (from the first picture), at {@code rate} if no audio came yet; 0 while it is closer, and
   * while the source's audio keeps coming: audio that arrives late is placed by its own time, not replaced.
   */
  long behind(long pictureMicros, int rate) {
    start(0, rate);
    if (lastPicture != Long.MIN_VALUE) {
      sinceAudio += Math.min(Math.max(0, pictureMicros - lastPicture), MAX_STEP_MICROS);
    }
    lastPicture = pictureMicros;
    if (audioCame && sinceAudio < Math.min(Math.max(LAG_MICROS, longestAudioGap + TOLERANCE_MICROS), MAX_WAIT_MICROS)) {
      return 0;
    }
    long gap = pictureMicros - LAG_MICROS - originMicros - writtenMicros();
    return gap > 0 && gap <= MAX_FILL_MICROS ? gap * sampleRate / 1_000_000 : 0;
  }

  /** Audio frames left out so far because the audio written had passed their time. */
  long dropped() {
    return dropped;
  }

  private void start(long origin, int rate) {
    if (sampleRate == 0) {
      sampleRate = rate;
      originMicros = origin;
    }
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

  /** A silent frame of {@code perChannel} samples, planar float, before any audio shows its layout. */
  static Frame silence(int rate, int channels, int perChannel) {
    Frame like = new Frame();
    like.sampleRate = rate;
    like.audioChannels = channels;
    like.samples = new Buffer[channels];
    java.util.Arrays.fill(like.samples, FloatBuffer.allocate(0));
    return silence(like, perChannel);
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
