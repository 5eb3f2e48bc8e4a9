package io.mtxtoolkit.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command a test runs to its end (a script, a launcher's {@code --version}, a headless browser), bounded by a
 * timeout. Output goes to temporary files rather than a pipe: reading a pipe to its end waits for every process
 * that inherited it, before any timeout applies.
 */
public final class ProcessRun {
  private static final int TAIL_LINES = 40;

  private ProcessRun() {}

  /** How the command ended; with {@code redirectErrorStream(true)} its standard error is in {@code out}. */
  public record Result(int exit, String out, String err) {}

  /**
   * Starts {@code pb} (its output redirections are replaced) and waits up to {@code timeout} for it to exit. One
   * still running then is stopped with everything it started, and the run fails with the command and the last
   * lines of its output. The temporary files are gone either way.
   */
  public static Result run(ProcessBuilder pb, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("process-run", ".out");
      pb.redirectOutput(out.toFile());
      if (!pb.redirectErrorStream()) {
        err = Files.createTempFile("process-run", ".err");
        pb.redirectError(err.toFile());
      }
      Process p = pb.start();
      if (pb.redirectInput() == ProcessBuilder.Redirect.PIPE) {
        p.getOutputStream().close(); // a command that reads its input ends at once instead of at the timeout
      }
      boolean ended;
      try {
        ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ended = false;
      }
      if (!ended) {
        ServiceProcess.stopTree(p, Duration.ofSeconds(2));
        throw new AssertionError(String.join(" ", pb.command()) + " still running after " + timeout.toMillis()
            + " ms (stopped with what it started); last output:\n  " + String.join("\n  ", tail(out, err)));
      }
      return new Result(p.exitValue(), read(out), err == null ? "" : read(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", pb.command()), e);
    } finally {
      delete(out);
      delete(err);
    }
  }

  private static List<String> tail(Path out, Path err) throws IOException {
    List<String> lines = new java.util.ArrayList<>(last(read(out).lines().toList()));
    if (err != null) {
      lines.addAll(last(read(err).lines().map(l -> "stderr: " + l).toList()));
    }
    return lines;
  }

  private static List<String> last(List<String> lines) {
    return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
  }

  private static String read(Path file) throws IOException {
    // Lenient decoding: a command's output is not always valid UTF-8, and the failure must still be shown.
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void delete(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover file in the temporary directory must not hide the test's outcome.
    }
  }
}
