package io.mtxtoolkit.worker;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.mtxtoolkit.core.BuildVersion;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mtx-worker run --stream <id>}: one stream's worker as a process (the orchestrator's child-process mode). */
@Command(name = "mtx-worker", mixinStandardHelpOptions = true, versionProvider = WorkerMain.Version.class,
    description = "Reads live/<id>/in over RTSP/TCP, processes it and publishes live/<id>/out over RTMP.",
    subcommands = WorkerMain.Run.class)
public final class WorkerMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The worker's own Logback configuration, so a worker process logs JSON whatever else is on its classpath. */
  static final String LOGBACK_CONFIG = "mtx-worker-logback.xml";

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
    Thread main = Thread.currentThread();
    // Installed first: loading FFmpeg's libraries takes seconds, and a SIGTERM then is a stop (0), not a 143.
    java.util.concurrent.atomic.AtomicReference<StreamWorker> started = new java.util.concurrent.atomic.AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM/SIGINT: stop reading, close the output cleanly, then end with the worker's own code (0).
      // A worker that has already ended keeps its code: the main thread is about to halt with it.
      StreamWorker worker = started.get();
      if (worker == null || (!worker.hasEnded() && worker.stopBeforePublishing())) {
        Runtime.getRuntime().halt(WorkerExit.STOPPED.code()); // nothing published yet: nothing to close
      }
      worker.stop();
      try {
        main.join(worker.stopWithin().toMillis()); // past it the JVM ends with the signal's own status
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "worker-shutdown"));
    int code;
    try {
      code = run(args, System.getenv(), started::set);
    } catch (Throwable crash) { // an Error picocli passes on: the hook above must not turn it into a stop (0)
      code = crashed(crash);
    }
    Runtime.getRuntime().halt(code);
  }

  /** Parses and runs; {@code onStart} sees the worker before it runs (signal handling, tests). */
  static int run(String[] args, Map<String, String> env, java.util.function.Consumer<StreamWorker> onStart) {
    CommandLine cli = new CommandLine(new WorkerMain());
    // Stream ids may look like options ("-h" and "--help" are valid ids): --stream takes them as values.
    cli.setAllowOptionsAsOptionParameters(true);
    ((Run) cli.getSubcommands().get("run").getCommand()).init(env, onStart);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof ValidationException) {
        line.getErr().println("mtx-worker: " + e.getMessage());
        // the verdict line too: an orchestrator takes exit 3 as the worker's verdict only when the worker said so
        LoggerFactory.getLogger(WorkerEvents.LIFECYCLE_LOGGER).error("worker failed: {}", e.getMessage(),
            kv("event", WorkerEvents.FAILED), kv("exitCode", WorkerExit.INVALID_INPUT.code()));
        return WorkerExit.INVALID_INPUT.code();
      }
      return crashed(e);
    });
    return cli.execute(args);
  }

  /** Exit code of a worker that failed with what it did not expect. */
  static final int CRASHED = 1;

  /**
   * One JSON line with the stack trace in a field, where a printed trace would reach the orchestrator as a
   * plain line per frame; the orchestrator records the message as the exit's reason.
   */
  private static int crashed(Throwable e) {
    try {
      LoggerFactory.getLogger(WorkerMain.class).error("worker crashed: {}", e.toString(),
          net.logstash.logback.argument.StructuredArguments.kv("event", "worker-crashed"), e);
    } catch (Throwable alsoFailed) { // e.g. out of memory again while writing the trace: the exit code still says it
      // nothing more can be said
    }
    return CRASHED;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: run");
  }

  /** {@code mtx-worker run}. */
  @Command(name = "run", mixinStandardHelpOptions = true, description = {
      "Run the worker for one stream until stopped (SIGTERM/SIGINT → exit 0).",
      "Exit codes: 0 stopped; 1 crashed (an unexpected error); 2 usage; 3 invalid input; 4 source lost after 3 reconnect "
          + "attempts (1 s, 2 s, 4 s); 5 media error; 6 output lost (/out refused or broke off, after the same attempts)."})
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stream", required = true, paramLabel = "ID", description = "Stream id: [A-Za-z0-9_-], 1..64 characters.")
    String stream;

    @Option(names = "--host", paramLabel = "HOST", description = "MediaMTX host (env MEDIAMTX_HOST, default localhost).")
    String host;

    @Option(names = "--rtsp-port", paramLabel = "PORT", description = "MediaMTX RTSP port (env MEDIAMTX_RTSP_PORT, default 8554).")
    Integer rtspPort;

    @Option(names = "--rtmp-port", paramLabel = "PORT", description = "MediaMTX RTMP port (env MEDIAMTX_RTMP_PORT, default 1935).")
    Integer rtmpPort;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "passthrough",
        description = "passthrough (remux, default) or transcode (decode, --step, encode H.264 + AAC).")
    String mode;

    @Option(names = "--step", paramLabel = "NAME", description = "Processing step for transcode mode (default: label).")
    String step;

    @Option(names = "--stall-timeout-ms", paramLabel = "MS", description = "No data for this long = source lost (default 4000).")
    Long stallTimeoutMs;

    @Option(names = "--progress-ms", paramLabel = "MS", description = "Every MS ms, log a worker-progress line: packets "
        + "published and how far /out runs behind /in (lagMs). The orchestrator passes 5000; 0 (default): none.")
    long progressMs;

    @Option(names = "--reconnect-base-ms", paramLabel = "MS", hidden = true, description = "First reconnect delay (tests only; spec: 1000).")
    Long reconnectBaseMs;

    @Option(names = "--input-url", paramLabel = "URL", description = "Read this URL instead of rtsp://HOST:PORT/live/ID/in.")
    String inputUrl;

    @Option(names = "--output-url", paramLabel = "URL", description = "Publish to this URL instead of rtmp://HOST:PORT/live/ID/out.")
    String outputUrl;

    @Option(names = "--source-id", paramLabel = "ID",
        description = "The publisher's id (MediaMTX's MTX_SOURCE_ID), carried by every log line as sourceId.")
    String sourceId;

    @Option(names = "--stop-on-stdin-eof", description = "Stop as on SIGTERM when standard input closes. The orchestrator "
        + "passes it and holds the pipe, so a worker never outlives it (kill -9, crash) to publish beside its replacement.")
    boolean stopOnStdinEof;

    private Map<String, String> env = Map.of();
    private java.util.function.Consumer<StreamWorker> onStart = w -> {};

    void init(Map<String, String> environment, java.util.function.Consumer<StreamWorker> start) {
      this.env = environment;
      this.onStart = start;
    }

    @Override
    public Integer call() {
      StreamId id = StreamId.of("--stream", stream);
      if (progressMs < 0) {
        throw new ValidationException("--progress-ms", "--progress-ms must be 0 (none) or more, got " + progressMs);
      }
      // Lines before the run (a broken step plug-in) carry the stream's fields too; one stream per process.
      StreamWorker.fields(id, sourceId).forEach(org.slf4j.MDC::put);
      WorkerConfig config = config(id);
      if (config.mode() == WorkerConfig.Mode.TRANSCODE) {
        try {
          StreamWorker.processor(config.step()).close();
        } catch (IllegalArgumentException unknownStep) {
          spec.commandLine().getErr().println("mtx-worker: " + unknownStep.getMessage());
          // the verdict line too, which the orchestrator records as the reason (plain text it does not read)
          LoggerFactory.getLogger(WorkerEvents.LIFECYCLE_LOGGER).error("worker failed: {}", unknownStep.getMessage(),
              kv("event", WorkerEvents.FAILED), kv("exitCode", WorkerExit.MEDIA_ERROR.code()));
          return WorkerExit.MEDIA_ERROR.code();
        }
      }
      StreamWorker worker = new StreamWorker(config, sourceId, state -> {});
      // One stream per worker process: FFmpeg's own threads (a decoder's), which carry no MDC, log as it.
      FfmpegLog.processFields(StreamWorker.fields(id, sourceId));
      onStart.accept(worker);
      if (stopOnStdinEof) {
        watchStdin(id, sourceId);
      }
      java.util.concurrent.ScheduledExecutorService progress = progressMs == 0 ? null : reportProgress(worker, progressMs);
      try {
        return worker.run().exit().code();
      } finally {
        if (progress != null) {
          progress.shutdownNow();
        }
      }
    }

    /** The run's configuration from the options and the environment; the spec's timings unless options say. */
    WorkerConfig config(StreamId id) {
      MediaMtxEndpoints mtx = MediaMtxEndpoints.fromEnvironment(env, host, rtspPort, rtmpPort);
      WorkerConfig.Mode m = switch (mode) {
        case "passthrough" -> WorkerConfig.Mode.PASSTHROUGH;
        case "transcode" -> WorkerConfig.Mode.TRANSCODE;
        default -> throw new ValidationException("--mode", "unknown mode '" + mode + "' (passthrough or transcode)");
      };
      return WorkerConfig.forStream(id, mtx).withMode(m, step).withUrls(inputUrl, outputUrl)
          .withTiming(stallTimeoutMs == null ? WorkerConfig.DEFAULT_STALL_TIMEOUT : Duration.ofMillis(stallTimeoutMs),
              reconnectBaseMs == null ? ReconnectPolicy.spec() : ReconnectPolicy.exponential(Duration.ofMillis(reconnectBaseMs), 3));
    }
  }

  /** Logs {@link WorkerEvents#PROGRESS} every {@code everyMs} while publishing (MDC: the stream's fields, set per line). */
  static java.util.concurrent.ScheduledExecutorService reportProgress(StreamWorker worker, long everyMs) {
    // Looked up here, not in a static field: initialising this class must not start Logback before main() has
    // chosen the worker's own configuration.
    org.slf4j.Logger log = LoggerFactory.getLogger(WorkerEvents.PROGRESS_LOGGER);
    Map<String, String> fields = org.slf4j.MDC.getCopyOfContextMap();
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "worker-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> {
      java.util.OptionalLong lag = worker.outputLagMillis();
      if (fields != null) {
        org.slf4j.MDC.setContextMap(fields);
      }
      // every time, lagMs left out while not publishing: a reader's last value must not outlive the session
      if (lag.isEmpty()) {
        log.info("worker progress: {} packets published, not publishing now", worker.packets(),
            kv("event", WorkerEvents.PROGRESS), kv("packets", worker.packets()));
      } else {
        log.info("worker progress: {} packets published, /out {} ms behind /in", worker.packets(), lag.getAsLong(),
            kv("event", WorkerEvents.PROGRESS), kv("packets", worker.packets()), kv("lagMs", lag.getAsLong()));
      }
    }, everyMs, everyMs, TimeUnit.MILLISECONDS);
    return timer;
  }

  /** Exits through the shutdown hook (the SIGTERM path) once standard input reaches end of file. */
  private static void watchStdin(StreamId id, String sourceId) {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the orchestrator never writes; only the end of the pipe matters
        }
      } catch (IOException closed) {
        // a broken pipe means the same: the orchestrator is gone
      }
      LoggerFactory.getLogger(WorkerMain.class).warn("standard input closed: the orchestrator is gone; stopping",
          kv("event", "worker-orphaned"), StructuredArguments.entries(StreamWorker.fields(id, sourceId)));
      System.exit(WorkerExit.STOPPED.code());
    }, "stdin-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildVersion.line("mtx-worker", WorkerMain.class)};
    }
  }
}
