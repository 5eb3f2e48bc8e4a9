package io.mtxtoolkit.orchestrator.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The /out bitrate when requests store their readings of MediaMTX out of order. */
class StreamsApiBitrateTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void anOlderReadingStoredLateNeitherResetsNorHidesTheRate() {
    StreamsApi api = new StreamsApi(null);
    assertThat(api.bitrate("live/a/out", 0, 0)).isNull();
    assertThat(api.bitrate("live/a/out", 250_000, 2 * SECOND)).as("2 Mbit in 2 s").isEqualTo(1000.0);

    // read from MediaMTX before the reading above, stored after it
    assertThat(api.bitrate("live/a/out", 200_000, 2 * SECOND - 1)).isEqualTo(1000.0);
    assertThat(api.bitrate("live/a/out", 375_000, 3 * SECOND)).as("still measured from the 2 s reading")
        .isEqualTo(1000.0);
  }

  @Test
  void aSmallerCountReadLaterIsANewOut() {
    StreamsApi api = new StreamsApi(null);
    api.bitrate("live/a/out", 500_000, 0);
    assertThat(api.bitrate("live/a/out", 1_000, 2 * SECOND)).isNull();
    assertThat(api.bitrate("live/a/out", 126_000, 3 * SECOND)).isEqualTo(1000.0);
  }
}
