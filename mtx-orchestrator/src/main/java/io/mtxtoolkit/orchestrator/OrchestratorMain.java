package io.mtxtoolkit.orchestrator;

import io.mtxtoolkit.core.BuildVersion;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.hook.HookSignature;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.StatusPage;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import io.mtxtoolkit.orchestrator.metrics.OrchestratorMetrics;
import io.mtxtoolkit.orchestrator.workers.LaunchMode;
import io.mtxtoolkit.orchestrator.workers.LifecyclePolicy;
import io.mtxtoolkit.orchestrator.workers.ProcessLauncher;
import io.mtxtoolkit.orchestrator.workers.Reconciler;
import io.mtxtoolkit.orchestrator.workers.ThreadLauncher;
import io.mtxtoolkit.orchestrator.workers.WorkerLauncher;
import io.mtxtoolkit.orchestrator.workers.WorkerManager;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mtx-orchestrator}: runs the HTTP service until SIGTERM. Options fall back to ORCHESTRATOR_* variables. */
@Command(name = "mtx-orchestrator", sortOptions = false, versionProvider = OrchestratorMain.Version.class,
    description = "Receives MediaMTX hook events (POST /v1/mediamtx/events/{ready,not-ready}), runs one worker "
        + "per ready stream, and serves GET /v1/streams, GET /v1/events and GET /healthz. Logs JSON lines on stdout.",
    subcommands = StatusCommand.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped (SIGTERM)", "1:could not start", "2:invalid option or environment value",
        "3:the port is already in use"})
public final class OrchestratorMain implements Callable<Integer> {
  public static final int EXIT_START_FAILED = 1;
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
  public static final int EXIT_PORT_IN_USE = 3;
  /** How long SIGTERM waits for the workers to stop before the JVM ends anyway; below Compose's 10 s stop timeout. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(8);

  public static final String ENV_PORT = "ORCHESTRATOR_PORT";
  public static final String ENV_HOST = "ORCHESTRATOR_HOST";
  public static final String ENV_EVENTS_KEPT = "ORCHESTRATOR_EVENTS_KEPT";
  public static final String ENV_GRACE_PERIOD = "ORCHESTRATOR_GRACE_PERIOD_MS";
  public static final String ENV_MAX_WORKERS = "ORCHESTRATOR_MAX_WORKERS";
  public static final String ENV_WORKER_MODE = "ORCHESTRATOR_WORKER_MODE";
  public static final String ENV_RECONCILE = "ORCHESTRATOR_RECONCILE_INTERVAL_MS";
  private static final Map<String, String> ENV_BY_OPTION =
      Map.of("--port", ENV_PORT, "--host", ENV_HOST, "--events-kept", ENV_EVENTS_KEPT,
          "--grace-period-ms", ENV_GRACE_PERIOD, "--worker-mode", ENV_WORKER_MODE, "--reconcile-interval-ms", ENV_RECONCILE,
          "--max-workers", ENV_MAX_WORKERS);

  @Spec
  private CommandSpec spec;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + OrchestratorConfig.DEFAULT_PORT,
      description = "TCP port to listen on; 0 picks a free one (env " + ENV_PORT + "; default: ${DEFAULT-VALUE})")
  private int port;

  @Option(names = "--host", paramLabel = "H", defaultValue = OrchestratorConfig.DEFAULT_HOST,
      description = "Address to bind (env " + ENV_HOST + "; default: ${DEFAULT-VALUE}, all interfaces)")
  private String host;

  @Option(names = "--events-kept", paramLabel = "N", defaultValue = "" + OrchestratorConfig.DEFAULT_EVENTS_KEPT,
      description = "Recent events kept for GET /v1/events (env " + ENV_EVENTS_KEPT + "; default: ${DEFAULT-VALUE})")
  private int eventsKept;

  @Option(names = "--grace-period-ms", paramLabel = "MS", defaultValue = "" + LifecyclePolicy.DEFAULT_GRACE_PERIOD_MS,
      description = "After not-ready, wait this long before stopping the worker; a ready within it keeps the worker "
          + "(env " + ENV_GRACE_PERIOD + "; default: ${DEFAULT-VALUE})")
  private long gracePeriodMs;

  @Option(names = "--worker-mode", paramLabel = "MODE", defaultValue = "process",
      description = "process (a child JVM per stream), thread (in this JVM) or none (receive events only) "
          + "(env " + ENV_WORKER_MODE + "; default: ${DEFAULT-VALUE}). Workers reach MediaMTX at MEDIAMTX_HOST, "
          + "MEDIAMTX_RTSP_PORT, MEDIAMTX_RTMP_PORT (defaults localhost, 8554, 1935); the status page links to its "
          + "players on MEDIAMTX_HLS_PORT, MEDIAMTX_WEBRTC_PORT (defaults 8888, 8889) of the browser's host.")
  private String workerMode;

  @Option(names = "--max-workers", paramLabel = "N", defaultValue = "" + LifecyclePolicy.DEFAULT_MAX_WORKERS,
      description = "At most this many workers at once (1.." + LifecyclePolicy.MAX_MAX_WORKERS + "); a stream beyond it "
          + "waits, told why in its failedReason, and starts when a worker ends, longest-waiting first (env " + ENV_MAX_WORKERS + "; default: ${DEFAULT-VALUE})")
  private int maxWorkers;

  @Option(names = "--reconcile-interval-ms", paramLabel = "MS", defaultValue = "10000",
      description = "Compare MediaMTX's ready paths with the workers at start-up and this often, fixing what a lost "
          + "hook event left behind; 0 turns it off (env " + ENV_RECONCILE + "; default: ${DEFAULT-VALUE})")
  private long reconcileIntervalMs;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
  private boolean version;

  private final Consumer<OrchestratorServer> whileRunning;
  private final Map<String, String> env;

  private OrchestratorMain(Consumer<OrchestratorServer> whileRunning, Map<String, String> env) {
    this.whileRunning = whileRunning;
    this.env = env;
  }

  public static void main(String[] args) {
    Thread main = Thread.currentThread();
    AtomicBoolean terminated = new AtomicBoolean();
    int code = run(args, System.getenv(), new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8), server -> untilTerminated(server, main, terminated));
    if (terminated.get()) {
      // Shutdown is under way and its hook waits for this thread: halt with our code, or the JVM reports 143.
      Runtime.getRuntime().halt(code);
    }
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses {@code args} (falling back to {@code env}), starts the server, hands it to {@code whileRunning}
   * and stops it when that returns. Returns the exit code instead of exiting, so tests run it in-process.
   */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err,
                        Consumer<OrchestratorServer> whileRunning) {
    CommandLine cmd = new CommandLine(new OrchestratorMain(whileRunning, env));
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setDefaultValueProvider(arg -> fromEnvironment(arg, env));
    CommandLine.IParameterExceptionHandler standard = cmd.getParameterExceptionHandler();
    cmd.setParameterExceptionHandler((ex, rawArgs) -> {
      // picocli names the option; a value that came from the environment is fixed in the variable, so name that too
      String variable = environmentSource(ex.getArgSpec(), rawArgs, env);
      ParameterException named = variable == null ? ex : new ParameterException(ex.getCommandLine(),
          ex.getMessage() + " (from " + variable + "=" + env.get(variable).trim() + ")", ex, ex.getArgSpec(), ex.getValue());
      return standard.handleParseException(named, rawArgs);
    });
    return cmd.execute(args);
  }

  /** The variable {@code arg}'s value came from: one is set, and the command line does not give the option. */
  private static String environmentSource(ArgSpec arg, String[] rawArgs, Map<String, String> env) {
    if (!(arg instanceof OptionSpec option) || fromEnvironment(arg, env) == null) {
      return null;
    }
    for (String raw : rawArgs) {
      for (String name : option.names()) {
        if (raw.equals(name) || raw.startsWith(name + "=")) {
          return null;
        }
      }
    }
    return ENV_BY_OPTION.get(option.longestName());
  }

  /**
   * Production {@code whileRunning}: serve until the JVM is asked to stop (SIGTERM, SIGINT). The shutdown hook
   * stops the server and then waits for {@code main} to stop the workers, because the JVM ends when its hooks
   * do and would otherwise leave the worker processes running.
   */
  static void untilTerminated(OrchestratorServer server, Thread main, AtomicBoolean terminated) {
    Thread hook = new Thread(() -> {
      terminated.set(true);
      server.stop();
      try {
        main.join(SHUTDOWN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mtx-orchestrator-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      server.awaitStop();
      if (!terminated.get()) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException shuttingDown) {
      // the hook is what stopped the server; nothing left to undo
    }
  }

  @Override
  public Integer call() {
    OrchestratorConfig config;
    try {
      config = new OrchestratorConfig(host, port, eventsKept);
    } catch (ValidationException e) {
      throw new ParameterException(spec.commandLine(), describe(e.field()) + ": " + e.getMessage());
    }
    WorkerManager workers;
    try {
      workers = workers();
    } catch (ValidationException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    StatusPage statusPage;
    MediaMtxApiClient mediamtxApi;
    StreamsApi streamsApi;
    try {
      mediamtxApi = workers == null ? null : mediaMtxApi();
      streamsApi = workers == null ? null : new StreamsApi(workers, mediamtxApi);
      StreamsApi listing = streamsApi;
      // a worker's stream, or one the page lists because MediaMTX has its path (idle: its ready was missed)
      statusPage = workers == null ? null : StatusPage.forMediaMtx(MediaMtxEndpoints.fromEnvironment(env), env)
          .only(id -> workers.stream(id).isPresent() || listing.listed(id));
    } catch (ValidationException e) {
      workers.close();
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    OrchestratorMetrics metrics = new OrchestratorMetrics();
    HookEventListener listener = metrics;
    if (workers != null) {
      metrics.track(workers);
      listener = event -> {
        workers.onEvent(event);
        // Counted once applied. A failing count must not fail the event: it would be answered 500, forgotten by
        // the deduplication, and applied again when sent again.
        try {
          metrics.onEvent(event);
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(OrchestratorMain.class)
              .warn("event applied but not counted: {}", e.toString(), io.mtxtoolkit.orchestrator.workers.WorkerManager.fields(
                  event.streamId(), event.sourceId(), "metrics-count-failed"));
        }
      };
    }
    OrchestratorServer server = new OrchestratorServer(config, listener, Clock.systemUTC(), app -> {
      metrics.register(app);
      if (workers != null) {
        streamsApi.register(app);
        statusPage.register(app);
      }
    }, env.get(HookSignature.SECRET_ENV));

    try {
      server.start();
    } catch (ListenException e) {
      if (workers != null) {
        workers.close();
      }
      PrintWriter err = spec.commandLine().getErr();
      if (e.portInUse()) {
        err.println("mtx-orchestrator: port " + e.port() + " on " + e.host() + " is already in use; choose another with --port or "
            + ENV_PORT);
        return EXIT_PORT_IN_USE;
      }
      err.println("mtx-orchestrator: " + e.getMessage() + " (check --host/" + ENV_HOST + " and --port/" + ENV_PORT + ")");
      return EXIT_START_FAILED;
    }
    Reconciler reconciler = workers != null && reconcileIntervalMs > 0
        ? new Reconciler(mediamtxApi, workers).start(Duration.ofMillis(reconcileIntervalMs)) : null;
    try {
      whileRunning.accept(server);
    } finally {
      server.stop();
      // the workers before any wait on reconciliation: the shutdown hook waits 8 s in all, and a pass stuck on MediaMTX's
      // API (a name lookup cannot be interrupted) must not use them up; a pass that ends later finds the manager closed
      if (reconciler != null) {
        reconciler.halt(); // and no new pass meanwhile (MediaMTX stopping first would make one warn for nothing)
      }
      if (workers != null) {
        workers.close();
      }
      if (reconciler != null) {
        reconciler.close();
      }
    }
    return 0;
  }

  /** MediaMTX's Control API for the joined stream view: MEDIAMTX_API_URL, or http://MEDIAMTX_HOST:9997. */
  private MediaMtxApiClient mediaMtxApi() {
    String url = env.get("MEDIAMTX_API_URL");
    if (url == null || url.isBlank()) {
      url = "http://" + MediaMtxEndpoints.fromEnvironment(env).hostForUrl() + ":9997";
    }
    try {
      return new MediaMtxApiClient(url, Duration.ofMillis(800));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("MEDIAMTX_API_URL", "MEDIAMTX_API_URL '" + io.mtxtoolkit.core.Urls.withoutUserInfo(url)
          + "' is not an http(s) URL such as http://mediamtx:9997");
    }
  }

  /** The worker lifecycle for --worker-mode, or null for {@code none}. */
  private WorkerManager workers() {
    if (workerMode.equals("none")) {
      return null;
    }
    LaunchMode mode = LaunchMode.parse("--worker-mode", workerMode, "none");
    if (gracePeriodMs < 0) {
      throw new ValidationException("--grace-period-ms", "--grace-period-ms/" + ENV_GRACE_PERIOD + " must be >= 0");
    }
    if (reconcileIntervalMs < 0) { // 0 turns it off; a negative value is a mistake, not another way to say so
      throw new ValidationException("--reconcile-interval-ms", "--reconcile-interval-ms/" + ENV_RECONCILE + " must be >= 0");
    }
    MediaMtxEndpoints mediamtx = MediaMtxEndpoints.fromEnvironment(env);
    WorkerLauncher launcher = mode == LaunchMode.THREAD ? ThreadLauncher.forMediaMtx(mediamtx)
        : new ProcessLauncher(mediamtx, ProcessLauncher.jvmOptions(env), List.of(), System.out);
    if (maxWorkers < 1 || maxWorkers > LifecyclePolicy.MAX_MAX_WORKERS) {
      throw new ValidationException("--max-workers", "--max-workers/" + ENV_MAX_WORKERS + " must be 1.."
          + LifecyclePolicy.MAX_MAX_WORKERS + ", got " + maxWorkers);
    }
    return new WorkerManager(launcher, LifecyclePolicy.defaults().withGracePeriod(Duration.ofMillis(gracePeriodMs))
        .withMaxWorkers(maxWorkers), Clock.systemUTC());
  }

  private static String fromEnvironment(ArgSpec arg, Map<String, String> env) {
    if (arg instanceof OptionSpec option) {
      String variable = ENV_BY_OPTION.get(option.longestName());
      String value = variable == null ? null : env.get(variable);
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null; // picocli then uses the annotation's defaultValue
  }

  private static String describe(String field) {
    return switch (field) {
      case "port" -> "--port/" + ENV_PORT;
      case "host" -> "--host/" + ENV_HOST;
      case "eventsKept" -> "--events-kept/" + ENV_EVENTS_KEPT;
      default -> field;
    };
  }

  /** {@code --version}: the version of the packaged jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildVersion.line("mtx-orchestrator", OrchestratorMain.class)};
    }
  }
}
