package io.mtxtoolkit.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.testkit.process.ProcessRun;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which class-data-sharing flags the packaged launcher passes, by runtime: the build's AppCDS archive
 * on Java 17-24, and on Java 25+ an AOT cache trained once in the background. The runtime here is a
 * script that records its arguments, so the test needs no second JDK; {@code make bench} runs the real
 * JDK 25 (JDK25_HOME) through the same launcher.
 */
class HookLauncherCdsIT {
  private static final Map<String, String> ENV = Map.of("MTX_PATH", "live/cds/in", "ORCHESTRATOR_URL", "http://127.0.0.1:9");

  @Test
  void java17UsesTheArchiveMadeAtBuild(@TempDir Path dir) throws Exception {
    Path app = copyDistribution(dir);
    Path jdk = recordingJdk(dir, "17.0.99+1");
    run(app, jdk);
    assertThat(calls(jdk)).singleElement().asString()
        .contains("-XX:SharedArchiveFile=" + app.resolve("lib/mtx-hook.jsa"), "-Xshare:auto", "HookMain ready")
        .doesNotContain("AOTCache");
  }

  /** A copied distribution, a recording Java 25 and the AOT cache its first call trained. */
  private record Trained(Path app, Path jdk, Path lib, Path cache) {}

  private static Trained trainedOnJava25(Path dir) throws Exception {
    Path app = copyDistribution(dir);
    Path jdk = recordingJdk(dir, "25.0.9+1-LTS");
    return new Trained(app, jdk, app.resolve("lib"), firstCallTrainsCache(app, jdk));
  }

  @Test
  void java25TrainsAnAotCacheOnceThenUsesIt(@TempDir Path dir) throws Exception {
    Trained t = trainedOnJava25(dir);
    assertThat(t.cache().getFileName().toString()).endsWith("25.0.9_1-LTS.aot");
    List<String> first = calls(t.jdk());
    assertThat(first).hasSize(2);
    assertThat(first).filteredOn(c -> c.contains("HookMain ready")).singleElement().asString()
        .doesNotContain("AOTCache", "SharedArchiveFile");
    assertThat(first).filteredOn(c -> c.contains("HookTraining")).singleElement().asString()
        .contains("-XX:AOTCacheOutput=" + t.cache() + ".");

    run(t.app(), t.jdk());
    callsStay(t.jdk(), 3, "no second training");
    List<String> second = calls(t.jdk()).subList(2, 3);
    assertThat(second).singleElement().asString()
        .contains("-XX:AOTCache=" + t.cache(), "HookMain ready")
        .doesNotContain("-Xshare:auto"); // with an AOT cache, -Xshare:auto is a start-up error on 25

    Path rebuilt = recordingJdk(dir.resolve("other"), "25.0.10+2");
    run(t.app(), rebuilt);
    await("a new runtime gets its own cache, replacing the old one").atMost(Duration.ofSeconds(10))
        .until(() -> aotFiles(t.lib()).equals(List.of(t.cache().getFileName().toString().replace("25.0.9_1-LTS", "25.0.10_2"))));
  }

  @Test
  void aLockLeftByAKilledTrainingRunIsTakenOverOnceItIsOld(@TempDir Path dir) throws Exception {
    Trained t = trainedOnJava25(dir);
    Files.delete(t.cache());
    Path lock = Files.createDirectory(t.lib().resolve(t.cache().getFileName() + ".lock"));

    run(t.app(), t.jdk());
    callsStay(t.jdk(), 3, "a fresh lock: someone is training, so only the hook itself runs");

    Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofMinutes(20))));
    run(t.app(), t.jdk());
    await("the stale lock is taken over and the cache trained").atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(t.cache()) && !Files.exists(lock));
    assertThat(calls(t.jdk()).stream().filter(c -> c.contains("HookTraining"))).hasSize(2);
  }

  @Test
  void aReadOnlyDistributionKeepsItsCacheUnderXdgCacheHome(@TempDir Path dir) throws Exception {
    Path app = copyDistribution(dir);
    Path jdk = recordingJdk(dir, "25.0.9+1-LTS");
    Path xdg = Files.createDirectories(dir.resolve("xdg"));
    Files.writeString(jdk.resolve("calls.log"), "");
    // Root may write anywhere, so as root the launcher runs as nobody; everything is readable, only XDG is writable.
    List<String> asAnotherUser = System.getProperty("user.name").equals("root")
        ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") : List.of();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(
            Files.isDirectory(f) || Files.isExecutable(f) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    Files.setPosixFilePermissions(xdg, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(jdk.resolve("calls.log"), PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(app.resolve("lib"), PosixFilePermissions.fromString("r-xr-xr-x"));
    Map<String, String> env = Map.of("JAVA_HOME", jdk.toString(), "MTX_PATH", ENV.get("MTX_PATH"),
        "ORCHESTRATOR_URL", ENV.get("ORCHESTRATOR_URL"), "XDG_CACHE_HOME", xdg.toString(), "HOME", dir.toString());
    Path cacheDir = xdg.resolve("mtx-toolkit");

    ProcessRun.Result first = HookLauncherIT.launch(asAnotherUser, app.resolve("bin/mtx-hook"), app, env, "ready");
    assertThat(first.exit()).as("stderr: %s", first.err()).isZero();
    await("training writes the cache under XDG_CACHE_HOME").atMost(Duration.ofSeconds(10))
        .until(() -> Files.isDirectory(cacheDir) && aotFiles(cacheDir).size() == 1 && aotFiles(cacheDir).get(0).endsWith(".aot"));
    Path cache = cacheDir.resolve(aotFiles(cacheDir).get(0));
    assertThat(aotFiles(app.resolve("lib"))).as("nothing written next to the jars").isEmpty();

    ProcessRun.Result second = HookLauncherIT.launch(asAnotherUser, app.resolve("bin/mtx-hook"), app, env, "ready");
    assertThat(second.exit()).as("stderr: %s", second.err()).isZero();
    assertThat(calls(jdk)).last().asString().contains("-XX:AOTCache=" + cache, "HookMain ready");

    Path moved = Files.createDirectories(dir.resolve("moved"));
    Files.setPosixFilePermissions(moved, PosixFilePermissions.fromString("rwxrwxrwx"));
    Map<String, String> movedEnv = new java.util.HashMap<>(env);
    movedEnv.put("MTX_CACHE_DIR", moved.toString());
    ProcessRun.Result third = HookLauncherIT.launch(asAnotherUser, app.resolve("bin/mtx-hook"), app, movedEnv, "ready");
    assertThat(third.exit()).as("stderr: %s", third.err()).isZero();
    await("MTX_CACHE_DIR moves the cache, as it moves make mediamtx's").atMost(Duration.ofSeconds(10))
        .until(() -> aotFiles(moved).size() == 1 && aotFiles(moved).get(0).endsWith(".aot"));
  }

  /**
   * MediaMTX stops a hook by signalling its process group (SIGINT; a container stop sends SIGTERM). Training
   * survives SIGINT (the shell starts background jobs with it ignored) and finishes; on SIGTERM it stops
   * and cleans up. Neither leaves a lock, which would hold training off for 10 minutes, or a partial file.
   */
  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM"})
  void aSignalToTheHooksProcessGroupLeavesNoLockOrPartialCache(String signal, @TempDir Path dir) throws Exception {
    Path app = copyDistribution(dir);
    // Training writes its file, then takes 1 s more; the hook itself would wait 30 s for its answer.
    Path jdk = recordingJdk(dir, "25.0.9+1-LTS", "case \"$*\" in *HookTraining*) sleep 1 ;; *) sleep 30 ;; esac");
    Path lib = app.resolve("lib");
    // setsid: the launcher leads its own process group, as MediaMTX starts hooks (Setpgid).
    ProcessBuilder pb = new ProcessBuilder("setsid", app.resolve("bin/mtx-hook").toString(), "ready").directory(app.toFile());
    pb.environment().putAll(Map.of("JAVA_HOME", jdk.toString(), "MTX_PATH", ENV.get("MTX_PATH"),
        "ORCHESTRATOR_URL", ENV.get("ORCHESTRATOR_URL")));
    Process hook = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      await("the hook and its background training both started").atMost(Duration.ofSeconds(10))
          .until(() -> calls(jdk).size() == 2 && !tmpFiles(lib).isEmpty());
      Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + hook.pid()).inheritIO().start();
      assertThat(kill.waitFor()).as("kill -%s to the process group", signal).isZero();
      assertThat(hook.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("the hook stops").isTrue();
      List<String> expected = signal.equals("INT") ? List.of("mtx-hook-" + cacheKey(lib) + ".aot") : List.of();
      await("after SIG" + signal + ": cache files " + expected + ", no lock, no partial file").atMost(Duration.ofSeconds(10))
          .until(() -> aotFiles(lib).equals(expected) && tmpFiles(lib).isEmpty());
    } finally {
      ServiceProcess.stopTree(hook, Duration.ofSeconds(2)); // the training job too, should the test fail first
    }
  }

  /**
   * The launcher starts training as a background job and exits, so a training run it should not have started
   * is recorded only a moment later: the count must hold for a while, not just when the launcher is done.
   */
  private static void callsStay(Path jdk, int expected, String why) {
    await(why + ": " + expected + " calls of java, and no more").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> calls(jdk).size() == expected);
  }

  /** The key part of the cache name for the recording runtime, from the lock or file training made. */
  private static String cacheKey(Path lib) throws IOException {
    try (Stream<Path> files = Files.list(lib)) {
      String tmp = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).findFirst().orElseThrow();
      return tmp.substring("mtx-hook-".length(), tmp.indexOf(".aot."));
    }
  }

  /** Runs the launcher once and waits (bounded) for its background training: one cache, no lock left. */
  private static Path firstCallTrainsCache(Path app, Path jdk) throws Exception {
    Path lib = app.resolve("lib");
    run(app, jdk);
    await("background training writes the cache and releases its lock").atMost(Duration.ofSeconds(10))
        .until(() -> aotFiles(lib).size() == 1 && aotFiles(lib).get(0).endsWith(".aot"));
    return lib.resolve(aotFiles(lib).get(0));
  }

  private static void run(Path app, Path jdk) throws Exception {
    run(app, jdk, Map.of());
  }

  /** {@link #run(Path, Path)} with {@code more} in the environment. */
  private static void run(Path app, Path jdk, Map<String, String> more) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(more);
    env.putAll(Map.of("JAVA_HOME", jdk.toString(), "MTX_PATH", ENV.get("MTX_PATH"), "ORCHESTRATOR_URL", ENV.get("ORCHESTRATOR_URL")));
    ProcessRun.Result r = HookLauncherIT.launch(app.resolve("bin/mtx-hook"), app, env, "ready");
    assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
  }

  /** Without cksum (BusyBox) the flags themselves key the cache; another build's cache is replaced. */
  @Test
  void withoutCksumTheFlagsKeyTheCacheAndAnotherBuildsCacheIsReplaced(@TempDir Path dir) throws Exception {
    Path app = copyDistribution(dir);
    Path jdk = recordingJdk(dir, "25.0.9+1-LTS");
    Path lib = app.resolve("lib");
    Files.writeString(lib.resolve("mtx-hook-0.0.1-other-build-123-25.0.9_1-LTS.aot"), "cache");
    Path tools = Files.createDirectories(dir.resolve("tools"));
    // what the launcher runs, cksum aside
    for (String tool : List.of("readlink", "dirname", "sed", "tr", "cut", "find", "mkdir", "rm", "mv")) {
      Files.createSymbolicLink(tools.resolve(tool), io.mtxtoolkit.testkit.process.Tools.require(tool, tool));
    }
    run(app, jdk, Map.of("PATH", tools.toString()));
    await("trained, and the other build's cache gone").atMost(Duration.ofSeconds(10))
        .until(() -> aotFiles(lib).size() == 1 && !aotFiles(lib).get(0).contains("other-build"));
    assertThat(aotFiles(lib).get(0)).as("keyed by the flags themselves").contains("XX_TieredStopAtLevel_1");
  }

  /** A cache is trained with, and used under, its flags: two configurations sharing the directory keep one each. */
  @Test
  void eachSetOfFlagsHasACacheOfItsOwn(@TempDir Path dir) throws Exception {
    Trained t = trainedOnJava25(dir);
    run(t.app(), t.jdk(), Map.of("JAVA_OPTS", "-XX:+UseZGC"));
    await("a second cache, for the other flags").atMost(Duration.ofSeconds(10))
        .until(() -> aotFiles(t.lib()).size() == 2 && aotFiles(t.lib()).stream().allMatch(n -> n.endsWith(".aot")));
    assertThat(aotFiles(t.lib())).contains(t.cache().getFileName().toString());
    assertThat(calls(t.jdk())).filteredOn(c -> c.contains("HookTraining")).last().asString()
        .as("trained with the flags it will be used with").contains("-XX:+UseZGC").doesNotContain("UseSerialGC");

    run(t.app(), t.jdk(), Map.of("JAVA_OPTS", "-XX:+UseZGC"));
    assertThat(calls(t.jdk())).last().asString().contains("-XX:AOTCache=").doesNotContain(t.cache().toString());
  }

  /** A copy of target/dist, so that caches written next to the jars stay in this test's directory. */
  static Path copyDistribution(Path dir) throws IOException {
    Path dist = HookLauncherIT.LAUNCHER.getParent().getParent();
    Path app = dir.resolve("app");
    try (Stream<Path> files = Files.walk(dist)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path to = app.resolve(dist.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else if (!f.getFileName().toString().endsWith(".aot")) {
          Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return app;
  }

  /** A JAVA_HOME whose bin/java logs its arguments and, when asked to train, writes the cache file. */
  private static Path recordingJdk(Path dir, String runtimeVersion) throws IOException {
    return recordingJdk(dir, runtimeVersion, "");
  }

  /** The same, running {@code beforeExit} (shell) last. */
  private static Path recordingJdk(Path dir, String runtimeVersion, String beforeExit) throws IOException {
    Path home = Files.createDirectories(dir.resolve("jdk-" + runtimeVersion));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_RUNTIME_VERSION=\"" + runtimeVersion + "\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, """
        #!/bin/sh
        echo "$*" >> "%s"
        for a in "$@"; do
          case $a in -XX:AOTCacheOutput=*) echo cache > "${a#*=}" ;; esac
        done
        %s
        """.formatted(home.resolve("calls.log"), beforeExit));
    assertThat(java.toFile().setExecutable(true)).isTrue();
    return home;
  }

  private static List<String> calls(Path jdk) throws IOException {
    Path log = jdk.resolve("calls.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private static List<String> tmpFiles(Path lib) throws IOException {
    try (Stream<Path> files = Files.list(lib)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }

  private static List<String> aotFiles(Path lib) throws IOException {
    try (Stream<Path> files = Files.list(lib)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".aot") || n.endsWith(".lock")).sorted().toList();
    }
  }
}
