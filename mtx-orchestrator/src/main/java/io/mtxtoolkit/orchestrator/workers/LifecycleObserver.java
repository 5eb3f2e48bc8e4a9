package io.mtxtoolkit.orchestrator.workers;

import java.time.Duration;

/** Hears what the worker lifecycle does, for metrics. Every method defaults to doing nothing. */
public interface LifecycleObserver {
  LifecycleObserver NONE = new LifecycleObserver() { };

  /** A worker was launched; {@code sinceReady} is the time since the ready event that caused it, if one did. */
  default void workerStarted(Duration sinceReady) {}

  default void workerExited(int exitCode) {}

  default void workerRestarted() {}

  default void streamFailed() {}

  default void gracePeriodStop() {}

  /** A hook event older than one already applied to its stream was dropped. */
  default void staleEventIgnored() {}

  /** Reconciliation corrected a missed event: {@code start} or {@code stop}. */
  default void reconciled(String action) {}
}
