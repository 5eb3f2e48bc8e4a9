package io.mtxtoolkit.testkit.mediamtx;

import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.api.MediaMtxApiException;
import io.mtxtoolkit.core.config.Listener;
import io.mtxtoolkit.core.config.MediaMtxConfig;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real MediaMTX process for tests: the repository's {@code deploy/mediamtx/mediamtx.yml} (outside a checkout,
 * the copy in the test kit's jar) with every enabled listener moved to a free port, TCP servers on loopback
 * (MediaMTX binds its UDP listeners on every interface), so runs never collide with each other or with a
 * running stack. Output is captured for assertions; {@link #close} stops MediaMTX and every process it
 * started (hooks), even when the test failed.
 */
public final class MediaMtxServer implements AutoCloseable {
  private static final Duration API_READY_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration READY_POLL = Duration.ofMillis(50);

  private final Process process;
  private final Path workDir;
  private final MediaMtxConfig config;
  private final Map<Listener, Integer> ports;
  private final LogCapture log;
  private final Thread shutdownHook;

  private MediaMtxServer(Process process, Path workDir, MediaMtxConfig config, Map<Listener, Integer> ports,
                         LogCapture log) {
    this.process = process;
    this.workDir = workDir;
    this.config = config;
    this.ports = ports;
    this.log = log;
    this.shutdownHook = new Thread(this::kill, "mediamtx-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts MediaMTX with the repository configuration unchanged but for its ports. */
  public static MediaMtxServer start() {
    return builder().start();
  }

  public int port(Listener listener) {
    Integer port = ports.get(listener);
    if (port == null) {
      throw new IllegalStateException(listener + " is not enabled in this MediaMTX configuration");
    }
    return port;
  }

  public int rtmpPort() {
    return port(Listener.RTMP);
  }

  public int rtspPort() {
    return port(Listener.RTSP);
  }

  public int apiPort() {
    return port(Listener.API);
  }

  public int metricsPort() {
    return port(Listener.METRICS);
  }

  public int playbackPort() {
    return port(Listener.PLAYBACK);
  }

  public String rtmpUrl(String path) {
    return "rtmp://127.0.0.1:" + rtmpPort() + "/" + path;
  }

  public String rtspUrl(String path) {
    return "rtsp://127.0.0.1:" + rtspPort() + "/" + path;
  }

  public String apiBaseUrl() {
    return "http://127.0.0.1:" + apiPort();
  }

  public String metricsBaseUrl() {
    return "http://127.0.0.1:" + metricsPort();
  }

  /** A client of this server's Control API. */
  public MediaMtxApiClient api() {
    return new MediaMtxApiClient(apiBaseUrl());
  }

  /**
   * Waits up to {@code timeout} until {@code path} is ready, as a reader needs it: MediaMTX accepts a publisher's
   * connection before it knows the tracks, and a reader that comes in between is told the path has no stream. Fails
   * at once when MediaMTX has exited; a time-out names the path's last state and MediaMTX's last lines.
   */
  public ApiPath awaitReady(String path, Duration timeout) {
    MediaMtxApiClient api = new MediaMtxApiClient(apiBaseUrl(), Duration.ofSeconds(2));
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      if (!isAlive()) {
        throw new AssertionError("MediaMTX exited while waiting for " + path + " to be ready; last lines:\n  "
            + String.join("\n  ", log.tail()));
      }
      try {
        java.util.Optional<ApiPath> found = api.getPath(path);
        if (found.isPresent() && found.get().ready()) {
          return found.get();
        }
        last = found.isPresent() ? "listed, not ready" : "not listed";
      } catch (MediaMtxApiException e) {
        last = "the API failed: " + e.getMessage();
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + path + " to be ready ("
            + last + "); last lines:\n  " + String.join("\n  ", log.tail()));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(READY_POLL.toNanos()); // MediaMTX announces no path changes
    }
  }

  /** MediaMTX's combined stdout and stderr, line by line. */
  public LogCapture log() {
    return log;
  }

  /** The configuration MediaMTX was started with (ports already replaced). */
  public MediaMtxConfig config() {
    return config;
  }

  public Path configFile() {
    return workDir.resolve("mediamtx.yml");
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops MediaMTX (SIGTERM, then SIGKILL after 5 s) and every process it spawned. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is running
    }
    kill();
    deleteTree(workDir);
  }

  /** The configuration written for this run, and whatever MediaMTX left beside it: one directory per server. */
  private static void deleteTree(Path workDir) {
    if (!Files.exists(workDir)) {
      return; // closed before
    }
    try (java.util.stream.Stream<Path> files = Files.walk(workDir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      System.err.println("[mediamtx] cannot remove " + workDir + ": " + e.getMessage());
    }
  }

  private void kill() {
    ServiceProcess.stopTree(process, Duration.ofSeconds(5));
  }

  /** Chooses the configuration and environment before start. */
  public static final class Builder {
    private MediaMtxConfig config;
    private Path binary;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<Path> pathPrepend = new ArrayList<>();
    private PrintStream echo = Boolean.getBoolean("mediamtx.echo") ? System.out : null;

    private Builder() {}

    /** Runs this binary instead of the one {@link MediaMtxBinary#require()} finds. */
    public Builder binary(Path binary) {
      this.binary = binary;
      return this;
    }

    /** Replaces the configuration (default: {@code deploy/mediamtx/mediamtx.yml}). */
    public Builder config(MediaMtxConfig config) {
      this.config = config;
      return this;
    }

    /** Edits the configuration before ports are assigned. */
    public Builder configure(UnaryOperator<MediaMtxConfig> edit) {
      this.config = edit.apply(currentConfig());
      return this;
    }

    /** An environment variable for MediaMTX and, through it, its hook commands. */
    public Builder env(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** Puts {@code dir} first on MediaMTX's PATH, e.g. the built {@code mtx-hook} launcher's {@code bin/}. */
    public Builder prependPath(Path dir) {
      pathPrepend.add(dir.toAbsolutePath());
      return this;
    }

    /** Copies MediaMTX's output to {@code out} as well (default: only with {@code -Dmediamtx.echo=true}). */
    public Builder echo(PrintStream out) {
      this.echo = out;
      return this;
    }

    private MediaMtxConfig currentConfig() {
      return config != null ? config : MediaMtxConfig.parse(RepoFiles.read("deploy/mediamtx/mediamtx.yml"));
    }

    public MediaMtxServer start() {
      Path bin = binary != null ? binary : MediaMtxBinary.require();
      MediaMtxConfig base = currentConfig();
      List<Listener> enabled = new ArrayList<>();
      for (Listener l : Listener.values()) {
        if (base.isEnabled(l)) {
          enabled.add(l);
        }
      }
      Map<Listener, Integer> ports = new EnumMap<>(FreePorts.forListeners(enabled));
      MediaMtxConfig effective = base.withListeners("127.0.0.1", ports);
      // UDP listeners bind all interfaces in MediaMTX; the loopback host is only for TCP servers.
      for (Listener l : enabled) {
        if (l.transport() == Listener.Transport.UDP) {
          effective = effective.with(l.addressKey(), ":" + ports.get(l));
        }
      }
      // RTSP over UDP would bind the fixed RTP/RTCP ports (8000/8001, and multicast's) on all interfaces, which a
      // running stack or a second test server holds: tests read over TCP, as workers do.
      effective = effective.with("rtspTransports", List.of("tcp"));
      Path workDir = null;
      try {
        workDir = Files.createTempDirectory("mediamtx-test-");
        effective.write(workDir.resolve("mediamtx.yml"));
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), workDir.resolve("mediamtx.yml").toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true);
        // The hook's launcher, run by MediaMTX with MediaMTX's environment, finds this JVM's runtime.
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        // MediaMTX stamps its lines in local time: UTC, as the other services' lines and its container
        pb.environment().put("TZ", "UTC");
        pb.environment().putAll(environment);
        if (!pathPrepend.isEmpty()) {
          StringBuilder path = new StringBuilder();
          pathPrepend.forEach(p -> path.append(p).append(java.io.File.pathSeparator));
          pb.environment().put("PATH", path + pb.environment().getOrDefault("PATH", ""));
        }
        LogCapture log = new LogCapture("mediamtx", echo);
        Process process = pb.start();
        log.follow(process.getInputStream());
        MediaMtxServer server = new MediaMtxServer(process, workDir, effective, ports, log);
        server.awaitApi();
        return server;
      } catch (IOException e) {
        if (workDir != null) {
          deleteTree(workDir);
        }
        throw new UncheckedIOException("cannot start MediaMTX " + bin + ": " + e.getMessage(), e);
      }
    }
  }

  private void awaitApi() {
    try {
      ServiceProcess.awaitHttp(process, log, "MediaMTX", apiBaseUrl() + "/v3/paths/list", API_READY_TIMEOUT);
    } catch (IllegalStateException e) {
      close();
      throw e;
    }
  }
}
