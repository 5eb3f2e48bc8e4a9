package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.worker.WorkerState;
import java.util.function.Consumer;

/** Starts one worker for a stream; state changes are reported as they happen. */
public interface WorkerLauncher {
  LaunchMode mode();

  /**
   * Starts {@code id}'s worker for the publisher {@code sourceId} (from its ready event; empty when unknown):
   * the worker's log lines carry it as their {@code sourceId} correlation field.
   */
  RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState);

  /** The same, for a publisher not known. */
  default RunningWorker launch(StreamId id, Consumer<WorkerState> onState) {
    return launch(id, "", onState);
  }
}
