package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The output bitrate in {@code /v1/streams}: measured between two readings of {@code /out}'s byte counter. */
class StreamsBitrateTest {
  private final PathsListStub api = PathsListStub.start();
  private final WorkerManager manager = new WorkerManager(new WorkerManagerTest.Launcher(), LifecyclePolicy.defaults(), Clock.systemUTC());
  private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
  private final StreamsApi streams = new StreamsApi(manager, new MediaMtxApiClient(api.url()), nanos::get);

  @AfterEach
  void close() {
    manager.close();
    api.close();
  }

  private static String out(long bytes) {
    return "{\"name\":\"live/a/out\",\"ready\":true,\"tracks\":[\"H264\"],\"bytesReceived\":" + bytes + ",\"readers\":[]}";
  }

  /** Reads the list {@code secondsLater} after the previous reading and returns /out's bitrate. */
  private Double bitrateAfter(double secondsLater) {
    nanos.addAndGet((long) (secondsLater * 1e9));
    StreamsApi.StreamList list = streams.snapshot();
    assertThat(list.mediamtx()).isEqualTo("ok");
    return list.streams().get(0).out().bitrateKbps();
  }

  @Test
  void theFirstReadingHasNoBitrateAndTheNextIsBitsPerSecond() {
    api.items(out(1_000));
    assertThat(bitrateAfter(0)).isNull();
    api.items(out(1_000 + 500_000));
    assertThat(bitrateAfter(2)).as("500,000 bytes in 2 s").isEqualTo(2000.0);
  }

  @Test
  void noNewBytesIsZeroAndNoTimeIsNoBitrate() {
    api.items(out(1_000));
    bitrateAfter(0);
    assertThat(bitrateAfter(1)).isEqualTo(0.0);
    api.items(out(2_000));
    assertThat(bitrateAfter(0)).as("two readings at the same instant: the last rate, no division by zero").isEqualTo(0.0);
  }

  /** Several clients poll: each reads MediaMTX, but a rate is measured over a second at least. */
  @Test
  void readingsWithinASecondReportTheLastRateRatherThanATinyWindow() {
    api.items(out(1_000));
    assertThat(bitrateAfter(0)).isNull();
    api.items(out(51_000));
    assertThat(bitrateAfter(0.1)).as("0.1 s after the first reading: too soon to measure").isNull();
    api.items(out(251_000));
    assertThat(bitrateAfter(0.9)).as("250,000 bytes over the 1 s since the first reading").isEqualTo(2000.0);
    api.items(out(301_000)); // a keyframe's burst 100 ms later
    assertThat(bitrateAfter(0.1)).as("the last rate, not 50,000 bytes in 0.1 s").isEqualTo(2000.0);
  }

  @Test
  void aCounterThatWentBackIsNoBitrate() {
    api.items(out(9_000_000));
    bitrateAfter(0);
    api.items(out(1_000)); // the path was recreated between two readings
    assertThat(bitrateAfter(1)).isNull();
  }

  @Test
  void aPathThatLeftMediaMtxStartsOver() {
    api.items(out(1_000));
    bitrateAfter(0);
    api.items();
    streams.snapshot();
    api.items(out(126_000)); // the next publish's /out: its bytes have nothing to do with the last reading
    assertThat(bitrateAfter(1)).isNull();
    api.items(out(251_000));
    assertThat(bitrateAfter(1)).isEqualTo(1000.0);
  }

  @Test
  void anApiOutageKeepsTheLastReading() {
    api.items(out(1_000));
    bitrateAfter(0);
    api.fail(503);
    assertThat(streams.snapshot().mediamtx()).startsWith("unreachable:").contains("503");
    api.items(out(251_000));
    assertThat(bitrateAfter(2)).as("250,000 bytes over the 2 s since the reading before the outage").isEqualTo(1000.0);
  }

  /** Only a failure that may clear by itself is "unreachable"; the rest name what MediaMTX answered. */
  @Test
  void aRefusalIsAnErrorNotAnOutage() {
    api.fail(401);
    assertThat(streams.snapshot().mediamtx()).startsWith("error:").contains("401");
    api.fail(500);
    assertThat(streams.snapshot().mediamtx()).startsWith("error:").contains("500");
    api.fail(504);
    assertThat(streams.snapshot().mediamtx()).startsWith("unreachable:");
  }

  /** The status page's thumbnail gate: a stream MediaMTX listed counts even without a worker (its ready was missed). */
  @Test
  void streamsMediaMtxListedAreKnownUntilTheNextListDropsThem() {
    api.items("{\"name\":\"live/idle/in\",\"ready\":true,\"tracks\":[],\"bytesReceived\":0,\"readers\":[]}",
        "{\"name\":\"other/path\",\"ready\":true,\"readers\":[]}");
    assertThat(streams.listed(io.mtxtoolkit.core.path.StreamId.of("idle"))).as("nothing read yet").isFalse();
    streams.snapshot();
    assertThat(streams.listed(io.mtxtoolkit.core.path.StreamId.of("idle"))).isTrue();
    api.fail(503);
    streams.snapshot();
    assertThat(streams.listed(io.mtxtoolkit.core.path.StreamId.of("idle"))).as("an outage keeps the last list").isTrue();
    api.items();
    streams.snapshot();
    assertThat(streams.listed(io.mtxtoolkit.core.path.StreamId.of("idle"))).isFalse();
  }
}
