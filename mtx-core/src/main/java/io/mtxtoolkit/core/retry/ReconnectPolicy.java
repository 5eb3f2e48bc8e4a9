package io.mtxtoolkit.core.retry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The spec's reconnect policy (FR-021): after a source is lost, exactly three attempts, waiting 1 s,
 * 2 s and 4 s before them; then give up. A few lines rather than a retry library because the spec
 * fixes the exact schedule, and each attempt must be logged with its number and cause.
 */
public record ReconnectPolicy(List<Duration> delays) {
  public ReconnectPolicy {
    delays = List.copyOf(delays);
    if (delays.stream().anyMatch(d -> d.isNegative())) {
      throw new IllegalArgumentException("negative reconnect delay in " + delays);
    }
  }

  /** 1 s, 2 s, 4 s. */
  public static ReconnectPolicy spec() {
    return exponential(Duration.ofSeconds(1), 3);
  }

  /** {@code attempts} delays starting at {@code first}, doubling each time. */
  public static ReconnectPolicy exponential(Duration first, int attempts) {
    Duration[] d = new Duration[attempts];
    for (int i = 0; i < attempts; i++) {
      d[i] = first.multipliedBy(1L << i);
    }
    return new ReconnectPolicy(List.of(d));
  }

  public int maxAttempts() {
    return delays.size();
  }

  /** The wait before attempt {@code attempt} (1-based), or empty when the attempts are used up. */
  public Optional<Duration> delayBefore(int attempt) {
    return attempt >= 1 && attempt <= delays.size() ? Optional.of(delays.get(attempt - 1)) : Optional.empty();
  }
}
