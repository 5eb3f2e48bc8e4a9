package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.ValidationException;
import java.time.Duration;

/**
 * When workers stop and restart.
 *
 * @param gracePeriod wait after not-ready before stopping the worker; a ready within it keeps the worker
 * @param restartBase first wait before restarting a worker that exited on its own while the stream is ready
 * @param restartMax longest wait between restarts (the wait doubles up to it)
 * @param maxRestarts restarts in a row without a worker running for {@code healthyRun} before the stream is marked failed
 * @param healthyRun how long a worker must have been RUNNING for its exit not to count as a failure in a row;
 *     shorter, a worker that crashes right after its first packets would restart every second for ever
 * @param maxWorkers at most this many workers at once: each is a JVM (or a thread) with FFmpeg's buffers, and a
 *     flood of ready events for new ids must not take the host's memory
 */
public record LifecyclePolicy(Duration gracePeriod, Duration restartBase, Duration restartMax, int maxRestarts,
                              Duration healthyRun, int maxWorkers) {
  /** The spec's grace period, also the orchestrator's --grace-period-ms default (an annotation needs a constant). */
  public static final long DEFAULT_GRACE_PERIOD_MS = 30_000;
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofMillis(DEFAULT_GRACE_PERIOD_MS);
  public static final Duration DEFAULT_HEALTHY_RUN = Duration.ofSeconds(30);
  /** The orchestrator's --max-workers default: 100 child JVMs take about 11 GiB, 100 threads about 1 GiB. */
  public static final int DEFAULT_MAX_WORKERS = 100;
  public static final int MAX_MAX_WORKERS = 10_000;

  public LifecyclePolicy {
    if (gracePeriod.isNegative() || restartBase.isNegative() || restartMax.compareTo(restartBase) < 0) {
      throw new ValidationException("lifecycle", "invalid lifecycle timings: grace " + gracePeriod + ", restart "
          + restartBase + ".." + restartMax);
    }
    if (maxRestarts < 0) {
      throw new ValidationException("maxRestarts", "maxRestarts must be >= 0");
    }
    if (healthyRun.isNegative()) {
      throw new ValidationException("healthyRun", "healthyRun must be >= 0");
    }
    if (maxWorkers < 1 || maxWorkers > MAX_MAX_WORKERS) {
      throw new ValidationException("maxWorkers", "the worker limit must be 1.." + MAX_MAX_WORKERS + ", got " + maxWorkers);
    }
  }

  public LifecyclePolicy(Duration gracePeriod, Duration restartBase, Duration restartMax, int maxRestarts) {
    this(gracePeriod, restartBase, restartMax, maxRestarts, DEFAULT_HEALTHY_RUN);
  }

  public LifecyclePolicy(Duration gracePeriod, Duration restartBase, Duration restartMax, int maxRestarts,
                         Duration healthyRun) {
    this(gracePeriod, restartBase, restartMax, maxRestarts, healthyRun, DEFAULT_MAX_WORKERS);
  }

  /** Spec default grace period (30 s); restarts after 1, 2, 4, 8, 16 s, then the stream is failed. */
  public static LifecyclePolicy defaults() {
    return new LifecyclePolicy(DEFAULT_GRACE_PERIOD, Duration.ofSeconds(1), Duration.ofSeconds(30), 5);
  }

  public LifecyclePolicy withGracePeriod(Duration grace) {
    return new LifecyclePolicy(grace, restartBase, restartMax, maxRestarts, healthyRun, maxWorkers);
  }

  public LifecyclePolicy withHealthyRun(Duration run) {
    return new LifecyclePolicy(gracePeriod, restartBase, restartMax, maxRestarts, run, maxWorkers);
  }

  public LifecyclePolicy withMaxWorkers(int max) {
    return new LifecyclePolicy(gracePeriod, restartBase, restartMax, maxRestarts, healthyRun, max);
  }

  /**
   * How many streams the orchestrator keeps track of at once (10 per worker slot, at least 1000): each costs a little
   * memory and a little time in every event's work under one lock, and without HOOK_SECRET anyone can send events.
   * Streams past their not-ready are forgotten after 5 minutes; a ready stream waiting for a slot is kept.
   */
  public int maxStreams() {
    return Math.max(MIN_MAX_STREAMS, STREAMS_PER_WORKER * maxWorkers);
  }

  static final int MIN_MAX_STREAMS = 1000;
  static final int STREAMS_PER_WORKER = 10;

  /** Wait before restart number {@code n} (1-based). */
  public Duration restartDelay(int n) {
    Duration d = restartBase.multipliedBy(1L << Math.min(20, Math.max(0, n - 1)));
    return d.compareTo(restartMax) > 0 ? restartMax : d;
  }
}
