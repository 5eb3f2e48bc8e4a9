package io.mtxtoolkit.testkit.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void percentilesAreThoseOfTheSortedValues() {
    Random random = new Random(7);
    for (int n : new int[] {1, 2, 19, 20, 21, 1000}) {
      long[] values = LongStream.generate(() -> random.nextInt(3000)).limit(n).toArray();
      LatencyHistogram h = new LatencyHistogram();
      LongStream.of(values).forEach(h::add);
      long[] sorted = LongStream.of(values).sorted().toArray();
      assertThat(h.latency()).as("%d values", n).isEqualTo(new PlayReport.Latency(sorted[(n - 1) / 2],
          sorted[(int) Math.ceil(n * 0.95) - 1], sorted[n - 1], n));
    }
  }

  @Test
  void nothingCountedIsNoLatencyAndValuesOutsideTheRangeAreClamped() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.latency()).isNull();
    h.add(-5);
    h.add(90_000);
    assertThat(h.latency()).isEqualTo(new PlayReport.Latency(0, LatencyHistogram.MAX_MS, LatencyHistogram.MAX_MS, 2));
  }
}
