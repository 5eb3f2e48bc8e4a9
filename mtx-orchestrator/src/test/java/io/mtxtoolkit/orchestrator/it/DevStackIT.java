package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.config.Listener;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxBinary;
import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import io.mtxtoolkit.testkit.process.ProcessRun;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** User story 1: the Compose file, and `make dev|ps|logs|down` in local mode (deploy/local/stack.sh). */
class DevStackIT {
  static final Path ROOT = RepoFiles.root();
  static final Path STACK = ROOT.resolve("deploy/local/stack.sh");

  record Result(int exit, String output) {}

  static Result stack(Map<String, String> env, String command, Duration timeout) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(STACK.toString(), command).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().put("MTX_DEV_MODE", "local");
    pb.environment().putAll(env);
    ProcessRun.Result r = ProcessRun.run(pb, timeout);
    return new Result(r.exit(), r.out());
  }

  record Timed(Result result, long ms) {}

  /** {@link #stack}, timed and the time printed: the success criteria's figures for the note. */
  static Timed timed(Map<String, String> env, String command, Duration timeout) throws Exception {
    long start = System.nanoTime();
    Result r = stack(env, command, timeout);
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("make %s (local mode) took %d ms%n", command, ms);
    return new Timed(r, ms);
  }

  /** Every port of the stack moved to a free one, and a private run directory. */
  static Map<String, String> isolatedPorts(Path runDir) {
    Map<String, String> env = new HashMap<>();
    // One distinct set, each of its transport; the orchestrator takes the TCP port drawn for pprof (unused here).
    Map<Listener, String> vars = Map.of(Listener.RTMP, "MTX_RTMP_PORT", Listener.RTSP, "MTX_RTSP_PORT", Listener.HLS, "MTX_HLS_PORT",
        Listener.WEBRTC, "MTX_WEBRTC_PORT", Listener.PLAYBACK, "MTX_PLAYBACK_PORT", Listener.API, "MTX_API_PORT",
        Listener.METRICS, "MTX_METRICS_PORT", Listener.PPROF, "ORCHESTRATOR_PORT", Listener.WEBRTC_ICE_UDP, "MTX_WEBRTC_UDP_PORT");
    FreePorts.forListeners(vars.keySet()).forEach((listener, port) -> env.put(vars.get(listener), String.valueOf(port)));
    env.put("MTX_RUN_DIR", runDir.toString());
    return env;
  }

  @Test
  @SuppressWarnings("unchecked")
  void test_docker_compose_config_valid() throws Exception {
    Path composeFile = ROOT.resolve("deploy/docker-compose.yml");
    Map<String, Object> compose = new Yaml().load(Files.readString(composeFile));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services).containsOnlyKeys("mediamtx", "media-service");

    Map<String, Object> mediamtx = services.get("mediamtx");
    assertThat((List<String>) mediamtx.get("ports")).containsExactlyInAnyOrder(
        "${MTX_RTMP_PORT:-1935}:1935", "${MTX_RTSP_PORT:-8554}:8554", "${MTX_HLS_PORT:-8888}:8888",
        "${MTX_WEBRTC_PORT:-8889}:8889", "${MTX_WEBRTC_UDP_PORT:-8189}:${MTX_WEBRTC_UDP_PORT:-8189}/udp",
        "${MTX_PLAYBACK_PORT:-9996}:9996", "${MTX_API_PORT:-9997}:9997", "${MTX_METRICS_PORT:-9998}:9998");
    assertThat((Map<String, Object>) mediamtx.get("environment")).containsEntry("ORCHESTRATOR_URL", "http://media-service:8080")
        .as("WebRTC's ICE candidates name the UDP port the browser reaches: the same inside and out")
        .containsEntry("MTX_WEBRTCLOCALUDPADDRESS", ":${MTX_WEBRTC_UDP_PORT:-8189}");
    assertThat(mediamtx.get("healthcheck").toString()).contains("9997/v3/paths/list");
    assertThat(mediamtx.get("depends_on").toString()).contains("media-service").contains("service_healthy");
    assertThat((List<String>) mediamtx.get("volumes")).containsExactly("./mediamtx/mediamtx.yml:/mediamtx.yml:ro");

    Map<String, Object> media = services.get("media-service");
    assertThat((List<String>) media.get("ports")).containsExactly("${ORCHESTRATOR_PORT:-8080}:8080");
    assertThat((Map<String, Object>) media.get("environment")).containsEntry("MEDIAMTX_HOST", "mediamtx");
    assertThat(media.get("healthcheck").toString()).contains("/healthz");
    // what local mode takes from the environment reaches the containers too, and only when set (no empty value)
    assertThat((Map<String, Object>) media.get("environment")).containsEntry("ORCHESTRATOR_LOG_LEVEL", null)
        .containsEntry("ORCHESTRATOR_RECONCILE_INTERVAL_MS", null).containsEntry("ORCHESTRATOR_EVENTS_KEPT", null)
        .containsEntry("ORCHESTRATOR_MAX_WORKERS", null)
        .containsEntry("MTX_LOG_LEVEL", null).containsEntry("MTX_ORCHESTRATOR_JAVA_OPTS", null);
    assertThat((Map<String, Object>) mediamtx.get("environment")).containsEntry("MTX_HOOK_CONNECT_TIMEOUT_MS", null)
        .containsEntry("MTX_HOOK_READ_TIMEOUT_MS", null).containsEntry("MTX_HOOK_JAVA_OPTS", null);
    for (Map<String, Object> side : List.of(mediamtx, media)) {
      assertThat((Map<String, Object>) side.get("environment")).as("signed hooks need the secret on both sides")
          .containsEntry("HOOK_SECRET", "${HOOK_SECRET:-}");
    }

    for (Map<String, Object> service : services.values()) {
      Map<String, Object> build = (Map<String, Object>) service.get("build");
      Path context = composeFile.getParent().resolve((String) build.get("context")).normalize();
      Path dockerfile = context.resolve((String) build.get("dockerfile"));
      assertThat(dockerfile).as("Dockerfile of %s", service.get("image")).isRegularFile();
      String text = Files.readString(dockerfile);
      List<String> stages = text.lines().filter(l -> l.startsWith("FROM ") && l.contains(" AS "))
          .map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
      assertThat(stages).as("build stages of %s", dockerfile).contains((String) build.get("target"));
      for (String line : text.lines().toList()) {
        if (line.startsWith("FROM ")) {
          String image = line.split("\\s+")[1];
          if (stages.contains(image)) {
            continue; // an earlier stage of this file, not a base image
          }
          String tag = image.substring(image.lastIndexOf(':') + 1);
          if (tag.startsWith("${")) {
            // A tag from a build argument is pinned by the argument's default.
            String arg = tag.substring(2, tag.length() - 1);
            assertThat(text).as("ARG %s pinned", arg).containsPattern("ARG " + arg + "=\\d");
          } else {
            assertThat(tag).as("base image %s pinned by tag", image).isNotEqualTo("latest").containsPattern("\\d");
          }
        }
        if (line.startsWith("COPY ") && !line.contains("--from")) {
          String source = line.split("\\s+")[1];
          assertThat(context.resolve(source)).as("COPY source %s in %s", source, dockerfile).exists();
        }
      }
    }
    assertThat(composeFile.getParent().resolve("mediamtx/mediamtx.yml")).isRegularFile();
    assertThat(ROOT.resolve("deploy/.env.example")).isRegularFile();
    String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
    assertThat(dockerfile).contains("MEDIAMTX_VERSION=" + "1.16.3");
    // The dependency layer: each module's pom goes in, and Maven runs, before any source, so a source change does
    // not download every dependency again.
    List<String> lines = dockerfile.lines().toList();
    int firstBuild = lines.indexOf(lines.stream().filter(l -> l.startsWith("RUN mvn ")).findFirst().orElseThrow());
    List<String> modules = java.util.regex.Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")))
        .results().map(m -> m.group(1)).toList();
    assertThat(modules).isNotEmpty();
    for (String module : modules) {
      assertThat(lines.indexOf("COPY " + module + "/pom.xml " + module + "/")).as("%s's pom copied alone", module)
          .isBetween(0, firstBuild);
      assertThat(lines.indexOf("COPY " + module + " " + module)).as("%s's sources copied after the dependency layer", module)
          .isGreaterThan(firstBuild);
    }

    if (System.getenv("CI") != null || io.mtxtoolkit.testkit.process.Tools.find("docker-compose").isPresent()) {
      Path composeCli = io.mtxtoolkit.testkit.process.Tools.require("docker-compose", "docker-compose");
      ProcessRun.Result r = ProcessRun.run(new ProcessBuilder(composeCli.toString(), "-f", composeFile.toString(), "config", "-q")
          .redirectErrorStream(true), Duration.ofSeconds(60));
      assertThat(r.exit()).as("docker-compose config -q: %s", r.out()).isZero();
    }
  }

  @Test
  void aPortInUseStopsMakeDevWithTheVariableToChange(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      env.put("MTX_API_PORT", String.valueOf(busy.getLocalPort()));
      Result r = stack(env, "dev", Duration.ofSeconds(30));
      assertThat(r.exit()).isEqualTo(4);
      assertThat(r.output()).contains("port " + busy.getLocalPort() + "/tcp (API) is already in use")
          .contains("MTX_API_PORT=<port>").contains("java");
    }
    assertThat(runDir.resolve("mediamtx.pid")).doesNotExist();
    assertThat(runDir.resolve("orchestrator.pid")).doesNotExist();
    Result ps = stack(env, "ps", Duration.ofSeconds(10));
    assertThat(ps.output()).contains("mediamtx      stopped", "orchestrator  stopped");
  }

  @Test
  void twoServicesOnOnePortStopMakeDevNamingBothVariables(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    env.put("ORCHESTRATOR_PORT", env.get("MTX_API_PORT"));
    Result r = stack(env, "dev", Duration.ofSeconds(30));
    assertThat(r.exit()).as(r.output()).isEqualTo(4);
    assertThat(r.output()).contains("ORCHESTRATOR_PORT and MTX_API_PORT both name port " + env.get("MTX_API_PORT") + "/tcp");
    assertThat(runDir.resolve("orchestrator.pid")).doesNotExist();
  }

  @Test
  void deployEnvMovesPortsAsComposeReadsIt(@TempDir Path tree) throws Exception {
    // A copy of the script in a tree of its own, so the test never touches the repository's deploy/.env.
    Path script = Files.createDirectories(tree.resolve("deploy/local")).resolve("stack.sh");
    Files.copy(STACK, script);
    Files.writeString(tree.resolve("deploy/.env"), String.join("\n", "# ports moved for this machine",
        "MTX_API_PORT=\"19997\"", "ORCHESTRATOR_PORT=18080 # moved", "MTX_RTMP_PORT='11935'", "   ",
        "MTX_RTSP_PORT=  18554  ", "MTX_HLS_PORT=18888")); // no newline after the last line
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "ps").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("MTX_") || k.startsWith("ORCHESTRATOR_"));
    pb.environment().put("MTX_DEV_MODE", "local");
    pb.environment().put("MTX_RUN_DIR", tree.resolve("run").toString());
    pb.environment().put("MTX_METRICS_PORT", "19998"); // an exported variable wins over the file
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(10));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("11935,18554,18888,8889,9996,19997,19998/tcp 8189/udp", "18080/tcp");
  }

  /** No MediaMTX is found in a second; a first build takes minutes: the build waits until MediaMTX is there. */
  @Test
  void noMediaMtxStopsMakeDevBeforeAnyBuild(@TempDir Path tree) throws Exception {
    Path script = Files.createDirectories(tree.resolve("deploy/local")).resolve("stack.sh");
    Files.copy(STACK, script);
    Path mediamtx = Files.createDirectories(tree.resolve("deploy/mediamtx"));
    Files.copy(ROOT.resolve("deploy/mediamtx/install.sh"), mediamtx.resolve("install.sh"));
    Files.copy(ROOT.resolve("deploy/mediamtx/VERSIONS"), mediamtx.resolve("VERSIONS"));
    Map<String, String> env = isolatedPorts(tree.resolve("run"));
    env.put("MEDIAMTX_BIN", tree.resolve("no-mediamtx").toString());
    env.put("MVN", "false"); // a tree without launchers: a build would be tried, and fail, if it came first
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "dev").redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("MTX_DEV_MODE", "local");
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(30));
    assertThat(r.exit()).as(r.out()).isEqualTo(3);
    assertThat(r.out()).contains("no MediaMTX binary").doesNotContain("building the launchers");
  }

  /** Alive and not a zombie (a zombie is dead, whatever ProcessHandle says, waiting for its parent to reap it). */
  static boolean running(ProcessHandle p) {
    try {
      return p.isAlive() && !Files.readString(Path.of("/proc/" + p.pid() + "/stat")).replaceFirst("^.*\\) ", "").startsWith("Z");
    } catch (IOException e) {
      return false; // gone between the two looks
    }
  }

  /**
   * A service whose process died and is left a zombie (its parent never reaps: PID 1 in some containers) while its
   * workers live on in its session: make down stops them, as for a service that is gone.
   */
  @Test
  void downStopsWhatAZombieServiceLeftRunningInItsSession(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    // outer: a parent that never reaps (exec sleep); leader: a session of its own, a worker in it, and an end of its own
    Process outer = new ProcessBuilder("bash", "-c", "setsid bash -c 'sleep 300 & exec sleep 1' & exec sleep 60").start();
    List<ProcessHandle> all = new java.util.ArrayList<>(List.of(outer.toHandle()));
    try {
      await("the leader and its worker").atMost(Duration.ofSeconds(10)).until(() -> outer.descendants().count() == 2);
      ProcessHandle leader = outer.children().findFirst().orElseThrow();
      ProcessHandle worker = leader.children().findFirst().orElseThrow();
      all.addAll(List.of(leader, worker));
      Files.writeString(runDir.resolve("orchestrator.pid"), pidRecord(leader.pid()));
      await("the leader a zombie").atMost(Duration.ofSeconds(10)).until(() -> !running(leader));
      assertThat(running(worker)).as("its worker lives on").isTrue();

      Result down = stack(env, "down", Duration.ofSeconds(15));
      assertThat(down.exit()).as(down.output()).isZero();
      assertThat(down.output()).contains("orchestrator exited, but processes it started are still running");
      await("the worker stopped").atMost(Duration.ofSeconds(5)).until(() -> !running(worker));
    } finally {
      all.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** A service that died and waits to be reaped (a zombie: PID 1 in a container may never reap it) is not running. */
  @Test
  void aZombieServiceIsNotRunning(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    // exec: the child's parent becomes a sleep, which never reaps it
    Process parent = new ProcessBuilder("bash", "-c", "sleep 0.2 & exec sleep 60").start();
    try {
      await("the child").atMost(Duration.ofSeconds(10)).until(() -> parent.descendants().findAny().isPresent());
      long zombie = parent.descendants().findFirst().orElseThrow().pid();
      await("the child a zombie").atMost(Duration.ofSeconds(10)).until(() ->
          Files.readString(Path.of("/proc/" + zombie + "/stat")).replaceFirst("^.*\\) ", "").startsWith("Z"));
      Files.writeString(runDir.resolve("mediamtx.pid"), pidRecord(zombie));
      assertThat(stack(env, "ps", Duration.ofSeconds(10)).output()).contains("mediamtx      exited");
    } finally {
      parent.destroyForcibly();
    }
  }

  /** `make ps` from another shell shows the ports the running stack was started with, not that shell's. */
  @Test
  void psShowsThePortsTheStackWasStartedWith(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    Process service = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(runDir.resolve("orchestrator.pid"), pidRecord(service.pid()));
      Files.writeString(runDir.resolve("ports"), "mediamtx 11935,18554/tcp 18189/udp\norchestrator 18080/tcp\n");
      env.put("ORCHESTRATOR_PORT", "28080");
      String ps = stack(env, "ps", Duration.ofSeconds(10)).output();
      assertThat(ps).containsPattern("orchestrator\\s+running\\s+" + service.pid() + "\\s+18080/tcp")
          .as("a stopped service: this shell's ports, for the next make dev").contains(env.get("MTX_RTMP_PORT") + ",");
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void aDeployEnvValueKeepsItsLastEquals(@TempDir Path tree) throws Exception {
    // base64 secrets end in "="; read with IFS='=' would drop it. MTX_RUN_DIR shows what the script took.
    Path script = Files.createDirectories(tree.resolve("deploy/local")).resolve("stack.sh");
    Files.copy(STACK, script);
    Files.writeString(tree.resolve("deploy/.env"), "MTX_RUN_DIR=" + tree.resolve("run=") + "\nHOOK_SECRET=c2VjcmV0=\n");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "ps").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("MTX_") || k.startsWith("ORCHESTRATOR_") || k.equals("HOOK_SECRET"));
    pb.environment().put("MTX_DEV_MODE", "local");
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(10));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(tree.resolve("run=")).as("the value with its '='").isDirectory();
    assertThat(tree.resolve("run")).doesNotExist();
  }

  @Test
  void oneMakeDevAtATimeAndNoLockOutlivesItsHolder(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    env.put("MEDIAMTX_BIN", runDir.resolve("no-mediamtx").toString()); // ends the start at install.sh: exit 3
    Path lock = runDir.resolve("starting.lock");
    Process holder = new ProcessBuilder("flock", lock.toString(), "sleep", "60").start(); // a make dev under way
    try {
      await("the lock taken").atMost(Duration.ofSeconds(10)).until(() ->
          ProcessRun.run(new ProcessBuilder("flock", "-n", lock.toString(), "true"), Duration.ofSeconds(5)).exit() != 0);
      Result busy = stack(env, "dev", Duration.ofSeconds(60));
      assertThat(busy.exit()).as(busy.output()).isEqualTo(2);
      assertThat(busy.output()).contains("another make dev is starting this stack");
    } finally {
      ServiceProcess.stopTree(holder, Duration.ofSeconds(2));
    }
    assertThat(lock).as("the file stays; only its lock went with its holder").exists();
    Result next = stack(env, "dev", Duration.ofSeconds(60));
    assertThat(next.exit()).as("past the lock, stopped by the missing MediaMTX: %s", next.output()).isEqualTo(3);
  }

  /**
   * {@code make dev} in Docker mode with stand-ins for {@code docker} and {@code docker-compose} (no engine
   * here): they log their arguments, and {@code docker inspect} answers one line of {@code states} per call
   * (the last line again once they run out).
   */
  private static Result dockerDev(Path dir, boolean composeV2, String... states) throws Exception {
    return stack(fakeDocker(dir, composeV2, states), "dev", Duration.ofSeconds(30));
  }

  /** The environment for {@link #stack} with the stand-ins of {@link #dockerDev} first on PATH, in Docker mode. */
  private static Map<String, String> fakeDocker(Path dir, boolean composeV2, String... states) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("inspect.txt"), String.join("\n", states) + "\n");
    if (composeV2) {
      Files.createFile(dir.resolve("v2"));
    }
    String docker = """
        #!/bin/sh
        echo "docker $*" >> "$FAKE_DIR/calls.log"
        case "$1" in
          info) exit 0 ;;
          compose) if [ "$2" = version ]; then [ -f "$FAKE_DIR/v2" ]; exit; fi
                   if [ "$2" = up ] && [ "$3" = --help ]; then echo "      --wait-timeout int   (v2.17 and later)"; exit 0; fi
                   shift; exec docker-compose "$@" ;;
          inspect) n=$(( $(cat "$FAKE_DIR/n" 2>/dev/null || echo 0) + 1 )); echo $n > "$FAKE_DIR/n"
                   line=$(sed -n "${n}p" "$FAKE_DIR/inspect.txt"); [ -n "$line" ] || line=$(tail -n 1 "$FAKE_DIR/inspect.txt")
                   echo "$line" | tr ',' '\n' ;;
        esac
        """;
    String compose = """
        #!/bin/sh
        echo "docker-compose $*" >> "$FAKE_DIR/calls.log"
        [ "$1 $2" = "-p mtx-toolkit" ] || { echo "no project name of its own: $*" >&2; exit 9; }
        shift 4
        case "$1" in
          ps) if [ -f "$FAKE_DIR/up" ]; then printf 'c1\nc2\n'; fi ;;
          up) touch "$FAKE_DIR/up" ;;
          down) rm -f "$FAKE_DIR/up" ;;
          logs) echo "mediamtx | last lines" ;;
        esac
        """;
    for (var tool : Map.of("docker", docker, "docker-compose", compose).entrySet()) {
      Path file = bin.resolve(tool.getKey());
      Files.writeString(file, tool.getValue());
      assertThat(file.toFile().setExecutable(true)).isTrue();
    }
    Map<String, String> env = isolatedPorts(dir);
    env.put("MTX_DEV_MODE", "docker");
    env.put("FAKE_DIR", dir.toString());
    env.put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
    return env;
  }

  @Test
  void aPidFileThatARebootLeftBehindDoesNotHoldAutoModeInLocal(@TempDir Path dir) throws Exception {
    Map<String, String> env = fakeDocker(dir, false, "healthy");
    env.put("MTX_DEV_MODE", "auto");
    // the pid, reused after a reboot by a session leader of someone else's (as sshd's or systemd's are)
    Process foreign = new ProcessBuilder("setsid", "sleep", "60").start();
    try {
      Files.writeString(dir.resolve("orchestrator.pid"), foreign.pid() + " 1 some-other-boot\n");
      Result ps = stack(env, "ps", Duration.ofSeconds(30));
      assertThat(ps.exit()).as(ps.output()).isZero();
      assertThat(dockerCalls(dir)).as("a Docker engine answers and nothing local runs: Docker mode")
          .anyMatch(c -> c.startsWith("docker-compose -p mtx-toolkit") && c.endsWith(" ps"));
      assertThat(foreign.isAlive()).isTrue();
    } finally {
      foreign.destroyForcibly();
    }
  }

  private static List<String> dockerCalls(Path dir) throws IOException {
    return Files.readAllLines(dir.resolve("calls.log"));
  }

  @Test
  void withComposeV1MakeDevPollsTheHealthChecksItHasNoWaitFor(@TempDir Path dir) throws Exception {
    Result r = dockerDev(dir, false, "starting,starting", "healthy,starting", "healthy,healthy");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("mode: docker compose", "RTMP      rtmp://localhost:")
        .as("no build on the host in Docker mode: the hint is FFmpeg's").contains("try:      ffmpeg -re").doesNotContain("target/dist");
    assertThat(dockerCalls(dir)).noneMatch(c -> c.contains("--wait")).filteredOn(c -> c.startsWith("docker inspect")).hasSize(3);
    assertThat(dockerCalls(dir)).filteredOn(c -> c.startsWith("docker-compose")).extracting(c -> c.substring(c.indexOf(".yml ") + 5))
        .as("built first, then started: the health bound does not count the build").containsSubsequence("build", "up -d");
  }

  @Test
  void withComposeV1AnUnhealthyStackIsStoppedAgainAndExits5(@TempDir Path dir) throws Exception {
    Result r = dockerDev(dir, false, "starting,starting", "unhealthy,healthy");
    assertThat(r.exit()).as(r.output()).isEqualTo(5);
    assertThat(r.output()).contains("did not become healthy", "mediamtx | last lines");
    assertThat(dockerCalls(dir)).anyMatch(c -> c.endsWith("down --timeout 10"));
  }

  @Test
  void withComposeV2MakeDevWaitsThroughCompose(@TempDir Path dir) throws Exception {
    Result r = dockerDev(dir, true, "unused");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(dockerCalls(dir)).anyMatch(c -> c.endsWith(" build")).anyMatch(c -> c.endsWith("up -d --wait --wait-timeout 30"))
        .noneMatch(c -> c.startsWith("docker inspect"));
  }

  @Test
  void usageAndDownWithNothingRunning(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    assertThat(stack(env, "down", Duration.ofSeconds(10)).exit()).isZero();
    assertThat(stack(env, "bogus", Duration.ofSeconds(10)).exit()).isEqualTo(2);
    env.put("MTX_DEV_MODE", "sideways");
    ProcessBuilder pb = new ProcessBuilder(STACK.toString(), "ps").redirectErrorStream(true);
    pb.environment().putAll(env);
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(10));
    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.out()).contains("MTX_DEV_MODE must be docker, local or auto");
  }

  /** What stack.sh records for a service: the pid and its start time from /proc. */
  private static String pidRecord(long pid) throws IOException {
    return pidRecord(pid, Files.readAllLines(Path.of("/proc/sys/kernel/random/boot_id")).get(0).trim());
  }

  /** A pid file's line as stack.sh writes it: pid, start time, boot id. */
  private static String pidRecord(long pid, String bootId) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return pid + " " + stat.substring(stat.lastIndexOf(") ") + 2).split(" ")[19] + " " + bootId + "\n";
  }

  @Test
  void aPidFileThatNamesAnotherProcessIsNeitherReportedNorStopped(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    Process foreign = new ProcessBuilder("setsid", "sleep", "60").start(); // e.g. the pid, reused after a reboot
    try {
      Files.writeString(runDir.resolve("orchestrator.pid"), foreign.pid() + " 1\n");
      assertThat(stack(env, "ps", Duration.ofSeconds(10)).output()).contains("orchestrator  exited   -");
      Result down = stack(env, "down", Duration.ofSeconds(15));
      assertThat(down.exit()).isZero();
      assertThat(down.output()).contains("names no process of this stack any more");
      assertThat(foreign.isAlive()).as("someone else's process survives make down").isTrue();
      assertThat(runDir.resolve("orchestrator.pid")).doesNotExist();
    } finally {
      foreign.destroyForcibly();
    }
  }

  /** A session whose leader was killed (as with kill -9) while its child lives on; closing kills what is left. */
  private record Orphan(ProcessHandle child, List<ProcessHandle> all) implements AutoCloseable {
    @Override
    public void close() {
      all.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** An {@link Orphan} session named by the orchestrator's pid file, recorded in boot {@code bootId} (null: this one). */
  private static Orphan orphan(Path runDir, String bootId) throws Exception {
    Process leader = new ProcessBuilder("setsid", "bash", "-c", "sleep 300 & wait").start();
    List<ProcessHandle> all = new java.util.ArrayList<>(List.of(leader.toHandle()));
    try {
      await("the leader and its child").atMost(Duration.ofSeconds(10)).until(() -> leader.descendants().count() == 1);
      ProcessHandle child = leader.descendants().findFirst().orElseThrow();
      all.add(child);
      Files.writeString(runDir.resolve("orchestrator.pid"),
          bootId == null ? pidRecord(leader.pid()) : pidRecord(leader.pid(), bootId));
      leader.destroyForcibly();
      assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue();
      return new Orphan(child, all);
    } catch (Exception | AssertionError e) {
      all.forEach(ProcessHandle::destroyForcibly);
      throw e;
    }
  }

  @Test
  void downStopsWhatADeadServiceLeftRunningInItsSession(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    // The orchestrator killed with -9 while its workers (plain children, same session) go on.
    try (Orphan orphan = orphan(runDir, null)) {
      ProcessHandle worker = orphan.child();
      assertThat(worker.isAlive()).as("the worker outlives the killed service").isTrue();
      assertThat(stack(env, "ps", Duration.ofSeconds(10)).output()).contains("orchestrator  exited");

      Result down = stack(env, "down", Duration.ofSeconds(15));
      assertThat(down.exit()).as(down.output()).isZero();
      assertThat(down.output()).contains("orchestrator exited, but processes it started are still running", "stopped orchestrator");
      await("the worker stopped").atMost(Duration.ofSeconds(5)).until(() -> !worker.isAlive());
      assertThat(runDir.resolve("orchestrator.pid")).doesNotExist();
    }
  }

  @Test
  void aSessionNamedByAPidFileOfAnotherBootIsLeftAlone(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    // After a reboot, the recorded pid may be the id of someone else's session whose leader has exited.
    try (Orphan orphan = orphan(runDir, "another-boot")) {
      Result down = stack(env, "down", Duration.ofSeconds(15));
      assertThat(down.exit()).as(down.output()).isZero();
      assertThat(down.output()).contains("names no process of this stack any more");
      assertThat(orphan.child().isAlive()).as("another boot's session is not ours to stop").isTrue();
    }
  }

  @Test
  void downStopsTheServicesWholeSessionIncludingChildrenInTheirOwnProcessGroups(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    Path python = io.mtxtoolkit.testkit.process.Tools.require("python3", "python3");
    // A service as stack.sh starts it (setsid: its own session), with a child in a process group of its own, as
    // MediaMTX runs its hooks, and a plain child, as the orchestrator runs its workers.
    Process service = new ProcessBuilder("setsid", "bash", "-c", "sleep 300 & " + python
        + " -c 'import os, time; os.setpgid(0, 0); time.sleep(300)' & wait").start();
    List<ProcessHandle> all = new java.util.ArrayList<>(List.of(service.toHandle()));
    try {
      await("the service and its two children").atMost(Duration.ofSeconds(10))
          .until(() -> service.descendants().count() == 2);
      all.addAll(service.descendants().toList());
      // a pid file from before boot ids were recorded ("pid start") still names its running service
      String withoutBoot = pidRecord(service.pid());
      Files.writeString(runDir.resolve("mediamtx.pid"), withoutBoot.substring(0, withoutBoot.lastIndexOf(' ')) + "\n");
      assertThat(stack(env, "ps", Duration.ofSeconds(10)).output()).containsPattern("mediamtx\\s+running\\s+" + service.pid());
      Files.writeString(runDir.resolve("mediamtx.pid"), pidRecord(service.pid()));
      assertThat(stack(env, "ps", Duration.ofSeconds(10)).output()).containsPattern("mediamtx\\s+running\\s+" + service.pid());

      long start = System.nanoTime();
      Result down = stack(env, "down", Duration.ofSeconds(15));
      assertThat(down.exit()).as(down.output()).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("make down within 10 s").isLessThan(Duration.ofSeconds(10));
      // a killed process may stay a zombie until PID 1 reaps it (if ever): ProcessHandle counts those as alive
      assertThat(all).as("nothing of the session left").noneMatch(DevStackIT::running);
    } finally {
      all.addAll(service.descendants().toList());
      all.forEach(ProcessHandle::destroyForcibly); // also a child a failed make down left to init
    }
  }

  @Test
  @Tag("mediamtx")
  void test_local_environment_startup(@TempDir Path runDir) throws Exception {
    Map<String, String> env = isolatedPorts(runDir);
    env.put("MEDIAMTX_BIN", MediaMtxBinary.require().toString());
    Throwable failure = null;
    try {
      // Inside the try: a `make dev` that fails or times out may still have started a service.
      Timed timedUp = timed(env, "dev", Duration.ofSeconds(40));
      Result up = timedUp.result();
      assertThat(up.exit()).as(up.output()).isZero();
      assertThat(timedUp.ms()).as("SC-001: healthy within 30 s").isLessThan(30_000);
      assertThat(up.output()).contains("mode: local processes", "rtmp://localhost:" + env.get("MTX_RTMP_PORT"),
          "status    http://localhost:" + env.get("ORCHESTRATOR_PORT") + "/");

      String rtmp = "rtmp://127.0.0.1:" + env.get("MTX_RTMP_PORT") + "/live/test/in";
      MediaMtxApiClient api = new MediaMtxApiClient("http://127.0.0.1:" + env.get("MTX_API_PORT"));
      try (TestStreamPublisher ignored = TestStreamPublisher.start(rtmp, TestStreamOptions.defaults())) {
        await("live/test/in in /v3/paths/list").atMost(Duration.ofSeconds(10))
            .until(() -> api.listPaths().stream().anyMatch(p -> p.name().equals("live/test/in") && p.ready()));
        await("ready event at the orchestrator").atMost(Duration.ofSeconds(20)).until(() ->
            Http.get("http://127.0.0.1:" + env.get("ORCHESTRATOR_PORT") + "/v1/events").body().contains("live/test/in"));
      }
      Result ps = stack(env, "ps", Duration.ofSeconds(10));
      assertThat(ps.output()).containsPattern("mediamtx\\s+running\\s+\\d+").containsPattern("orchestrator\\s+running\\s+\\d+");
      env.put("MTX_LOGS_FOLLOW", "0");
      assertThat(stack(env, "logs", Duration.ofSeconds(10)).output()).contains("mediamtx     |", "orchestrator |");
    } catch (Exception | AssertionError e) {
      failure = e;
      throw e;
    } finally {
      try {
        Timed down = timed(env, "down", Duration.ofSeconds(20));
        assertThat(down.result().exit()).as(down.result().output()).isZero();
        assertThat(down.ms()).as("stops within 10 s").isLessThan(10_000);
      } catch (Exception | AssertionError downFailed) {
        // The test's own failure says more; a failed `make down` after it is attached, not put in its place.
        if (failure == null) {
          throw downFailed;
        }
        failure.addSuppressed(downFailed);
      }
    }
    for (String var : List.of("MTX_RTMP_PORT", "MTX_API_PORT", "ORCHESTRATOR_PORT")) {
      try (ServerSocket s = new ServerSocket(Integer.parseInt(env.get(var)))) {
        assertThat(s.getLocalPort()).as("%s free again", var).isPositive();
      } catch (IOException e) {
        throw new AssertionError(var + " still bound after make down", e);
      }
    }
  }
}
