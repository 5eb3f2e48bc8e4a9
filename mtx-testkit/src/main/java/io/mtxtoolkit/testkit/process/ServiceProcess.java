package io.mtxtoolkit.testkit.process;

import io.mtxtoolkit.testkit.mediamtx.LogCapture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of this project's launchers (e.g. {@code mtx-orchestrator/target/dist/bin/mtx-orchestrator})
 * run as a real process for tests: output captured, readiness awaited over HTTP, stopped with its
 * children even when the test fails.
 */
public final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final LogCapture log;

  private ServiceProcess(Process process, LogCapture log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code launcher args…} with extra environment; fails clearly if the launcher was not built. */
  public static ServiceProcess start(Path launcher, List<String> args, Map<String, String> env) {
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException(launcher + " is missing: build the distributions first (mvn package)");
    }
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().add(launcher.toString());
    pb.command().addAll(args);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    try {
      Process process = pb.start();
      LogCapture log = new LogCapture(launcher.getFileName().toString(), Boolean.getBoolean("mediamtx.echo") ? System.out : null);
      log.follow(process.getInputStream());
      return new ServiceProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + launcher, e);
    }
  }

  /** Waits until {@code url} answers 2xx, failing early if the process exits. */
  public ServiceProcess awaitHttp(String url, Duration timeout) {
    awaitHttp(process, log, "process", url, timeout);
    return this;
  }

  /**
   * Waits until {@code url} answers 2xx while {@code process} runs; an exit or the timeout fails with the
   * process's last output lines, read to their end first so the reason is in the message.
   */
  public static void awaitHttp(Process process, LogCapture log, String label, String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        log.awaitEndOfStream(Duration.ofSeconds(2));
        throw new IllegalStateException(label + " exited with code " + process.exitValue() + " before " + url
            + " answered; output:\n  " + String.join("\n  ", log.tail()));
      }
      if (answers(url)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(label + ": " + url + " did not answer within " + timeout.toMillis()
            + " ms; output:\n  " + String.join("\n  ", log.tail()));
      }
      try {
        // Poll interval while the service binds; bounded by the deadline.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + url, e);
      }
    }
  }

  static boolean answers(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try {
        int code = c.getResponseCode();
        return code >= 200 && code < 300;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM to {@code process}, SIGKILL after {@code grace}, then every process it had started. */
  public static void stopTree(Process process, Duration grace) {
    java.util.Set<ProcessHandle> children = new java.util.LinkedHashSet<>(process.descendants().toList());
    // Through the handle: Process.destroy() also closes the output pipe, and the last lines would be lost.
    process.toHandle().destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        children.addAll(process.descendants().toList()); // started during the grace period (a shutdown's hooks)
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // Those started while it stopped (MediaMTX's runOnNotReady hooks, a worker) were reparented when it ended:
    // the descendants seen before and during the stop are all that can still be named.
    children.forEach(ProcessHandle::destroyForcibly);
  }

  public LogCapture log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM only, as {@code docker stop} or {@code make down} would; see {@link #awaitExit}. */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Exit code after the process ended on its own within {@code timeout}. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process still running after " + timeout.toMillis() + " ms; output:\n  "
          + String.join("\n  ", log.tail()));
    }
    return process.exitValue();
  }

  /** SIGTERM, then SIGKILL after 10 s; children too. */
  @Override
  public void close() {
    stopTree(process, Duration.ofSeconds(10));
  }
}
