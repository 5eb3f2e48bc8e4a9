package io.mtxtoolkit.testkit.stream;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/** Short FLV files of the test pattern (H.264, a keyframe every second, + AAC), for tests that read files. */
public final class TestClip {
  private static final int FPS = 25;
  private static final int SAMPLE_RATE = 48_000;

  private TestClip() {}

  /**
   * Writes {@code frames} frames at 25 fps, 320x240, the first numbered {@code firstFrame} (so its time is
   * firstFrame / 25 s), with the 1 kHz tone when {@code withAudio}.
   */
  public static Path writeFlv(Path file, int firstFrame, int frames, boolean withAudio) throws Exception {
    return writeFlv(file, firstFrame, frames, withAudio, 320, 240);
  }

  /** {@link #writeFlv(Path, int, int, boolean)} at {@code width} x {@code height}. */
  public static Path writeFlv(Path file, int firstFrame, int frames, boolean withAudio, int width, int height)
      throws Exception {
    FFmpegNatives.load();
    try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toString(), width, height, withAudio ? 1 : 0)) {
      rec.setFormat("flv");
      rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
      rec.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
      rec.setFrameRate(FPS);
      rec.setGopSize(FPS);
      rec.setSampleRate(SAMPLE_RATE);
      rec.start();
      TestPattern pattern = new TestPattern(width, height, SAMPLE_RATE, 1000);
      for (int i = firstFrame; i < firstFrame + frames; i++) {
        rec.setFrameNumber(i);
        rec.record(pattern.videoFrame(i), avutil.AV_PIX_FMT_BGR24);
        if (withAudio) {
          rec.recordSamples(SAMPLE_RATE, 1, pattern.audioForFrame(FPS));
        }
      }
    }
    return file;
  }
}
