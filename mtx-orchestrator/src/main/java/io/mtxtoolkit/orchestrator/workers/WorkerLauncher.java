package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.worker.WorkerState;
import java.util.function.Consumer;

/** Starts one worker for a stream; state changes are reported as they happen. */
public interface WorkerLauncher {
  LaunchMode mode();

  RunningWorker launch(StreamId id, Consumer<WorkerState> onState);
}
