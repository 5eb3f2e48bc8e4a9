package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceClockTest {
  private static final long MS = 1_000_000; // nanoseconds
  private static final long START = 1_000 * MS; // a nanoTime reading

  @Test
  void stepsAndRealGapsKeepTheSourcesTime() {
    SourceClock clock = new SourceClock(4_000_000);

    assertThat(clock.toSession(0, 7_000_000, START)).as("a track's first time is its own").isEqualTo(7_000_000);
    assertThat(clock.toSession(0, 7_040_000, START + 40 * MS)).isEqualTo(7_040_000);
    assertThat(clock.toSession(0, 7_000_000, START + 50 * MS)).as("a small step back: jitter, mended later").isEqualTo(7_000_000);
    assertThat(clock.toSession(0, 10_000_000, START + 3_050 * MS)).as("a 3 s gap that took 3 s").isEqualTo(10_000_000);
    assertThat(clock.toSession(0, 14_900_000, START + 3_060 * MS)).as("ahead of elapsed time by less than the bound")
        .isEqualTo(14_900_000);
    assertThat(clock.toSession(1, MonotonicTimestamps.NONE, START)).isEqualTo(MonotonicTimestamps.NONE);
    assertThat(clock.shifted(0, 15_000_000, START + 3_070 * MS)).isEqualTo(15_000_000);
    assertThat(clock.jumps()).isZero();
  }

  @Test
  void aJumpOfEveryTrackAlikeIsTheSourcesAndTheTracksKeepTheirAlignment() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 60_000_000, START);
    clock.toSession(1, 60_010_000, START + 10 * MS);

    assertThat(clock.toSession(0, 1_000_000, START + 40 * MS)).as("bridged at once: 40 ms passed").isEqualTo(60_040_000);
    assertThat(clock.toSession(1, 1_030_000, START + 50 * MS)).isEqualTo(60_050_000);
    assertThat(clock.toSession(0, 1_040_000, START + 80 * MS)).isEqualTo(60_080_000);
    assertThat(clock.toSession(1, 1_050_000, START + 90 * MS))
        .as("confirmed: audio takes video's shift, 10 ms after the pictures as the source has it").isEqualTo(60_090_000);
    assertThat(clock.jumps()).isEqualTo(1);
    assertThat(clock.toSession(0, 1_080_000, START + 5_000 * MS)).as("kept after the confirming window").isEqualTo(60_080_000 + 40_000);
    assertThat(clock.shifted(0, 1_120_000, START + 5_040 * MS)).isEqualTo(60_160_000);
  }

  @Test
  void oneOddPacketIsBridgedAndTheClockGoesBackToItsOwn() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 5_000_000, START);
    clock.toSession(0, 5_040_000, START + 40 * MS);

    assertThat(clock.toSession(0, 0, START + 80 * MS)).as("a lost timestamp read as 0").isEqualTo(5_080_000);
    assertThat(clock.toSession(0, 5_120_000, START + 120 * MS)).as("its own clock again").isEqualTo(5_120_000);
    assertThat(clock.toSession(0, 5_160_000, START + 160 * MS)).isEqualTo(5_160_000);
    assertThat(clock.jumps()).isZero();
  }

  @Test
  void oneTracksClockMovingAloneStandsOnceTheOthersDidNotFollow() {
    // FFmpeg's RTSP reader aligns a track with the others at its first RTCP sender report: audio that began 6 s late
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 6_000_000, START);
    clock.toSession(1, 0, START);

    assertThat(clock.toSession(1, 6_020_000, START + 20 * MS)).as("bridged while it might be the source's").isEqualTo(20_000);
    assertThat(clock.toSession(0, 6_040_000, START + 40 * MS)).isEqualTo(6_040_000);
    assertThat(clock.toSession(1, 6_060_000, START + 60 * MS)).isEqualTo(60_000);
    assertThat(clock.toSession(0, 8_100_000, START + 2_100 * MS)).as("video never followed").isEqualTo(8_100_000);
    assertThat(clock.toSession(1, 8_120_000, START + 2_120 * MS)).as("audio's alignment stands").isEqualTo(8_120_000);
    assertThat(clock.jumps()).isZero();
  }

  @Test
  void tracksJumpingByDifferentAmountsAreNotOneJump() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 0, START);
    clock.toSession(1, 0, START);
    clock.toSession(0, 100_000_000, START + 40 * MS);
    clock.toSession(1, 200_000_000, START + 40 * MS);
    clock.toSession(0, 100_040_000, START + 80 * MS);
    clock.toSession(1, 200_040_000, START + 80 * MS);

    assertThat(clock.jumps()).isZero();
    assertThat(clock.toSession(0, 102_500_000, START + 2_500 * MS)).as("undone after the window").isEqualTo(102_500_000);
  }

  /** A camera whose audio went silent re-bases its clock: the pictures' jump is not held for audio that never comes. */
  @Test
  void aSilentTrackIsNotWaitedForAndComesBackOnTheNewClock() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(1, 500_000, START); // audio, then silence
    clock.toSession(0, 3_000_000, START + 2_500 * MS);
    clock.toSession(0, 3_040_000, START + 2_540 * MS);

    assertThat(clock.toSession(0, 10_000, START + 2_580 * MS)).isEqualTo(3_080_000);
    assertThat(clock.toSession(0, 50_000, START + 2_620 * MS)).as("confirmed by its own next packet").isEqualTo(3_120_000);
    assertThat(clock.jumps()).isEqualTo(1);
    assertThat(clock.toSession(1, 60_000, START + 2_630 * MS)).as("the audio again, on the new clock: moved with the pictures")
        .isEqualTo(3_130_000);
    assertThat(clock.toSession(2, 70_000, START + 2_640 * MS)).as("a track first seen now starts on the session's clock")
        .isEqualTo(3_140_000);
    assertThat(clock.jumps()).isEqualTo(1);
  }

  /** Audio's jump is its last packet before a silence: the pictures' jump is taken once the audio counts as silent. */
  @Test
  void aTrackThatJumpedAndFellSilentIsNotWaitedForAndKeepsTheShift() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 0, START);
    clock.toSession(1, 10_000, START + 10 * MS);
    assertThat(clock.toSession(1, 60_030_000, START + 30 * MS)).as("audio's jump, then silence").isEqualTo(30_000);
    assertThat(clock.toSession(0, 60_040_000, START + 40 * MS)).isEqualTo(40_000);
    long t = 80;
    for (; t <= 1_200; t += 40) {
      assertThat(clock.toSession(0, 60_000_000 + t * 1000, START + t * MS)).as("video at %d ms", t).isEqualTo(t * 1000);
    }
    assertThat(clock.jumps()).as("taken once audio was silent for 1 s").isEqualTo(1);
    assertThat(clock.toSession(0, 60_000_000 + 3_000_000, START + 3_000 * MS)).as("kept past the 2 s window").isEqualTo(3_000_000);
    assertThat(clock.toSession(1, 63_020_000, START + 3_020 * MS)).as("audio back, on the pictures' clock").isEqualTo(3_020_000);
  }

  /** Audio jumps, falls silent for longer than the window, and the pictures' same jump comes after that. */
  @Test
  void aJumpUndoneForATrackThatFellSilentIsTakenWhenTheOthersMakeIt() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 0, START);
    clock.toSession(1, 10_000, START + 10 * MS);
    clock.toSession(1, 60_030_000, START + 30 * MS); // audio's jump, then silence
    clock.toSession(0, 2_500_000, START + 2_500 * MS); // pictures after a real 2.5 s gap: the audio's jump lapsed
    assertThat(clock.toSession(0, 62_540_000, START + 2_540 * MS)).isEqualTo(2_540_000);
    assertThat(clock.toSession(0, 62_580_000, START + 2_580 * MS)).as("confirmed with the silent audio").isEqualTo(2_580_000);
    assertThat(clock.jumps()).isEqualTo(1);
    assertThat(clock.toSession(1, 62_600_000, START + 2_600 * MS)).as("audio back, not moved twice").isEqualTo(2_600_000);
  }

  @Test
  void theBoundAheadIsAtLeastTheStallTimeout() {
    SourceClock clock = new SourceClock(20_000_000);
    clock.toSession(0, 0, START);

    assertThat(clock.toSession(0, 15_000_000, START)).as("within a 20 s stall timeout: no jump").isEqualTo(15_000_000);
    assertThat(clock.toSession(0, 40_000_000, START)).isEqualTo(15_000_000);
    assertThat(clock.toSession(0, 40_040_000, START + 40 * MS)).as("one track: its own next packet confirms")
        .isEqualTo(15_040_000);
    assertThat(clock.jumps()).isEqualTo(1);
  }

  @Test
  void ticksOfAShiftFollowTheTimeBase() {
    assertThat(StreamWorker.ticks(1_000_000, 1, 90_000)).isEqualTo(90_000);
    assertThat(StreamWorker.ticks(-40_000, 1, 1000)).isEqualTo(-40);
    assertThat(StreamWorker.ticks(0, 1, 1000)).isZero();
    assertThat(StreamWorker.ticks(5, 0, 0)).as("an unknown time base: no shift").isZero();
    assertThat(StreamWorker.ticks(1_700_000_000_000_000L, 1, 90_000)).as("an epoch-sized jump, past a long's product")
        .isEqualTo(153_000_000_000_000L);
  }
}
