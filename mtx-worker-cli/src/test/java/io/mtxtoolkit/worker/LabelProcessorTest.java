package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LabelProcessorTest {
  @Test
  void theLabelHasOneWidthAtAWholeSecondToo() {
    assertThat(LabelProcessor.label(Instant.parse("2026-11-24T12:34:56Z"))).isEqualTo("mtx-worker 12:34:56.000");
    assertThat(LabelProcessor.label(Instant.parse("2026-11-24T12:34:56.789123Z"))).isEqualTo("mtx-worker 12:34:56.789");
  }
}
