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
    assertThat(t.mend(0, NONE, NONE)).containsExactly(NONE, 1001);
    assertThat(t.mend(1, NONE, NONE)).as("nothing to go by yet: left to the muxer").containsExactly(NONE, NONE);
  }

  @Test
  void withTimeBasesNoPacketFallsBeforeTheSessionsFirstAcrossStreams() {
    // stream 0: video at 1/90000, stream 1: audio at 1/44100; the first packet written is a picture at 1 s
    MonotonicTimestamps t = new MonotonicTimestamps(new int[][] {{1, 90_000}, {1, 44_100}});
    assertThat(t.mend(0, 90_000, 90_000)).containsExactly(90_000, 90_000);
    assertThat(t.mend(1, 43_659, 43_659)).as("audio from 0.99 s, which arrived late: moved to 1 s")
        .containsExactly(44_100, 44_100);
    assertThat(t.mend(1, 44_541, 44_541)).as("audio past the first picture keeps its time").containsExactly(44_541, 44_541);
    assertThat(t.mend(0, 93_600, 93_600)).containsExactly(93_600, 93_600);
    assertThat(t.mended()).isEqualTo(1);
    assertThat(MonotonicTimestamps.ticksAtLeast(1_000_001, new int[] {1, 1000})).as("rounded up").isEqualTo(1001);
    assertThat(MonotonicTimestamps.ticksAtLeast(-21_333, new int[] {1, 48_000})).as("before zero").isEqualTo(-1023);
  }
}
