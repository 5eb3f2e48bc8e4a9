package io.mtxtoolkit.worker;

import static io.mtxtoolkit.worker.MonotonicTimestamps.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MonotonicTimestampsTest {
  @Test
  void inOrderTimestampsPassUnchanged() {
    MonotonicTimestamps t = new MonotonicTimestamps();
    assertThat(t.mend(0, 3000, 0)).containsExactly(3000, 0); // B-frames: pts ahead of dts is fine
    assertThat(t.mend(0, 9000, 3000)).containsExactly(9000, 3000);
    assertThat(t.mend(1, 100, 100)).as("each stream has its own clock").containsExactly(100, 100);
    assertThat(t.mended()).isZero();
  }

  @Test
  void aDtsThatGoesBackOrRepeatsIsMovedJustPastTheLastOne() {
    MonotonicTimestamps t = new MonotonicTimestamps();
    t.mend(0, 90_000, 90_000);
    assertThat(t.mend(0, 45_000, 45_000)).as("a clock re-sync jumped back").containsExactly(90_001, 90_001);
    assertThat(t.mend(0, 90_001, 90_001)).containsExactly(90_002, 90_002);
    assertThat(t.mend(0, 93_600, 93_600)).as("then time goes on as the source says").containsExactly(93_600, 93_600);
    assertThat(t.mended()).isEqualTo(2);
  }

  @Test
  void aMissingDtsIsTakenFromThePtsOrFollowsTheLast() {
    MonotonicTimestamps t = new MonotonicTimestamps();
    assertThat(t.mend(0, 1000, NONE)).containsExactly(1000, 1000);
    assertThat(t.mend(0, NONE, NONE)).as("a made-up DTS is its PTS too: FLV refuses a packet with none")
        .containsExactly(1001, 1001);
    assertThat(t.mend(1, NONE, NONE)).as("nothing to go by yet: left to the muxer").containsExactly(NONE, NONE);
    assertThat(t.mend(0, NONE, 1500)).as("a DTS without a PTS: the DTS is the PTS too").containsExactly(1500, 1500);
  }

  private static final int[][] VIDEO_AUDIO = {{1, 90_000}, {1, 44_100}};

  @Test
  void packetsTheMuxerStillOrdersAreLeftAsTheyAre() {
    // audio first, then video with B-frames slightly older: both tracks are in before the muxer writes, so it orders them
    MonotonicTimestamps t = new MonotonicTimestamps(VIDEO_AUDIO, 2, 1, java.time.Duration.ofMillis(200));
    assertThat(t.mend(1, 44_100, 44_100)).containsExactly(44_100, 44_100);
    assertThat(t.mend(0, 93_600, 86_400)).containsExactly(93_600, 86_400);
    assertThat(t.mended()).isZero();
  }

  @Test
  void afterTheMuxersFirstWriteOlderAudioIsLeftOutAndOlderVideoMovedUp() {
    MonotonicTimestamps t = new MonotonicTimestamps(VIDEO_AUDIO, 2, 1, java.time.Duration.ofMillis(200));
    // 0.3 s of pictures from 1 s with no audio yet: past the 200 ms bound the muxer writes the 1 s picture first
    for (long dts = 90_000; dts <= 117_000; dts += 3_600) {
      assertThat(t.mend(0, dts, dts)).containsExactly(dts, dts);
    }
    assertThat(t.mend(1, 43_659, 43_659)).as("audio from 0.99 s, late: the muxer would refuse it").isNull();
    assertThat(t.mend(1, 44_541, 44_541)).as("audio past the first picture keeps its time").containsExactly(44_541, 44_541);
    assertThat(t.dropped()).isEqualTo(1);
    assertThat(t.mended()).isZero();

    MonotonicTimestamps video = new MonotonicTimestamps(new int[][] {{1, 44_100}, {1, 90_000}}, 2, 0,
        java.time.Duration.ofMillis(200));
    for (long dts = 44_100; dts <= 57_330; dts += 1_024) { // audio alone past the bound
      video.mend(0, dts, dts);
    }
    assertThat(video.mend(1, 89_000, 89_000)).as("an older picture is moved up, not left out")
        .containsExactly(90_000, 90_000);
    assertThat(video.mended()).isEqualTo(1);
  }

  @Test
  void timeBaseArithmetic() {
    assertThat(MonotonicTimestamps.ticksAtLeast(1_000_001, new int[] {1, 1000})).as("rounded up").isEqualTo(1001);
    assertThat(MonotonicTimestamps.ticksAtLeast(-21_333, new int[] {1, 48_000})).as("before zero").isEqualTo(-1023);
    assertThat(MonotonicTimestamps.millis(3, new int[] {1001, 30_000})).isEqualTo(100);
    assertThat(MonotonicTimestamps.millis(45, new int[] {1, 90_000})).as("half a ms: away from zero").isEqualTo(1);
    assertThat(MonotonicTimestamps.millis(-45, new int[] {1, 90_000})).isEqualTo(-1);
    assertThat(MonotonicTimestamps.millis(-44, new int[] {1, 90_000})).isEqualTo(0);
  }

  /**
   * The muxer decides on milliseconds rounded to the nearest: pictures from -0.5 ms to 199.5 ms span 201 ms there
   * (past the 200 ms bound, so it writes the -1 ms picture first), though only 200 ms in microseconds. Audio at
   * -1.6 ms that comes after is older than that picture and must not reach it.
   */
  @Test
  void theFirstWriteIsFollowedInTheMuxersOwnRoundedMilliseconds() {
    MonotonicTimestamps t = new MonotonicTimestamps(new int[][] {{1, 90_000}, {1, 48_000}}, 2, 1, java.time.Duration.ofMillis(200));
    for (long dts = -45; dts <= 17_955; dts += 3_600) {
      t.mend(0, dts, dts);
    }
    assertThat(t.mend(1, -77, -77)).as("audio at -1.6 ms: FLV would refuse it").isNull();
  }
}
