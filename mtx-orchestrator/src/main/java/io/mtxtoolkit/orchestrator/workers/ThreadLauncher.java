package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.worker.StreamWorker;
import io.mtxtoolkit.worker.WorkerConfig;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import io.mtxtoolkit.worker.WorkerState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/** Runs each worker on its own thread inside the orchestrator's JVM. */
public final class ThreadLauncher implements WorkerLauncher {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private final Function<StreamId, WorkerConfig> configs;

  public ThreadLauncher(Function<StreamId, WorkerConfig> configs) {
    this.configs = configs;
    // FFmpeg's native libraries take seconds to load on a cold cache: now, not in a launch under the manager's lock
    StreamWorker.loadNatives();
  }

  public static ThreadLauncher forMediaMtx(MediaMtxEndpoints mediamtx) {
    return new ThreadLauncher(id -> WorkerConfig.forStream(id, mediamtx));
  }

  @Override
  public LaunchMode mode() {
    return LaunchMode.THREAD;
  }

  @Override
  public RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState) {
    StreamWorker worker = new StreamWorker(configs.apply(id), sourceId, onState);
    CompletableFuture<WorkerResult> exit = new CompletableFuture<>();
    String name = "worker-" + id.value() + "-" + SEQUENCE.incrementAndGet();
    Thread thread = new Thread(() -> {
      try {
        exit.complete(worker.run());
      } catch (Throwable e) {
        exit.complete(WorkerResult.crashed("worker thread failed: " + e));
      } finally {
        // whatever ended the thread, the manager must learn that this worker is gone
        exit.complete(WorkerResult.crashed("worker thread ended without a result"));
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return new RunningWorker() {
      @Override
      public void stop() {
        // A worker still opening its source has nothing to close: report it stopped now rather than after
        // FFmpeg's uninterruptible open gives up; the thread then ends on its own without publishing.
        if (worker.stopBeforePublishing()) {
          exit.complete(new WorkerResult(WorkerExit.STOPPED, "stopped on request while not publishing"));
        } else {
          worker.stop();
        }
      }

      @Override
      public void kill() {
        worker.stop();
        thread.interrupt();
        // A thread blocked in FFmpeg (a slow close, a peer that stopped reading) cannot be forced down. Left
        // pending, its stream could never get a worker again and its --max-workers slot would stay taken: the
        // manager is told it ended. The thread, told to stop, ends when FFmpeg returns, and publishes no more.
        exit.complete(WorkerResult.crashed("worker thread " + name + " did not stop in time and was abandoned "
            + "(a thread cannot be killed; it ends when FFmpeg returns)"));
      }

      @Override
      public CompletableFuture<WorkerResult> exit() {
        return exit;
      }

      @Override
      public void publisherChanged(String sourceId) {
        worker.publisherChanged(sourceId);
      }

      @Override
      public void publisherReady(boolean ready) {
        worker.publisherReady(ready);
      }

      @Override
      public String handle() {
        return "thread " + name;
      }

      @Override
      public java.util.OptionalLong outputLagMillis() {
        return worker.outputLagMillis();
      }
    };
  }
}
