package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceClockTest {
  private static final long MS = 1_000_000; // nanoseconds

  @Test
  void stepsAndRealGapsKeepTheSourcesTime() {
    SourceClock clock = new SourceClock(4_000_000);

    assertThat(clock.toSession(0, 7_000_000, 0)).as("a track's first time is its own").isEqualTo(7_000_000);
    assertThat(clock.toSession(0, 7_040_000, 40 * MS)).isEqualTo(7_040_000);
    assertThat(clock.toSession(0, 7_000_000, 50 * MS)).as("a small step back: jitter, mended later").isEqualTo(7_000_000);
    assertThat(clock.toSession(0, 10_000_000, 3_050 * MS)).as("a 3 s gap that took 3 s").isEqualTo(10_000_000);
    assertThat(clock.toSession(0, 14_900_000, 3_060 * MS)).as("ahead of elapsed time by less than the bound")
        .isEqualTo(14_900_000);
    assertThat(clock.toSession(1, MonotonicTimestamps.NONE, 0)).isEqualTo(MonotonicTimestamps.NONE);
    assertThat(clock.jumps()).isZero();
  }

  @Test
  void aJumpBackContinuesFromTheTracksLastTimeByTheTimeThatPassed() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 60_000_000, 0);
    clock.toSession(0, 60_040_000, 40 * MS);

    assertThat(clock.toSession(0, 1_000_000, 80 * MS)).isEqualTo(60_080_000);
    assertThat(clock.toSession(0, 1_040_000, 120 * MS)).as("later times keep their steps").isEqualTo(60_120_000);
    assertThat(clock.jumps()).isEqualTo(1);
    assertThat(clock.lastJumpMicros()).isEqualTo(1_000_000 - 60_040_000);
  }

  @Test
  void aJumpAheadOfTheTimeThatPassedIsBridgedPerTrack() {
    SourceClock clock = new SourceClock(4_000_000);
    clock.toSession(0, 0, 0);
    clock.toSession(1, 10_000, 10 * MS);

    assertThat(clock.toSession(0, 120_000_000, 40 * MS)).as("video: 40 ms passed").isEqualTo(40_000);
    assertThat(clock.toSession(1, 110_000, 60 * MS)).as("audio has not jumped yet").isEqualTo(110_000);
    assertThat(clock.toSession(1, 120_030_000, 70 * MS)).as("audio jumps at its own next packet").isEqualTo(120_000);
    assertThat(clock.jumps()).isEqualTo(2);
  }

  @Test
  void theBoundAheadIsAtLeastTheStallTimeout() {
    SourceClock clock = new SourceClock(20_000_000);
    clock.toSession(0, 0, 0);

    assertThat(clock.toSession(0, 15_000_000, 0)).as("within a 20 s stall timeout: no jump").isEqualTo(15_000_000);
    assertThat(clock.toSession(0, 40_000_000, 0)).isEqualTo(15_000_000);
  }

  @Test
  void ticksOfAShiftFollowTheTimeBase() {
    assertThat(StreamWorker.ticks(1_000_000, 1, 90_000)).isEqualTo(90_000);
    assertThat(StreamWorker.ticks(-40_000, 1, 1000)).isEqualTo(-40);
    assertThat(StreamWorker.ticks(0, 1, 1000)).isZero();
    assertThat(StreamWorker.ticks(5, 0, 0)).as("an unknown time base: no shift").isZero();
  }
}
