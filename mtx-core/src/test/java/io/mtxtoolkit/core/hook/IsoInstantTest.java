package io.mtxtoolkit.core.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoInstantTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "1970-01-01T00:00:00Z", "2026-11-24T00:06:43Z", "2026-11-24T00:06:43.100Z", "2026-11-24T00:06:43.000100Z",
      "2026-11-24T00:06:43.000000001Z", "2024-02-29T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.5Z", "1969-12-31T23:59:59.25Z", "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"})
  void matches_the_jdk_on_edges(String text) {
    Instant t = Instant.parse(text);
    assertEquals(t.toString(), IsoInstant.format(t));
  }

  @Test
  void matches_the_jdk_on_random_instants_of_years_0_to_9999() {
    SplittableRandom random = new SplittableRandom(20261124);
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(random.nextLong(min, max + 1), nano);
      assertEquals(t.toString(), IsoInstant.format(t), () -> "epoch second " + t.getEpochSecond());
    }
  }
}
