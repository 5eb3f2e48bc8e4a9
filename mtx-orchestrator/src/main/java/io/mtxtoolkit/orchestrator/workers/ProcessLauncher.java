package io.mtxtoolkit.orchestrator.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.worker.WorkerEvents;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerMain;
import io.mtxtoolkit.worker.WorkerResult;
import io.mtxtoolkit.worker.WorkerState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs each worker as a child JVM ({@code java … WorkerMain run --stream <id>}) with the orchestrator's own
 * runtime and classpath: a native crash in FFmpeg takes down one stream, not the service. The command is
 * an argument vector, never a shell line, and the id was validated before it got here. The child's JSON
 * log lines are copied to our stdout and read for its state and its reason when it ends.
 */
public final class ProcessLauncher implements WorkerLauncher {
  /** A JVM ended by SIGTERM before any handler ran exits with 128 + 15. */
  static final int SIGTERM_EXIT = 143;
  /** How often a worker process reports its progress (its {@code /out}'s lag) through {@code --progress-ms}. */
  static final java.time.Duration PROGRESS_EVERY = java.time.Duration.ofSeconds(5);
  private static final long NO_LAG = -1;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The logger of a worker process's lines that were not JSON. */
  private static final org.slf4j.Logger WORKER_OUTPUT = org.slf4j.LoggerFactory.getLogger("mtx-worker");
  /** Replaces {@link #DEFAULT_JVM_OPTIONS} for each worker JVM the orchestrator starts; blank counts as unset. */
  public static final String JVM_OPTIONS_ENV = "MTX_WORKER_JAVA_OPTS";
  /**
   * A worker's Java heap holds little (packets live in native memory); small heap, code cache and C1 only keep
   * each child's footprint down without measurable CPU cost (make bench: WorkerCostBench). JavaCPP's check of the
   * process's resident memory is off: by default it is 4x the heap (256 MiB here), and a transcode of a large
   * picture passes that in FFmpeg's own buffers, which JavaCPP would answer with an OutOfMemoryError.
   */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx64m", "-Xss512k",
      "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m", "-XX:-UsePerfData",
      "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

  /** The flags that choose a collector (not every -XX:+Use…GC does: UseMaximumCompactionOnSystemGC does not). */
  private static final java.util.Set<String> COLLECTORS = java.util.Set.of("-XX:+UseSerialGC", "-XX:+UseParallelGC",
      "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseShenandoahGC", "-XX:+UseEpsilonGC");

  private final MediaMtxEndpoints mediamtx;
  private final List<String> jvmOptions;
  private final List<String> extraArgs;
  private final PrintStream logSink;
  /** The child's argument vector for a stream and its source id: {@link #command}, or a stand-in in tests. */
  private final java.util.function.BiFunction<StreamId, String, List<String>> commandLine;

  public ProcessLauncher(MediaMtxEndpoints mediamtx, List<String> extraArgs, PrintStream logSink) {
    this(mediamtx, DEFAULT_JVM_OPTIONS, extraArgs, logSink, null);
  }

  /** @param jvmOptions the worker JVM's flags, e.g. {@link #jvmOptions(Map)} */
  public ProcessLauncher(MediaMtxEndpoints mediamtx, List<String> jvmOptions, List<String> extraArgs,
                         PrintStream logSink) {
    this(mediamtx, jvmOptions, extraArgs, logSink, null);
  }

  /** Runs {@code commandLine}'s vector instead of the worker JVM (null for the worker), to test the child handling. */
  ProcessLauncher(MediaMtxEndpoints mediamtx, List<String> extraArgs, PrintStream logSink,
                  java.util.function.BiFunction<StreamId, String, List<String>> commandLine) {
    this(mediamtx, DEFAULT_JVM_OPTIONS, extraArgs, logSink, commandLine);
  }

  private ProcessLauncher(MediaMtxEndpoints mediamtx, List<String> jvmOptions, List<String> extraArgs,
                          PrintStream logSink, java.util.function.BiFunction<StreamId, String, List<String>> commandLine) {
    this.mediamtx = mediamtx;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.extraArgs = List.copyOf(extraArgs);
    this.logSink = logSink;
    this.commandLine = commandLine != null ? commandLine : this::command;
  }

  /**
   * The worker JVM's flags: {@value #JVM_OPTIONS_ENV} split at whitespace when set and not blank (as the
   * launcher script splits it), else {@link #DEFAULT_JVM_OPTIONS}.
   */
  public static List<String> jvmOptions(Map<String, String> env) {
    String value = env.get(JVM_OPTIONS_ENV);
    List<String> options = value == null || value.isBlank() ? DEFAULT_JVM_OPTIONS : List.of(value.trim().split("\\s+"));
    // A collector chosen where the child JVM looks by itself wins over ours, and over one in MTX_WORKER_JAVA_OPTS (a
    // copy of the defaults): with two it refuses to start.
    boolean chosen = java.util.stream.Stream.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
        .map(env::get).filter(java.util.Objects::nonNull).flatMap(v -> java.util.Arrays.stream(v.trim().split("\\s+")))
        .map(w -> w.replaceAll("^[\"']|[\"']$", "")) // the JVM takes a quoted word in these variables
        .anyMatch(COLLECTORS::contains);
    return chosen ? options.stream().filter(o -> !COLLECTORS.contains(o)).toList() : options;
  }

  @Override
  public LaunchMode mode() {
    return LaunchMode.PROCESS;
  }

  /** The child's argument vector. */
  List<String> command(StreamId id, String sourceId) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkerMain.class.getName());
    // --stop-on-stdin-eof: the child's stdin is a pipe this JVM holds, so its end tells the worker we are gone.
    // --stream=<id> in one word: an id may look like an option ("-h", "--help" are valid ids).
    cmd.addAll(List.of("run", "--stop-on-stdin-eof", "--stream=" + id.value(), "--host", mediamtx.host(),
        "--rtsp-port", String.valueOf(mediamtx.rtspPort()), "--rtmp-port", String.valueOf(mediamtx.rtmpPort()),
        "--progress-ms", String.valueOf(PROGRESS_EVERY.toMillis())));
    if (!sourceId.isEmpty()) {
      cmd.add("--source-id=" + sourceId);
    }
    cmd.addAll(extraArgs);
    return cmd;
  }

  @Override
  public RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState) {
    Process process;
    try {
      process = new ProcessBuilder(commandLine.apply(id, sourceId)).redirectErrorStream(true).start();
    } catch (IOException e) {
      // Thrown, not a handle that has already exited: the manager logs a failed launch, not a started worker.
      throw new UncheckedIOException("cannot start worker process: " + e.getMessage(), e);
    }
    AtomicReference<String> lastProblem = new AtomicReference<>();
    AtomicReference<String> firstPlain = new AtomicReference<>();
    AtomicLong lagMs = new AtomicLong(NO_LAG);
    AtomicBoolean spoke = new AtomicBoolean();
    AtomicInteger verdict = new AtomicInteger(NO_VERDICT);
    AtomicBoolean publisherLeft = new AtomicBoolean();
    AtomicBoolean readAll = new AtomicBoolean();
    AtomicReference<String> publisher = new AtomicReference<>(sourceId == null ? "" : sourceId);
    Thread reader = new Thread(() -> follow(id, publisher, process, onState, new Heard(lastProblem, firstPlain, lagMs, spoke, verdict, publisherLeft, readAll)),
        "worker-log-" + id.value());
    reader.setDaemon(true);
    try {
      reader.start();
    } catch (Throwable e) { // e.g. no native thread left: a child nobody follows must not live on and publish
      process.destroyForcibly();
      throw e;
    }
    CompletableFuture<WorkerResult> exit = process.onExit().thenApply(p -> {
      try {
        reader.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // a worker-failed line not read (output cut short, or a copy still blocked on this service's stdout) is no
      // proof there was none: then the exit code alone decides, as the worker's
      return result(p.exitValue(), lastProblem.get(), firstPlain.get(), spoke.get(),
          readAll.get() ? verdict.get() : p.exitValue());
    });
    return new RunningWorker() {
      @Override
      public void stop() {
        // Through the handle: Process.destroy() would also close the pipe and lose the worker's last lines.
        process.toHandle().destroy();
      }

      @Override
      public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }

      @Override
      public CompletableFuture<WorkerResult> exit() {
        return exit;
      }

      @Override
      public void publisherReady(boolean ready) {
        publisherLeft.set(!ready); // the process is not told: its verdict line is relevelled as it is copied
      }

      @Override
      public void publisherChanged(String newSourceId) {
        // The process keeps the id it was started with; its lines are given the new one as they are copied.
        publisher.set(newSourceId == null ? "" : newSourceId);
      }

      @Override
      public String handle() {
        return "pid " + process.pid();
      }

      @Override
      public OptionalLong outputLagMillis() {
        long ms = lagMs.get();
        return ms == NO_LAG ? OptionalLong.empty() : OptionalLong.of(ms);
      }
    };
  }

  /**
   * {@code lastProblem}: the worker's last error line; {@code firstPlain}: its first line that was not JSON, the
   * JVM's own words ("Exception in thread …"), which explain a crash and nothing else (a start-up warning);
   * {@code spoke}: the worker logged a JSON line, so its signal handler was installed (it is, before any line).
   */
  static WorkerResult result(int code, String lastProblem, String firstPlain, boolean spoke) {
    return result(code, lastProblem, firstPlain, spoke, code);
  }

  /**
   * {@link #result(int, String, String, boolean)}, with the exit code the worker's {@code worker-failed} line
   * announced ({@link #NO_VERDICT}: none). Invalid input (3) and unusable media (5) end a stream's restarts, so they
   * count only as the worker's own verdict: a JVM ends with 3 by itself under -XX:+ExitOnOutOfMemoryError (a common
   * container setting, reaching the worker through JAVA_TOOL_OPTIONS), which a restart may well cure.
   */
  static WorkerResult result(int code, String lastProblem, String firstPlain, boolean spoke, int announced) {
    if ((code == WorkerExit.INVALID_INPUT.code() || code == WorkerExit.MEDIA_ERROR.code()) && announced != code) {
      return WorkerResult.crashed("worker process died with exit code " + code + " without the worker's verdict (the JVM's "
          + "own end, such as -XX:+ExitOnOutOfMemoryError)"
          + (firstPlain != null ? "; it said: " + firstPlain : lastProblem != null ? "; last error: " + lastProblem : ""));
    }
    if (code == SIGTERM_EXIT) {
      // A stop either way, not a crash. Before the handler: SIGTERM reached a JVM still starting. After it: the
      // worker's handler gave up waiting for the close, so /out ended without its trailer.
      return new WorkerResult(WorkerExit.STOPPED, spoke
          ? "stopped on request, but /out was not closed within the worker's stop budget"
          : "ended by SIGTERM while starting");
    }
    WorkerExit exit;
    try {
      exit = WorkerExit.ofCode(code);
    } catch (IllegalArgumentException e) {
      return WorkerResult.crashed("worker process died with exit code " + code
          + (code > 128 ? " (signal " + (code - 128) + ")" : "")
          + (lastProblem != null ? "; last error: " + lastProblem : firstPlain != null ? "; it said: " + firstPlain : ""));
    }
    // A stop is a stop, whatever error line came before it (a source refusing while the worker was starting).
    String reason = exit == WorkerExit.STOPPED ? "stopped on request" : lastProblem != null ? lastProblem : "exit code " + code;
    return new WorkerResult(exit, reason);
  }

  /** A worker's JSON {@code line} ({@code node}) as it is, or with {@code sourceId} when it names another publisher. */
  static String withPublisher(com.fasterxml.jackson.databind.node.ObjectNode node, String line, String sourceId) {
    if (node.path("sourceId").asText("").equals(sourceId)) {
      return line;
    }
    if (sourceId.isEmpty()) {
      node.remove("sourceId");
    } else {
      node.put("sourceId", sourceId);
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return line; // a tree just read always writes; keep the worker's own words if not
    }
  }

  /**
   * A line the JVM prints whatever happens ("Picked up JAVA_TOOL_OPTIONS: …", a VM warning, a crash report's "#"
   * frame): no explanation of an end.
   */
  static boolean isJvmBanner(String line) {
    String t = line.strip();
    return t.startsWith("Picked up ") || t.contains("VM warning:") || t.equals("#") || t.isEmpty();
  }

  /**
   * A worker's plain-text output line (the JVM's own, or a library's) as a line of this service's log, with the
   * stream's correlation fields: the worker's JSON lines pass through as they are.
   */
  static void logPlain(StreamId id, String sourceId, String text) {
    WORKER_OUTPUT.warn("{}", text, net.logstash.logback.argument.StructuredArguments.kv("event", "worker-output"),
        net.logstash.logback.argument.StructuredArguments.entries(io.mtxtoolkit.worker.StreamWorker.fields(id, sourceId)));
  }

  /** What a worker process's output told so far (see {@link #result(int, String, String, boolean, int)}). */
  private record Heard(AtomicReference<String> lastProblem, AtomicReference<String> firstPlain, AtomicLong lagMs,
                       AtomicBoolean spoke, AtomicInteger verdict, AtomicBoolean publisherLeft, AtomicBoolean readAll) {}

  /** The {@code exitCode} a worker line names, as a number or as text (a logging set-up may write it so); else {@link #NO_VERDICT}. */
  static int exitCode(JsonNode line) {
    JsonNode code = line.path("exitCode");
    if (code.canConvertToInt()) {
      return code.asInt();
    }
    try {
      return code.isTextual() ? Integer.parseInt(code.asText().trim()) : NO_VERDICT;
    } catch (NumberFormatException e) {
      return NO_VERDICT;
    }
  }

  /** {@link #result(int, String, String, boolean, int)}'s "no verdict announced". */
  static final int NO_VERDICT = Integer.MIN_VALUE;

  private void follow(StreamId id, AtomicReference<String> publisher, Process process, Consumer<WorkerState> onState, Heard heard) {
    AtomicReference<String> lastProblem = heard.lastProblem();
    AtomicReference<String> firstPlain = heard.firstPlain();
    AtomicLong lagMs = heard.lagMs();
    AtomicBoolean spoke = heard.spoke();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode node = null;
        if (line.startsWith("{")) {
          try {
            node = JSON.readTree(line);
          } catch (IOException notJson) {
            // a plain line after all
          }
        }
        if (node == null || !node.isObject()) {
          // The JVM's own words ("Exception in thread …") and anything else not logged through the worker's JSON
          // encoder: a line of this service's log each, with the stream's fields, so the output stays JSON lines.
          logPlain(id, publisher.get(), line);
          if (!isJvmBanner(line)) {
            firstPlain.compareAndSet(null, line);
          }
          continue;
        }
        String event = node.path("event").asText("");
        if (!event.isEmpty()) {
          spoke.set(true); // a worker's own line, not JSON an agent printed before the worker's main ran
        }
        if (event.equals(WorkerEvents.PROGRESS)) {
          // read for /v1/streams, every few seconds per worker: not repeated in this service's log
          lagMs.set(node.path("lagMs").canConvertToLong() ? Math.max(0, node.path("lagMs").asLong()) : NO_LAG);
          continue;
        }
        if (event.equals(WorkerEvents.FAILED) && heard.publisherLeft().get()
            && exitCode(node) == WorkerExit.SOURCE_LOST.code() && node.path("level").asText("").equals("ERROR")) {
          // the source lost after its stream's not-ready: the publisher leaving, as a worker in the service's JVM says
          ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("level", "WARN")
              .put("message", node.path("message").asText("") + " (its publisher had left)");
          line = node.toString();
        }
        logSink.println(withPublisher((com.fasterxml.jackson.databind.node.ObjectNode) node, line, publisher.get()));
        switch (event) {
          case WorkerEvents.RUNNING -> onState.accept(WorkerState.RUNNING);
          case WorkerEvents.RECONNECT -> {
            lagMs.set(NO_LAG); // no /out until the next session publishes
            onState.accept(WorkerState.RECONNECTING);
          }
          default -> { }
        }
        String level = node.path("level").asText("");
        if (level.equals("ERROR") || event.equals(WorkerEvents.FAILED)) {
          lastProblem.set(node.path("message").asText(line));
        }
        if (event.equals(WorkerEvents.FAILED)) {
          heard.verdict().set(exitCode(node));
        }
      }
      heard.readAll().set(true); // the end of the output: every line the worker wrote was read
    } catch (IOException e) {
      // The JDK closes a dead child's pipe under a blocked reader ("Stream closed"): that is the end of the
      // output, not a problem of the worker's.
      if (process.isAlive()) {
        lastProblem.compareAndSet(null, "worker output unreadable: " + e.getMessage());
      }
    }
  }
}
