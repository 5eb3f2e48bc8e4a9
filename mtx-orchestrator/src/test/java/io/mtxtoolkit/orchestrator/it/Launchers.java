package io.mtxtoolkit.orchestrator.it;

import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged launchers the integration tests run as processes (built by `mvn package` before failsafe). */
final class Launchers {
  static final Path ORCHESTRATOR = Path.of("target", "dist", "bin", "mtx-orchestrator").toAbsolutePath();
  static final Path HOOK_BIN = RepoFiles.resolve("mtx-hook-cli/target/dist/bin");
  static final Path HOOK = HOOK_BIN.resolve("mtx-hook");

  private Launchers() {}

  /** The packaged orchestrator on {@code port}, started and answering /healthz. */
  static ServiceProcess orchestrator(int port, Map<String, String> env, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port)));
    args.addAll(List.of(extraArgs));
    ServiceProcess process = ServiceProcess.start(ORCHESTRATOR, args, env);
    try {
      return process.awaitHttp("http://127.0.0.1:" + port + "/healthz", Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }
}
