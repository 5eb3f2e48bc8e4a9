package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputLagTest {
  private static final long MS = 1_000_000;

  @Test
  void aWorkerKeepingPaceHasNoLagAndAStallGrowsIt() {
    OutputLag lag = new OutputLag();
    assertThat(lag.millis(0)).as("nothing published yet").isEmpty();
    for (int i = 0; i <= 100; i++) { // 4 s of 25 fps, published as they come
      lag.published(5_000_000 + i * 40_000L, i * 40 * MS);
    }
    assertThat(lag.millis(4000 * MS)).hasValue(0);
    assertThat(lag.millis(7000 * MS)).as("nothing published for 3 s").hasValue(3000);
  }

  @Test
  void theProbesBurstSetsTheReferenceAndFallingBehindShows() {
    OutputLag lag = new OutputLag();
    // a burst: 1 s of media published within 100 ms (held back while FFmpeg probed), then real time
    for (int i = 0; i <= 25; i++) {
      lag.published(i * 40_000L, i * 4 * MS);
    }
    for (int i = 26; i <= 50; i++) {
      lag.published(i * 40_000L, 100 * MS + (i - 25) * 40 * MS);
    }
    assertThat(lag.millis(1100 * MS)).as("aligned after the burst").hasValue(0);
    // then it publishes at half speed for 2 s: 1 s of media in 2 s of wall time
    for (int i = 51; i <= 75; i++) {
      lag.published(i * 40_000L, 1100 * MS + (i - 50) * 80 * MS);
    }
    assertThat(lag.millis(3100 * MS)).hasValue(1000);
  }

  @Test
  void aSourceClockJumpingBackStartsTheReferenceAfresh() {
    OutputLag lag = new OutputLag();
    for (int i = 0; i <= 50; i++) {
      lag.published(60_000_000 + i * 40_000L, i * 40 * MS);
    }
    lag.published(60_000_000 + 10 * 40_000L, 2040 * MS); // an audio packet a little behind the video: no jump
    assertThat(lag.millis(2040 * MS)).hasValue(0);
    for (int i = 0; i <= 25; i++) { // the clock restarts at 0 (a resync), still in real time
      lag.published(i * 40_000L, 2080 * MS + i * 40 * MS);
    }
    assertThat(lag.millis(3080 * MS)).as("not stuck at the jump's size").hasValue(0);
  }

  @Test
  void aNewSessionStartsAfresh() {
    OutputLag lag = new OutputLag();
    lag.published(0, 0);
    lag.reset();
    assertThat(lag.millis(10_000 * MS)).isEmpty();
    lag.published(90_000_000, 10_000 * MS); // the source's clock starts anywhere
    assertThat(lag.millis(10_000 * MS)).hasValue(0);
  }
}
