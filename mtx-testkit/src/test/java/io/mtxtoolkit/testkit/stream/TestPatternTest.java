package io.mtxtoolkit.testkit.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import org.junit.jupiter.api.Test;

class TestPatternTest {

  private static byte[] pixels(TestPattern p, long n) {
    ByteBuffer buf = (ByteBuffer) p.videoFrame(n).image[0];
    byte[] copy = new byte[buf.remaining()];
    buf.get(copy);
    buf.rewind();
    return copy;
  }

  @Test
  void consecutiveFramesDifferSoAFrozenPictureShows() {
    TestPattern p = new TestPattern(64, 48, 48_000, 1000);
    assertThat(pixels(p, 0)).isNotEqualTo(pixels(p, 1));
    assertThat(pixels(p, 7)).isEqualTo(pixels(p, 7));
  }

  @Test
  void toneContinuesAcrossFrames() {
    TestPattern p = new TestPattern(64, 48, 48_000, 1000);
    ShortBuffer first = p.audioForFrame(25);
    ShortBuffer second = p.audioForFrame(25);
    assertThat(first.remaining()).isEqualTo(1920);
    // 1 kHz at 48 kHz: 48 samples per period; 1920 is a whole number of periods, so frame 2 starts where frame 1 did.
    assertThat(second.get(0)).isEqualTo(first.get(0));
    assertThat(first.get(12)).isGreaterThan((short) 9000);
  }

  @Test
  void audioAtAnyFrameRateAddsUpToTheExactDuration() {
    for (int fps : new int[] {7, 25, 30, 36, 90, 120}) {
      TestPattern p = new TestPattern(64, 48, 48_000, 1000);
      long samples = 0;
      for (int frame = 0; frame < fps * 60; frame++) {
        samples += p.audioForFrame(fps).remaining();
      }
      assertThat(samples).as("one minute at %d fps", fps).isEqualTo(60 * 48_000L);
    }
  }

  @Test
  void rejectsOddTinyOrHugeSizes() {
    assertThatThrownBy(() -> new TestPattern(15, 16, 48_000, 1000)).hasMessageContaining("even, from 16x16 to 7680x4320");
    assertThatThrownBy(() -> TestPattern.checkSize(30_000, 30_000)).as("refused before any frame is allocated")
        .hasMessageContaining("got 30000x30000");
    TestPattern.checkSize(7680, 4320);
    assertThatThrownBy(() -> new TestPattern(64, 47, 48_000, 1000)).hasMessageContaining("even");
    TestPattern ok = new TestPattern(32, 16, 44_100, 440);
    assertThat(ok.width()).isEqualTo(32);
    assertThat(ok.height()).isEqualTo(16);
    assertThat(ok.sampleRate()).isEqualTo(44_100);
  }

  @Test
  void optionsValidateAndDerive() {
    TestStreamOptions o = TestStreamOptions.defaults().withSize(640, 360).withFps(30).withDuration(java.time.Duration.ofSeconds(2));
    assertThat(o.gopSize()).isEqualTo(30);
    assertThat(o.width()).isEqualTo(640);
    assertThat(o.duration()).hasSeconds(2);
    assertThatThrownBy(() -> TestStreamOptions.defaults().withFps(0)).hasMessageContaining("frame rate");
    assertThatThrownBy(() -> new TestStreamOptions(320, 240, 25, 1, 64_000, 48_000, null, false)).hasMessageContaining("bitrates");
  }
}
