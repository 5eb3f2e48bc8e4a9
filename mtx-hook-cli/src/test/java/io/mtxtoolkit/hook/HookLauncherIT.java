package io.mtxtoolkit.hook;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.contract.HookEventSchema;
import io.mtxtoolkit.testkit.http.RecordingReceiver;
import io.mtxtoolkit.testkit.process.ProcessRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged launcher {@code target/dist/bin/mtx-hook} as MediaMTX runs it: a separate process, any directory. */
class HookLauncherIT {
  static final Path LAUNCHER = Path.of("target", "dist", "bin", "mtx-hook").toAbsolutePath();

  static ProcessRun.Result launch(Path launcher, Path cwd, Map<String, String> env, String... args) throws Exception {
    return launch(List.of(), launcher, cwd, env, args);
  }

  /** Runs the launcher behind {@code prefix} (e.g. a {@code setpriv} that changes the user). */
  static ProcessRun.Result launch(List<String> prefix, Path launcher, Path cwd, Map<String, String> env, String... args) throws Exception {
    assertThat(launcher).as("packaged launcher (mvn package builds it)").isExecutable();
    ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(prefix));
    pb.command().add(launcher.toString());
    pb.command().addAll(List.of(args));
    pb.directory(cwd.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("MTX_") || k.equals("ORCHESTRATOR_URL"));
    pb.environment().putAll(env);
    return ProcessRun.run(pb, Duration.ofSeconds(20));
  }

  @Test
  void test_ready_event_schema(@TempDir Path elsewhere) throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      ProcessRun.Result r = launch(LAUNCHER, elsewhere, Map.of("MTX_PATH", "live/stream123/in", "MTX_QUERY", "lang=es",
          "MTX_SOURCE_TYPE", "rtmpConn", "MTX_SOURCE_ID", "0b9c3f5e-3f1a-4c1e-9d2a-7b6e5d4c3b2a",
          "ORCHESTRATOR_URL", receiver.baseUrl()), "ready");
      assertThat(r.exit()).as("exit; stderr: %s", r.err()).isZero();
      RecordingReceiver.Request request = receiver.await(1, Duration.ofSeconds(5)).get(0);
      assertThat(HookEventSchema.problems(request.body())).as(request.bodyText()).isEmpty();
      assertThat(request.bodyText()).contains("\"query\":\"lang=es\"", "\"sourceType\":\"rtmpConn\"");
      assertThat(r.out().lines()).hasSize(1);
      assertThat(r.err()).as("no JVM warnings (e.g. about the CDS archive)").isEmpty();
      // The event time is the process's start, not the JVM's arrival in main (which the log line's own
      // timestamp, written after the POST, comes well after).
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      java.time.Instant eventAt = java.time.Instant.parse(json.readTree(request.body()).get("timestamp").asText());
      java.time.Instant loggedAt = java.time.Instant.parse(json.readTree(r.out()).get("timestamp").asText());
      assertThat(eventAt).isBefore(loggedAt.minusMillis(30));
    }
  }

  /**
   * A JVM per event: what a run sets up counts. java.time's formatters (and the BigDecimal they pull in) cost ~6-9 ms;
   * a constant made with Instant.parse once brought them into every run. Picocli is for people at a terminal only.
   * The packaged jars on this test's own runtime, without the launcher: a JDK 25 AOT cache loads its classes up front,
   * and its background training run would log into the same file.
   */
  @Test
  void aHookRunSetsUpNoneOfJavaTimesFormatters(@TempDir Path dir) throws Exception {
    Path classes = dir.resolve("classes.txt");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path lib = LAUNCHER.getParent().getParent().resolve("lib");
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xshare:off", "-Xlog:class+load:file=" + classes,
          "-cp", lib + "/*", HookMain.class.getName(), "ready").directory(dir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("MTX_") || k.equals("ORCHESTRATOR_URL") || k.endsWith("JAVA_OPTIONS"));
      pb.environment().putAll(Map.of("MTX_PATH", "live/lean/in", "ORCHESTRATOR_URL", receiver.baseUrl()));
      ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(20));
      assertThat(r.exit()).as("exit; stderr: %s", r.err()).isZero();
    }
    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).as("the run was logged").anyMatch(l -> l.contains(" io.mtxtoolkit.hook.HookMain "));
    assertThat(loaded).noneMatch(l -> l.contains(" java.time.format.DateTimeFormatter ")).noneMatch(l -> l.contains(" picocli."));
  }

  @Test
  void worksThroughASymlinkAndReportsFailuresOnStderr(@TempDir Path dir) throws Exception {
    Path link = dir.resolve("mtx-hook");
    Files.createSymbolicLink(link, LAUNCHER);
    ProcessRun.Result r = launch(link, dir, Map.of("MTX_PATH", "live/x/in", "ORCHESTRATOR_URL", "http://127.0.0.1:9"), "not-ready");
    assertThat(r.exit()).isEqualTo(HookExit.UNREACHABLE.code());
    assertThat(r.err().lines()).singleElement().asString()
        .contains("\"level\":\"ERROR\"", "\"event\":\"not-ready\"", "\"path\":\"live/x/in\"", "Connection refused");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aSignalBeforeTheAnswerStillLeavesItsLine(@TempDir Path dir) throws Exception {
    // MediaMTX sends SIGINT to a ready hook still running when its stream stops being ready, and logs nothing.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      silent.setSoTimeout(20_000);
      ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "ready").directory(dir.toFile());
      pb.environment().putAll(Map.of("MTX_PATH", "live/sig/in", "ORCHESTRATOR_URL", "http://127.0.0.1:" + silent.getLocalPort(),
          "MTX_HOOK_READ_TIMEOUT_MS", "30000"));
      Path err = dir.resolve("err.txt");
      Process hook = pb.redirectError(err.toFile()).redirectOutput(dir.resolve("out.txt").toFile()).start();
      try (java.net.Socket accepted = silent.accept()) {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(hook.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        assertThat(hook.waitFor(10, TimeUnit.SECONDS)).as("the hook stops on SIGINT").isTrue();
      } finally {
        hook.destroyForcibly();
      }
      assertThat(hook.exitValue()).isEqualTo(HookExit.INTERRUPTED.code());
      assertThat(Files.readString(err).lines()).singleElement().asString()
          .contains("\"level\":\"ERROR\"", "\"path\":\"live/sig/in\"", "interrupted by a signal", "delivery unknown",
              "\"exitCode\":130");
      assertThat(dir.resolve("out.txt")).isEmptyFile();
    }
  }

  @Test
  void runsFromAPathWithSpacesAndKeepsNonAsciiUnderTheCLocale(@TempDir Path dir) throws Exception {
    Path app = HookLauncherCdsIT.copyDistribution(Files.createDirectories(dir.resolve("with space")));
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      // LC_ALL=C: what a minimal container gives MediaMTX's hooks; the JVM would read the environment as ASCII
      ProcessRun.Result r = launch(app.resolve("bin/mtx-hook"), dir, Map.of("MTX_PATH", "live/utf/in", "MTX_QUERY", "name=José",
          "ORCHESTRATOR_URL", receiver.baseUrl(), "LC_ALL", "C"), "ready");
      assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
      assertThat(r.err()).as("the AppCDS archive under a path with a space is found, silently").isEmpty();
      assertThat(receiver.await(1, Duration.ofSeconds(5)).get(0).bodyText()).contains("\"query\":\"name=José\"");
    }
  }

  /**
   * An installation copied elsewhere (make dev runs the hook from a copy) cannot use the build's class-data archive
   * on Java 17-19: it names the jars' old paths. {@code MTX_HOOK_CDS_ARCHIVE=make} makes one for the copy.
   * -Xshare:on turns the JVM's silent fallback into a failure, so the test sees which archive works. The launches
   * use this test's own runtime, whose version decides what the first one shows.
   */
  @Test
  void aCopiedInstallationMakesAClassDataArchiveOfItsOwn(@TempDir Path dir) throws Exception {
    Path app = HookLauncherCdsIT.copyDistribution(dir);
    String javaHome = System.getProperty("java.home");
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      Map<String, String> env = Map.of("MTX_PATH", "live/copy/in", "ORCHESTRATOR_URL", receiver.baseUrl(), "JAVA_OPTS", "-Xshare:on",
          "JAVA_HOME", javaHome);
      if (Runtime.version().feature() < 20) { // Java 20 accepts jars moved together (JDK-8279366)
        ProcessRun.Result stale = launch(app.resolve("bin/mtx-hook"), dir, env, "ready");
        assertThat(stale.exit()).as("the build's archive, for the build's paths: %s", stale.err()).isNotZero();
      }

      ProcessBuilder make = new ProcessBuilder(app.resolve("bin/mtx-hook").toString()).directory(dir.toFile());
      make.environment().put("MTX_HOOK_CDS_ARCHIVE", "make");
      make.environment().put("JAVA_HOME", javaHome);
      make.environment().remove("MTX_HOOK_JAVA_OPTS");
      ProcessRun.Result made = ProcessRun.run(make.redirectErrorStream(true), Duration.ofSeconds(60));
      assertThat(made.exit()).as(made.out()).isZero();

      ProcessRun.Result fresh = launch(app.resolve("bin/mtx-hook"), dir, env, "ready");
      assertThat(fresh.exit()).as("the copy's own archive: %s", fresh.err()).isZero();
      assertThat(receiver.await(1, Duration.ofSeconds(5))).hasSize(1);
    }
  }

  @Test
  void missingJavaIsAClearError(@TempDir Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "ready").directory(dir.toFile());
    pb.environment().put("JAVA_HOME", dir.resolve("no-jdk").toString());
    ProcessRun.Result r = ProcessRun.run(pb.redirectErrorStream(true), Duration.ofSeconds(10));
    assertThat(r.exit()).isEqualTo(127);
    assertThat(r.out()).contains("mtx-hook: no Java runtime found");
  }

  /** The training mode only without arguments: an exported MTX_HOOK_CDS_ARCHIVE must not turn MediaMTX's calls into training. */
  @Test
  void aHookRunIsNeverTakenForTrainingWhateverTheEnvironmentSays(@TempDir Path dir) throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      ProcessRun.Result r = launch(LAUNCHER, dir, Map.of("MTX_PATH", "live/train/in", "ORCHESTRATOR_URL", receiver.baseUrl(),
          "MTX_HOOK_CDS_ARCHIVE", "make"), "ready");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(receiver.await(1, Duration.ofSeconds(5)).get(0).bodyText()).contains("live/train/in");
    }
  }

  /** A platform's collector choice in the JVM's own variables must not make the JVM refuse to start with ours. */
  @Test
  void aCollectorChosenInTheJvmsOwnVariablesDoesNotStopTheHook(@TempDir Path dir) throws Exception {
    for (String variable : new String[] {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS"}) {
      try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
        ProcessRun.Result r = launch(LAUNCHER, dir, Map.of("MTX_PATH", "live/gc/in", "ORCHESTRATOR_URL", receiver.baseUrl(),
            variable, "-XX:+UseG1GC"), "ready");
        assertThat(r.exit()).as("%s: %s", variable, r.err()).isZero();
        assertThat(receiver.requests()).as(variable).hasSize(1);
        if (variable.equals("JAVA_OPTS")) {
          // (the JVM's own variables make it say "Picked up …", which no launcher can prevent)
          assertThat(r.err()).as("nothing on stderr: the class-data archive still serves").isEmpty();
        }
      }
    }
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      ProcessRun.Result r = launch(LAUNCHER, dir, Map.of("MTX_PATH", "live/gc/in", "ORCHESTRATOR_URL", receiver.baseUrl(),
          "JAVA_TOOL_OPTIONS", "-XX:+UseG1GC", "MTX_HOOK_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"), "ready");
      assertThat(r.exit()).as("over a copy of the defaults in MTX_HOOK_JAVA_OPTS too: %s", r.err()).isZero();
      assertThat(receiver.requests()).hasSize(1);
    }
  }

  /** README's exit 1: a JVM that cannot start says so in its own words, and nothing reaches the orchestrator. */
  @Test
  void aJvmThatCannotStartExits1AndSendsNothing(@TempDir Path dir) throws Exception {
    try (RecordingReceiver receiver = RecordingReceiver.start(202)) {
      ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "ready").directory(dir.toFile());
      pb.environment().putAll(Map.of("MTX_PATH", "live/flag/in", "ORCHESTRATOR_URL", receiver.baseUrl(),
          "MTX_HOOK_JAVA_OPTS", "-XX:+NoSuchFlagAnywhere"));
      ProcessRun.Result r = ProcessRun.run(pb.redirectErrorStream(true), Duration.ofSeconds(20));
      assertThat(r.exit()).as(r.out()).isEqualTo(1);
      assertThat(r.out()).contains("NoSuchFlagAnywhere");
      assertThat(receiver.requests()).isEmpty();
    }
  }
}
