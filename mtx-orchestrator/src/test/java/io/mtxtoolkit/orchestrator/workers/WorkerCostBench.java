package io.mtxtoolkit.orchestrator.workers;

import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import io.mtxtoolkit.testkit.process.Tools;
import io.mtxtoolkit.worker.WorkerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make bench`, parts 4a/4b without MediaMTX: our worker as a child process and as a thread, beside the
 * ffmpeg CLI doing the same remux ({@code ffmpeg -i in -c copy -f flv out}), at 1 and 10 streams, measured
 * in one run. Every stream has its own RTMP source (the Debian ffmpeg CLI republishing a pre-encoded file
 * in real time, {@code -listen 1}, so no encoder runs) and its own RTMP sink (ffmpeg CLI into the null
 * muxer); only the worker in the middle differs. Start = launch → first packet at the sink; CPU, after
 * a 5 s warm-up, from /proc utime+stime of the worker processes or the worker threads' CPU time; RSS of each worker process,
 * or the test JVM's growth over its size before the first in-process worker.
 */
@Tag("bench")
class WorkerCostBench {
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  private static final Duration SAMPLE = Duration.ofSeconds(8);
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  /** Who does the remux. */
  enum Peer {
    PROCESS("mtx-worker, child process"), THREAD("mtx-worker, thread in the orchestrator"),
    FFMPEG("ffmpeg -c copy, Debian's build"), FFMPEG_JAVACV("ffmpeg -c copy, javacv's build, the worker's own libraries");

    final String label;

    Peer(String label) {
      this.label = label;
    }
  }

  record Row(Peer peer, int streams, long startMsMedian, double cpuPctPerWorker, double rssMibPerWorker, double rssMibTotal) {}

  @Test
  void compareWorkers(@TempDir Path dir) throws Exception {
    Path ffmpeg = Tools.require("ffmpeg", "ffmpeg");
    // The ffmpeg program of the same FFmpeg build as the worker's libraries (javacv's presets extract it):
    // it separates what the JVM costs from what the FFmpeg version costs.
    Path javacvFfmpeg = Path.of(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class));
    Map<Peer, Path> cli = Map.of(Peer.FFMPEG, ffmpeg, Peer.FFMPEG_JAVACV, javacvFfmpeg);
    Map<Peer, String> label = new java.util.EnumMap<>(Peer.class);
    for (Peer p : Peer.values()) {
      label.put(p, cli.containsKey(p) ? p.label + " (" + version(cli.get(p)) + ")" : p.label);
    }
    Path source = dir.resolve("source.flv");
    run(List.of(ffmpeg.toString(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "20", "-c:v", "libx264", "-preset", "veryfast",
        "-g", "30", "-pix_fmt", "yuv420p", "-b:v", "1M", "-c:a", "aac", "-b:a", "128k", source.toString()));
    List<Row> rows = new ArrayList<>();
    for (int n : new int[] {1, 10}) {
      for (Peer peer : Peer.values()) {
        rows.add(measure(ffmpeg, cli.get(peer), source, peer, n));
      }
    }
    StringBuilder table = new StringBuilder("| worker | streams | start ms (median) | CPU % per worker | RSS MiB per worker | RSS MiB total |\n"
        + "|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      table.append(String.format("| %s | %d | %d | %.1f | %.0f | %.0f |%n", label.get(r.peer()), r.streams(), r.startMsMedian(),
          r.cpuPctPerWorker(), r.rssMibPerWorker(), r.rssMibTotal()));
    }
    // The 1-stream thread run loads javacv's native libraries into this JVM once; the 10-stream run's
    // growth is then what each extra in-process stream costs.
    Row thread10 = rows.stream().filter(r -> r.peer() == Peer.THREAD && r.streams() == 10).findFirst().orElseThrow();
    table.append(String.format("%nMemory per extra in-process stream (thread mode, 10 streams, libraries already loaded): "
        + "%.1f MiB, target %s.%n", thread10.rssMibPerWorker(), thread10.rssMibPerWorker() <= 20 ? "met" : "MISSED"));
    for (Row r : rows) {
      if (!cli.containsKey(r.peer())) {
        Row debian = rows.stream().filter(f -> f.peer() == Peer.FFMPEG && f.streams() == r.streams()).findFirst().orElseThrow();
        Row sameBuild = rows.stream().filter(f -> f.peer() == Peer.FFMPEG_JAVACV && f.streams() == r.streams()).findFirst().orElseThrow();
        table.append(String.format("CPU per worker, %s, %d stream(s): %.2f %% vs %.2f %% for Debian's ffmpeg, target (<= ffmpeg's) %s; "
            + "%.2f %% for the ffmpeg of the worker's own FFmpeg build.%n", r.peer().label, r.streams(), r.cpuPctPerWorker(),
            debian.cpuPctPerWorker(), r.cpuPctPerWorker() <= debian.cpuPctPerWorker() ? "met" : "MISSED", sameBuild.cpuPctPerWorker()));
      }
    }
    System.out.println("\n" + table);
    String out = System.getProperty("bench.out");
    if (out != null) {
      Files.writeString(Path.of(out), table.toString());
    }
  }

  private Row measure(Path ffmpeg, Path peerCli, Path file, Peer peer, int n) throws Exception {
    List<String> ins = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    List<Process> helpers = new ArrayList<>();
    List<CountDownLatch> firstPacket = new ArrayList<>();
    List<Process> ffmpegWorkers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ins.add("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s" + i + "/in");
        outs.add("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s" + i + "/out");
        helpers.add(start(List.of(ffmpeg.toString(), "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
            "-i", file.toString(), "-c", "copy", "-f", "flv", "-listen", "1", ins.get(i))));
        CountDownLatch arrived = new CountDownLatch(1);
        firstPacket.add(arrived);
        helpers.add(sink(ffmpeg, outs.get(i), arrived));
      }
      for (int i = 0; i < n; i++) { // every peer starts with its source and sink listening (ffmpeg does not retry)
        FreePorts.awaitListening(ins.get(i), START_LIMIT);
        FreePorts.awaitListening(outs.get(i), START_LIMIT);
      }
      long rssBefore = rssKib(ProcessHandle.current().pid());
      List<Long> startMs = new ArrayList<>();
      if (peerCli != null) {
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          ffmpegWorkers.add(start(List.of(peerCli.toString(), "-hide_banner", "-loglevel", "error", "-rw_timeout", "5000000",
              "-i", ins.get(i), "-c", "copy", "-f", "flv", outs.get(i))));
          awaitFirstPacket(firstPacket.get(i), peer, i);
          startMs.add((System.nanoTime() - t0) / 1_000_000);
        }
        List<Long> pids = ffmpegWorkers.stream().map(Process::pid).toList();
        return sampleProcesses(peer, n, startMs, pids);
      }
      WorkerLauncher launcher = peer == Peer.THREAD
          ? new ThreadLauncher(id -> {
            int i = Integer.parseInt(id.value().substring(1));
            return new WorkerConfig(id, ins.get(i), outs.get(i), WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(4),
                ReconnectPolicy.exponential(Duration.ofMillis(100), 3));
          })
          : new PerStreamProcessLauncher(ins, outs);
      try (WorkerManager manager = new WorkerManager(launcher, LifecyclePolicy.defaults(), Clock.systemUTC())) {
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          manager.ready(StreamId.of("s" + i));
          awaitFirstPacket(firstPacket.get(i), peer, i);
          startMs.add((System.nanoTime() - t0) / 1_000_000);
        }
        if (peer == Peer.PROCESS) {
          List<Long> pids = manager.streams().stream().map(v -> Long.parseLong(v.worker().substring(4))).toList();
          return sampleProcesses(peer, n, startMs, pids);
        }
        Thread.sleep(WARM_UP.toMillis()); // steady state, as for the processes
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = workerThreadCpu(threads);
        long wall0 = System.nanoTime();
        Thread.sleep(SAMPLE.toMillis()); // a measuring window, not a synchronisation
        double cpu = 100.0 * (workerThreadCpu(threads) - cpu0) / (System.nanoTime() - wall0) / n;
        double total = Math.max(0, rssKib(ProcessHandle.current().pid()) - rssBefore) / 1024.0;
        return new Row(peer, n, median(startMs), cpu, total / n, total);
      }
    } finally {
      ffmpegWorkers.forEach(p -> ServiceProcess.stopTree(p, Duration.ofSeconds(5)));
      helpers.forEach(p -> ServiceProcess.stopTree(p, Duration.ofSeconds(5)));
    }
  }

  private static Row sampleProcesses(Peer peer, int n, List<Long> startMs, List<Long> pids) throws InterruptedException {
    Thread.sleep(WARM_UP.toMillis()); // steady state: past the JVM's JIT warm-up, for every peer alike
    long cpu0 = pids.stream().mapToLong(WorkerCostBench::cpuTicks).sum();
    long wall0 = System.nanoTime();
    Thread.sleep(SAMPLE.toMillis()); // a measuring window, not a synchronisation
    long ticks = pids.stream().mapToLong(WorkerCostBench::cpuTicks).sum() - cpu0;
    double cpu = 100.0 * ticks / 100.0 / ((System.nanoTime() - wall0) / 1e9) / n;
    double total = pids.stream().mapToLong(WorkerCostBench::rssKib).sum() / 1024.0;
    return new Row(peer, n, median(startMs), cpu, total / n, total);
  }

  private static void awaitFirstPacket(CountDownLatch arrived, Peer peer, int stream) throws InterruptedException {
    if (!arrived.await(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(peer.label + ": no packet reached sink " + stream + " within " + START_LIMIT.toSeconds() + " s");
    }
  }

  /** An ffmpeg RTMP listener that copies into the null muxer and counts down once its progress report counts a video packet. */
  private static Process sink(Path ffmpeg, String url, CountDownLatch arrived) throws IOException {
    Process p = new ProcessBuilder(ffmpeg.toString(), "-hide_banner", "-loglevel", "error", "-listen", "1", "-i", url,
        "-c", "copy", "-f", "null", "-progress", "pipe:1", "-stats_period", "0.1", "-").redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("frame=") && !line.equals("frame=0")) { // video packets copied so far
            arrived.countDown();
          }
        }
      } catch (IOException e) {
        // the sink was stopped
      }
    }, "bench-sink");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static Process start(List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("could not make the source file: " + String.join(" ", command) + "\n" + output);
    }
  }

  /** "FFmpeg 8.1.2", from {@code ffmpeg -version}. */
  private static String version(Path ffmpeg) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ffmpeg.toString(), "-version").redirectErrorStream(true).start();
    String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
    p.waitFor(10, TimeUnit.SECONDS);
    String[] words = first.split(" ");
    return words.length > 2 ? "FFmpeg " + words[2].replaceAll("-.*", "") : first;
  }

  private static long median(List<Long> values) {
    return values.stream().sorted().toList().get((values.size() - 1) / 2);
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
    public RunningWorker launch(StreamId id, String sourceId, java.util.function.Consumer<io.mtxtoolkit.worker.WorkerState> onState) {
      int i = Integer.parseInt(id.value().substring(1));
      return new ProcessLauncher(MediaMtxEndpoints.defaults(), List.of("--input-url", ins.get(i), "--output-url", outs.get(i),
          "--reconnect-base-ms", "100"), new PrintStream(OutputStream.nullOutputStream())).launch(id, onState);
    }
  }
}
