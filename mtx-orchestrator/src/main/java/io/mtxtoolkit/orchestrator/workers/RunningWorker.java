package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.worker.WorkerResult;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A launched worker, whatever runs it. */
public interface RunningWorker {
  /** Asks it to stop cleanly (SIGTERM for a process); {@link #exit()} completes when it has. */
  void stop();

  /** Forces it down when a clean stop takes too long. */
  void kill();

  /** Completes with the exit code and reason when the worker ends, on its own or after {@link #stop()}. */
  CompletableFuture<WorkerResult> exit();

  /**
   * The stream's publisher is now {@code sourceId} (a ready, or MediaMTX's list, named another while it ran): the
   * worker's lines from now on carry it as their sourceId.
   */
  void publisherChanged(String sourceId);

  /** {@code pid 1234} or {@code thread worker-cam1-1}. */
  String handle();

  /**
   * How far its {@code /out} runs behind {@code /in} in milliseconds (see {@code StreamWorker.outputLagMillis}), as of
   * its last report; empty while it does not publish, or when it cannot tell.
   */
  default OptionalLong outputLagMillis() {
    return OptionalLong.empty();
  }

  /**
   * Whether the worker's stream is ready, as the hooks last said: a worker that gives up on a source whose publisher
   * has left (its not-ready came) reports the publisher leaving, a WARN, not a failure at ERROR.
   */
  default void publisherReady(boolean ready) {
  }
}
