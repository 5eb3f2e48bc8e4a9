package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.worker.WorkerResult;
import java.time.Duration;

/** Hears what the worker lifecycle does, for metrics. Every method defaults to doing nothing. */
public interface LifecycleObserver {
  LifecycleObserver NONE = new LifecycleObserver() { };

  /**
   * A worker was launched; {@code sinceReady} is the time since the hook that reported the ready causing it
   * started (its event's timestamp), if one did.
   */
  default void workerStarted(Duration sinceReady) {}

  /** A launched worker ended, however. */
  default void workerExited(WorkerResult result) {}

  /** A worker could not be launched at all (the stream is retried as after a crash). */
  default void workerLaunchFailed() {}

  default void workerRestarted() {}

  /** A ready stream got no worker: as many run as --max-workers allows; it starts when one ends. */
  default void workerLimitReached() {}

  default void streamFailed() {}

  default void gracePeriodStop() {}

  /** A hook event older than one already applied to its stream was dropped. */
  default void staleEventIgnored() {}

  /** Reconciliation corrected the workers to MediaMTX's list. */
  default void reconciled(WorkerManager.Correction.Action action) {}
}
