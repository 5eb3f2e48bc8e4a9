package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.worker.WorkerConfig;
import io.mtxtoolkit.worker.WorkerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Churn with real in-process workers (their source refuses connections, so each one runs the reconnect
 * policy): 200 ready/not-ready events over 10 ids in random order and timing. Never two live workers
 * for one id; afterwards no worker thread or file descriptor is left behind. The same on real MediaMTX
 * belongs to issue #9.
 */
class ChurnTest {

  /** How a test's launcher starts a worker. */
  private interface Launch {
    RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState);
  }

  /** A launcher of {@code mode} that starts its workers by {@code launch}: the tests' own watching launchers. */
  private static WorkerLauncher launcher(LaunchMode mode, Launch launch) {
    return new WorkerLauncher() {
      @Override
      public LaunchMode mode() {
        return mode;
      }

      @Override
      public RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState) {
        return launch.launch(id, sourceId, onState);
      }
    };
  }

  @Test
  void twoHundredCyclesOverTenIdsLeaveNothingBehind() throws Exception {
    String closed = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/x/in";
    ThreadLauncher threads = new ThreadLauncher(id -> new WorkerConfig(id, closed, closed.replace("/in", "/out"),
        WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofMillis(500), ReconnectPolicy.exponential(Duration.ofMillis(20), 3)));
    Map<StreamId, AtomicInteger> live = new ConcurrentHashMap<>();
    AtomicInteger maxPerId = new AtomicInteger();
    WorkerLauncher counting = launcher(LaunchMode.THREAD, (id, sourceId, onState) -> {
      int now = live.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      maxPerId.accumulateAndGet(now, Math::max);
      RunningWorker w = threads.launch(id, onState);
      // The manager sees the exit only after it has been counted, so the count never lags the truth.
      var counted = w.exit().whenComplete((r, e) -> live.get(id).decrementAndGet());
      return new RunningWorker() {
        @Override
        public void stop() {
          w.stop();
        }

        @Override
        public void kill() {
          w.kill();
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.mtxtoolkit.worker.WorkerResult> exit() {
          return counted;
        }

        @Override
        public void publisherChanged(String sourceId) {
          w.publisherChanged(sourceId);
        }

        @Override
        public String handle() {
          return w.handle();
        }
      };
    });
    long fdsBefore = openFds();
    churn(counting, new Random(42), 200, 10, "s", 4, 40);
    assertThat(maxPerId.get()).as("live workers for one id at any time").isEqualTo(1);
    await("worker threads gone").atMost(Duration.ofSeconds(10))
        .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("worker-s")));
    assertThat(live.values()).allMatch(n -> n.get() == 0);
    long fdsAfter = openFds();
    System.out.printf("churn: open file descriptors %d before, %d after%n", fdsBefore, fdsAfter);
    assertThat(fdsAfter).as("file descriptors leaked").isLessThanOrEqualTo(fdsBefore + 5);
  }

  /**
   * The same with child JVMs (fewer cycles: each launch starts a JVM): never two worker processes for one id, and
   * once the manager is closed no child process is left.
   */
  @Test
  void churnWithChildProcessesLeavesNoProcessBehind() throws Exception {
    String closed = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/x/in";
    ProcessLauncher processes = new ProcessLauncher(io.mtxtoolkit.core.path.MediaMtxEndpoints.defaults(), java.util.List.of(
        "--input-url", closed, "--output-url", closed.replace("/in", "/out"), "--reconnect-base-ms", "20",
        "--stall-timeout-ms", "500"), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    Map<StreamId, java.util.Set<Long>> children = new ConcurrentHashMap<>();
    AtomicInteger maxPerId = new AtomicInteger();
    WorkerLauncher watching = launcher(LaunchMode.PROCESS, (id, sourceId, onState) -> {
      // the previous worker processes of this id must all have exited (their command lines are too long for
      // ProcessHandle.info().arguments(), which reads one page of /proc/<pid>/cmdline: the pids are recorded)
      long others = children.getOrDefault(id, java.util.Set.of()).stream()
          .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).count();
      maxPerId.accumulateAndGet((int) others + 1, Math::max);
      RunningWorker w = processes.launch(id, sourceId, onState);
      children.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(Long.parseLong(w.handle().substring(4)));
      return w;
    });
    churn(watching, new Random(7), 40, 4, "p", 1, 150);
    assertThat(children).as("worker processes were started").isNotEmpty();
    assertThat(maxPerId.get()).as("worker processes for one id at any time").isEqualTo(1);
    await("every worker process gone").atMost(Duration.ofSeconds(15))
        .until(() -> children.values().stream().flatMap(java.util.Set::stream)
            .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    assertThat(ProcessHandle.current().children().filter(p -> p.info().command().orElse("").contains("java")))
        .as("child JVMs left").isEmpty();
  }

  /**
   * {@code cycles} ready or not-ready events, at random, over {@code ids} ids named {@code prefix}N, through a manager
   * on {@code launcher} that is closed afterwards; one event in {@code pauseOneIn} is followed by a pause of up to
   * {@code maxPauseMs}.
   */
  private static void churn(WorkerLauncher launcher, Random random, int cycles, int ids, String prefix, int pauseOneIn,
                            int maxPauseMs) {
    try (WorkerManager manager = new WorkerManager(launcher,
        new LifecyclePolicy(Duration.ofMillis(30), Duration.ofMillis(10), Duration.ofMillis(40), 1), Clock.systemUTC())) {
      for (int i = 0; i < cycles; i++) {
        StreamId id = StreamId.of(prefix + random.nextInt(ids));
        if (random.nextBoolean()) {
          manager.ready(id);
        } else {
          manager.notReady(id);
        }
        if (random.nextInt(pauseOneIn) == 0) {
          await().pollDelay(Duration.ofMillis(random.nextInt(maxPauseMs))).until(() -> true);
        }
      }
    }
  }

  private static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
