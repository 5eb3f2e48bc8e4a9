package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import io.mtxtoolkit.worker.WorkerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `make bench`: the two launch modes side by side, between FFmpeg RTMP endpoints (no MediaMTX needed):
 * start time (ready → first packet at the sink), CPU % and resident memory per worker, at 1 and 5 streams.
 * Run with: mvn -pl mtx-orchestrator -am test -Dtest=WorkerModesBench -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("bench")
class WorkerModesBench {
  private static final Duration SAMPLE = Duration.ofSeconds(5);

  record Row(String mode, int streams, long startMsMedian, double cpuPctPerWorker, double rssMibPerWorker) {}

  @Test
  void compareLaunchModes() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int n : new int[] {1, 5}) {
      for (LaunchMode mode : LaunchMode.values()) {
        rows.add(measure(mode, n));
      }
    }
    StringBuilder table = new StringBuilder("| launch mode | streams | start ms (median) | CPU % per worker | RSS MiB per worker |\n"
        + "|---|---|---|---|---|\n");
    for (Row r : rows) {
      table.append(String.format("| %s | %d | %d | %.1f | %.0f |%n", r.mode(), r.streams(), r.startMsMedian(),
          r.cpuPctPerWorker(), r.rssMibPerWorker()));
    }
    System.out.println("\n" + table);
    String out = System.getProperty("bench.out");
    if (out != null) {
      Files.writeString(Path.of(out), table.toString());
    }
  }

  private Row measure(LaunchMode mode, int n) throws Exception {
    List<String> ins = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    List<RtmpSink> sinks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ins.add("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s" + i + "/in");
      outs.add("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s" + i + "/out");
      sinks.add(RtmpSink.listen(outs.get(i), Duration.ofSeconds(60)));
    }
    WorkerLauncher launcher = mode == LaunchMode.THREAD
        ? new ThreadLauncher(id -> {
          int i = Integer.parseInt(id.value().substring(1));
          return new WorkerConfig(id, ins.get(i), outs.get(i), WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(4),
              ReconnectPolicy.exponential(Duration.ofMillis(100), 3));
        })
        : new PerStreamProcessLauncher(ins, outs);
    long rssBefore = rssKib(ProcessHandle.current().pid());
    List<TestStreamPublisher> sources = new ArrayList<>();
    List<Long> startMs = new ArrayList<>();
    try (WorkerManager manager = new WorkerManager(launcher, LifecyclePolicy.defaults(), Clock.systemUTC())) {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        manager.ready(StreamId.of("s" + i));
        sources.add(TestStreamPublisher.serve(ins.get(i), TestStreamOptions.defaults(), Duration.ofSeconds(60)));
        sinks.get(i).awaitPackets(1, Duration.ofSeconds(60));
        startMs.add((System.nanoTime() - t0) / 1_000_000);
      }
      for (RtmpSink s : sinks) {
        s.awaitPackets(100, Duration.ofSeconds(60));
      }
      double cpu;
      double rssMib;
      if (mode == LaunchMode.PROCESS) {
        List<Long> pids = manager.streams().stream().map(v -> Long.parseLong(v.worker().substring(4))).toList();
        long cpu0 = pids.stream().mapToLong(WorkerModesBench::cpuTicks).sum();
        long wall0 = System.nanoTime();
        Thread.sleep(SAMPLE.toMillis());
        long ticks = pids.stream().mapToLong(WorkerModesBench::cpuTicks).sum() - cpu0;
        cpu = 100.0 * ticks / 100.0 / ((System.nanoTime() - wall0) / 1e9) / n;
        rssMib = pids.stream().mapToLong(WorkerModesBench::rssKib).sum() / 1024.0 / n;
      } else {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = workerThreadCpu(threads);
        long wall0 = System.nanoTime();
        Thread.sleep(SAMPLE.toMillis());
        cpu = 100.0 * (workerThreadCpu(threads) - cpu0) / (System.nanoTime() - wall0) / n;
        // The test JVM also runs the sources and sinks; their share is the same in both modes' set-up,
        // so the growth over the JVM's size before the workers started is attributed to the workers.
        rssMib = Math.max(0, rssKib(ProcessHandle.current().pid()) - rssBefore) / 1024.0 / n;
      }
      return new Row(mode.wireName(), n, startMs.stream().sorted().toList().get((n - 1) / 2), cpu, rssMib);
    } finally {
      sources.forEach(TestStreamPublisher::close);
      sinks.forEach(RtmpSink::close);
    }
  }

  private static long workerThreadCpu(ThreadMXBean threads) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("worker-s")) {
        total += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  /** utime + stime of a process, in clock ticks (100 per second on Linux). */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  /** Child-process workers pointed at this bench's own endpoints. */
  private static final class PerStreamProcessLauncher implements WorkerLauncher {
    private final List<String> ins;
    private final List<String> outs;

    PerStreamProcessLauncher(List<String> ins, List<String> outs) {
      this.ins = ins;
      this.outs = outs;
    }

    @Override
    public LaunchMode mode() {
      return LaunchMode.PROCESS;
    }

    @Override
    public RunningWorker launch(StreamId id, java.util.function.Consumer<io.mtxtoolkit.worker.WorkerState> onState) {
      int i = Integer.parseInt(id.value().substring(1));
      return new ProcessLauncher(MediaMtxEndpoints.defaults(), List.of("--input-url", ins.get(i), "--output-url", outs.get(i),
          "--reconnect-base-ms", "100"), new PrintStream(OutputStream.nullOutputStream())).launch(id, onState);
    }
  }
}
