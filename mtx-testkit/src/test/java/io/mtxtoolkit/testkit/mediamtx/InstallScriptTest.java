package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.process.ProcessRun;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/mediamtx/install.sh}'s resolution order, run for real in a sandbox: its PATH holds the
 * system tools it uses plus stand-ins for {@code go}, {@code npm}, {@code curl} and {@code mediamtx}
 * that act like the real ones (a module proxy that refuses or serves a version, a build, a release
 * download), and log how they were called.
 */
class InstallScriptTest {
  private static final List<String> TOOLS = List.of("bash", "sh", "sed", "tr", "mktemp", "cp", "chmod", "mkdir", "mv",
      "readlink", "dirname", "basename", "head", "cat", "rm", "tar", "gzip", "uname", "grep", "sort", "sleep");
  private static final String PINNED = "v1.16.3";

  @TempDir
  Path dir;
  private Path fakes;
  private Path tools;
  private Path cache;
  private final Map<String, String> env = new HashMap<>();

  record Run(int exit, List<String> out, String err) {
    String printed() {
      return out.isEmpty() ? "" : out.get(out.size() - 1);
    }
  }

  @BeforeEach
  void sandbox() throws IOException {
    tools = Files.createDirectories(dir.resolve("tools"));
    for (String tool : TOOLS) {
      Files.createSymbolicLink(tools.resolve(tool), which(tool));
    }
    fakes = Files.createDirectories(dir.resolve("fakes"));
    cache = dir.resolve("cache");
    env.put("PATH", fakes + File.pathSeparator + tools);
    env.put("HOME", dir.resolve("home").toString());
    env.put("MTX_CACHE_DIR", cache.toString());
    env.put("FAKE_LOG", dir.resolve("calls.log").toString());
    env.put("FAKE_MODCACHE", dir.resolve("modcache").toString());
  }

  @AfterEach
  void removeToolLinks() throws IOException {
    // before @TempDir's clean-up, which warns about every link pointing out of the directory
    for (String tool : TOOLS) {
      Files.deleteIfExists(tools.resolve(tool));
    }
  }

  private static Path which(String tool) {
    for (String d : System.getenv("PATH").split(File.pathSeparator)) {
      Path candidate = Path.of(d, tool);
      if (!d.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(tool + " is not on PATH; install.sh needs it");
  }

  private Run run(String... args) throws Exception {
    return runScript(RepoFiles.resolve("deploy/mediamtx/install.sh"), args);
  }

  private Run runScript(Path script, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(which("bash").toString(), script.toString());
    pb.command().addAll(List.of(args));
    pb.environment().clear();
    pb.environment().putAll(env);
    ProcessRun.Result r = ProcessRun.run(pb.directory(dir.toFile()), Duration.ofSeconds(60));
    return new Run(r.exit(), r.out().lines().toList(), r.err());
  }

  private List<String> calls(String tool) throws IOException {
    Path log = Path.of(env.get("FAKE_LOG"));
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(tool + " ")).toList() : List.of();
  }

  private Path script(Path where, String name, String body) throws IOException {
    Path file = where.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    assertThat(file.toFile().setExecutable(true)).isTrue();
    return file;
  }

  /** A MediaMTX stand-in that reports {@code version}. */
  private Path mediamtx(Path where, String version) throws IOException {
    Files.createDirectories(where);
    return script(where, "mediamtx", "echo " + version + "\n");
  }

  /**
   * {@code go}: the module proxy serves only {@code FAKE_GO_SERVES} (else the real 403 answer); the module
   * archive lacks internal/core/VERSION and hls.min.js, and the build checks both, as MediaMTX's go:embed does.
   */
  private void fakeGo() throws IOException {
    script(fakes, "go", """
        echo "go $*" >> "$FAKE_LOG"
        case "$1 $2" in
          "mod init") exit 0 ;;
          "env GOVERSION") echo "${FAKE_GO_VERSION:-go1.26.8}"; exit 0 ;;
          "env GOTOOLCHAIN") echo "${FAKE_GOTOOLCHAIN:-auto}"; exit 0 ;;
          "mod download")
            mv=${4#*@}
            if [ "$mv" != "${FAKE_GO_SERVES:-}" ]; then
              printf '{\\n\\t"Path": "github.com/bluenviron/mediamtx",\\n\\t"Version": "%s",\\n\\t"Error": "reading .../@v/%s.info: 403 Forbidden\\\\n\\\\tserver response: This module version is not available."\\n}\\n' "$mv" "$mv"
              exit 1
            fi
            d=$FAKE_MODCACHE/mediamtx@$mv
            mkdir -p "$d/internal/core" "$d/internal/servers/hls/hlsjsdownloader"
            echo v1.6.14 > "$d/internal/servers/hls/hlsjsdownloader/VERSION"
            printf 'module github.com/bluenviron/mediamtx\n\ngo 1.25.0\n' > "$d/go.mod"
            chmod -R a-w "$d"
            printf '{\\n\\t"Path": "github.com/bluenviron/mediamtx",\\n\\t"Version": "%s",\\n\\t"Dir": "%s"\\n}\\n' "$mv" "$d"
            exit 0 ;;
          "build -trimpath")
            [ -z "${FAKE_GO_BUILD_FAILS:-}" ] || { echo "internal/foo.go:1: broken" >&2; exit 1; }
            grep -q 'hls.js 1.6.14' internal/servers/hls/hls.min.js || { echo "pattern hls.min.js: no matching files" >&2; exit 1; }
            [ -s internal/core/VERSION ] || { echo "pattern VERSION: no matching files" >&2; exit 1; }
            printf '#!/bin/sh\\necho %s\\n' "$(cat internal/core/VERSION)" > "$4"
            chmod +x "$4"
            exit 0 ;;
        esac
        echo "unexpected go $*" >&2; exit 2
        """);
    script(fakes, "npm", """
        echo "npm $*" >> "$FAKE_LOG"
        v=${3#hls.js@}
        mkdir -p package/dist && echo "/* hls.js $v */" > package/dist/hls.min.js
        tar -czf "hls.js-$v.tgz" package && rm -rf package
        """);
  }

  /** {@code curl}: github.com unreachable, unless {@code FAKE_CURL_SERVES} names the version of a release archive. */
  private void fakeCurl() throws IOException {
    script(fakes, "curl", """
        echo "curl $*" >> "$FAKE_LOG"
        if [ -z "${FAKE_CURL_SERVES:-}" ]; then echo "curl: (6) Could not resolve host: github.com" >&2; exit 6; fi
        while [ "$1" != "-o" ]; do shift; done
        if [ "$FAKE_CURL_SERVES" = portal ]; then echo "<html>Sign in to the guest network</html>" > "$2"; exit 0; fi
        t=$(mktemp -d) && printf '#!/bin/sh\\necho %s\\n' "$FAKE_CURL_SERVES" > "$t/mediamtx" && chmod +x "$t/mediamtx"
        tar -czf "$2" -C "$t" mediamtx
        """);
  }

  private void fakeUname(String machine) throws IOException {
    script(fakes, "uname", "case $1 in -s) echo Linux ;; -m) echo " + machine + " ;; esac\n");
  }

  @Test
  void printsTheAcceptedVersionsAndRejectsUnknownArguments() throws Exception {
    assertThat(run("--print-versions").out()).containsExactly("v1.16.3", "v1.17.1", "v1.18.2");
    Run bad = run("--bogus");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("usage: install.sh");
  }

  @Test
  void mediamtxBinWinsAndItsAbsolutePathIsTheLastLine() throws Exception {
    Path bin = mediamtx(dir.resolve("own"), PINNED);
    mediamtx(fakes, "v1.17.1");
    env.put("MEDIAMTX_BIN", "own/mediamtx"); // relative to the working directory: printed absolute
    Run r = run();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.printed()).isEqualTo(bin.toRealPath().toString());
    assertThat(r.err()).contains("from MEDIAMTX_BIN");

    env.put("MEDIAMTX_BIN", dir.resolve("missing").toString());
    Run missing = run();
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("is not an executable file");
  }

  @Test
  void mediamtxOnPathCountsOnlyAtAnAcceptedVersion() throws Exception {
    fakeCurl();
    mediamtx(fakes, "v1.18.2");
    Run accepted = run();
    assertThat(accepted.exit()).as(accepted.err()).isZero();
    assertThat(accepted.printed()).isEqualTo(fakes.resolve("mediamtx").toRealPath().toString());

    mediamtx(fakes, "v1.15.0");
    Run other = run();
    assertThat(other.exit()).isEqualTo(3);
    assertThat(other.err()).contains("ignoring " + fakes.resolve("mediamtx") + " on PATH: it reports 'v1.15.0'");

    script(fakes, "mediamtx", "echo 'cannot execute: wrong architecture' >&2\nexit 126\n");
    Run broken = run();
    assertThat(broken.exit()).as("a binary that fails to run is passed over, not fatal: %s", broken.err()).isEqualTo(3);
    assertThat(broken.err()).contains("ignoring " + fakes.resolve("mediamtx") + " on PATH: it reports 'no version'");
  }

  @Test
  void aCachedBuildIsUsedWithoutAskingTheProxy() throws Exception {
    fakeGo();
    Path cached = mediamtx(cache.resolve("mediamtx/v1.17.1"), "v1.17.1");
    Run r = run();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.printed()).isEqualTo(cached.toString());
    assertThat(r.err()).contains("cached build");
    assertThat(calls("go")).isEmpty();
  }

  @Test
  void aCachedBinaryThatDoesNotReportItsVersionIsPassedOver() throws Exception {
    Files.createDirectories(cache.resolve("mediamtx/v1.16.3"));
    script(cache.resolve("mediamtx/v1.16.3"), "mediamtx", "echo 'cannot execute binary file: Exec format error' >&2; exit 126\n");
    Path cached = mediamtx(cache.resolve("mediamtx/v1.17.1"), "v1.17.1");
    Run r = run();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.printed()).isEqualTo(cached.toString());
    assertThat(r.err()).contains("ignoring " + cache.resolve("mediamtx/v1.16.3/mediamtx") + ": it reports 'no version', not v1.16.3");
  }

  @Test
  void whenTheProxyRefusesItAsksForExactlyTheThreeVersionsInOrderAndExits3() throws Exception {
    fakeGo();
    fakeCurl();
    Run r = run();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(calls("go mod download")).containsExactly(
        "go mod download -json github.com/bluenviron/mediamtx@v1.16.3",
        "go mod download -json github.com/bluenviron/mediamtx@v1.17.1",
        "go mod download -json github.com/bluenviron/mediamtx@v1.18.2");
    assertThat(r.err()).contains("mediamtx@v1.18.2: reading .../@v/v1.18.2.info: 403 Forbidden",
        "release download https://github.com/bluenviron/mediamtx/releases/download/v1.16.3/mediamtx_v1.16.3_",
        "Could not resolve host", "set MEDIAMTX_BIN");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void buildsTheFirstVersionTheProxyServesWithTheGeneratedFilesAndCachesIt() throws Exception {
    fakeGo();
    env.put("FAKE_GO_SERVES", "v1.17.1");
    Run r = run();
    assertThat(r.exit()).as(r.err()).isZero();
    Path built = cache.resolve("mediamtx/v1.17.1/mediamtx");
    assertThat(r.printed()).isEqualTo(built.toString());
    assertThat(r.err()).contains("built from the Go module proxy");
    assertThat(calls("npm")).containsExactly("npm pack --silent hls.js@1.6.14");
    assertThat(MediaMtxBinary.version(built)).as("internal/core/VERSION written before the build").isEqualTo("v1.17.1");

    Run again = run();
    assertThat(again.printed()).isEqualTo(built.toString());
    assertThat(again.err()).contains("cached build");
    assertThat(calls("go build")).as("built once").hasSize(1);
  }

  @Test
  void aFailedBuildFallsThroughToTheReleaseDownloadAndElseExits4() throws Exception {
    fakeGo();
    fakeCurl();
    env.put("FAKE_GO_SERVES", PINNED);
    env.put("FAKE_GO_BUILD_FAILS", "1");
    Run failed = run();
    assertThat(failed.exit()).isEqualTo(4);
    assertThat(failed.err()).contains("broken", "go build of MediaMTX v1.16.3 failed", "Could not resolve host");
    assertThat(calls("go mod download")).as("a served version that fails to build is not replaced by a fall-back")
        .singleElement().asString().endsWith("@v1.16.3");

    env.put("FAKE_CURL_SERVES", PINNED);
    Run downloaded = run();
    assertThat(downloaded.exit()).as(downloaded.err()).isZero();
    assertThat(downloaded.printed()).isEqualTo(cache.resolve("mediamtx/v1.16.3/mediamtx").toString());
    assertThat(downloaded.err()).contains("official release download");
  }

  @Test
  void aDownloadThatIsNoArchiveIsARefusalNotAFailure() throws Exception {
    fakeCurl();
    env.put("FAKE_CURL_SERVES", "portal");
    Run r = run();
    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("not a MediaMTX release archive: ");
    assertThat(cache.resolve("mediamtx/v1.16.3/mediamtx")).doesNotExist();
  }

  @Test
  void aVersionsFileWithoutItsLastNewlineIsRead() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("copy"));
    Files.copy(RepoFiles.resolve("deploy/mediamtx/install.sh"), copy.resolve("install.sh"));
    Files.writeString(copy.resolve("VERSIONS"), Files.readString(RepoFiles.resolve("deploy/mediamtx/VERSIONS")).strip());
    Run r = runScript(copy.resolve("install.sh"), "--print-versions");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsExactly("v1.16.3", "v1.17.1", "v1.18.2");
  }

  @Test
  void onArmv7ItDownloadsTheArmv7Release() throws Exception {
    fakeCurl();
    fakeUname("armv7l");
    run();
    assertThat(calls("curl")).singleElement().asString().contains("mediamtx_v1.16.3_linux_armv7.tar.gz");
  }

  @Test
  void onLinuxArmItSkipsTheModuleBuildForTheReleaseDownload() throws Exception {
    fakeGo();
    fakeCurl();
    fakeUname("aarch64");
    env.put("FAKE_GO_SERVES", PINNED);
    Run r = run();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(calls("go")).isEmpty();
    assertThat(r.err()).contains("module proxy build: not on aarch64");
    assertThat(calls("curl")).singleElement().asString().contains("mediamtx_v1.16.3_linux_arm64.tar.gz");
  }

  @Test
  void withoutGoOrNetworkItSaysWhatItTriedAndExits3() throws Exception {
    fakeCurl();
    Run r = run();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("no source could provide MediaMTX v1.16.3 v1.17.1 v1.18.2", "go: not installed");
  }

  @Test
  void withoutCurlTheReleaseDownloadIsNamedAsNotTried() throws Exception {
    Run r = run();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("go: not installed", "release download: curl is not installed");
  }

  @Test
  void aGoTooOldForTheModuleIsARefusalNotABrokenBuild() throws Exception {
    fakeGo();
    fakeCurl();
    env.put("FAKE_GO_SERVES", PINNED);
    env.put("FAKE_GO_VERSION", "go1.19.8"); // Debian 12's golang-go: no toolchain switching
    Run old = run();
    assertThat(old.exit()).as(old.err()).isEqualTo(3);
    assertThat(old.err()).contains("go1.19.8 is older than the Go 1.25.0 it needs");
    assertThat(calls("go")).noneMatch(c -> c.startsWith("go build"));
    assertThat(calls("npm")).as("nothing fetched for a build that cannot run").isEmpty();

    env.put("FAKE_GO_VERSION", "go1.22.5");
    env.put("FAKE_GOTOOLCHAIN", "local");
    assertThat(run().exit()).as("1.21+ told not to fetch a toolchain").isEqualTo(3);

    env.put("FAKE_GOTOOLCHAIN", "go1.22.5+path");
    assertThat(run().exit()).as("a toolchain only from PATH is never fetched").isEqualTo(3);

    env.put("FAKE_GOTOOLCHAIN", "auto");
    Run fetches = run();
    assertThat(fetches.exit()).as("1.21+ fetches the toolchain go.mod names: %s", fetches.err()).isZero();
  }

  @Test
  void leavesNoScratchDirectoryBehind() throws Exception {
    fakeGo();
    fakeCurl();
    Path scratch = Files.createDirectories(dir.resolve("tmp"));
    env.put("TMPDIR", scratch.toString());
    Run refused = run();
    assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
    assertThat(scratch).as("after a refusal").isEmptyDirectory();

    env.put("FAKE_GO_SERVES", PINNED);
    Run built = run();
    assertThat(built.exit()).as(built.err()).isZero();
    assertThat(scratch).as("after a build").isEmptyDirectory();
    assertThat(cache.resolve("mediamtx/" + PINNED)).isDirectoryNotContaining("glob:**/mediamtx.tmp*");
  }

  @Test
  void aSignalDuringTheBuildRemovesItsScratchDirectory() throws Exception {
    fakeGo();
    Path scratch = Files.createDirectories(dir.resolve("tmp"));
    env.put("TMPDIR", scratch.toString());
    env.put("FAKE_GO_SERVES", PINNED);
    Path building = dir.resolve("building");
    // the build announces itself, then takes its time: the test interrupts it there
    script(fakes, "npm", "mkdir -p package/dist && echo '/* hls.js 1.6.14 */' > package/dist/hls.min.js"
        + " && tar -czf hls.js-1.6.14.tgz package && rm -rf package\n");
    Path go = fakes.resolve("go");
    Files.writeString(go, Files.readString(go).replace("\"build -trimpath\")",
        "\"build -trimpath\")\n            : > " + building + "; : > \"$4\"; sleep 30 ;;\n          \"never\")"));
    // a session of its own, signalled as a whole, as Ctrl-C signals a terminal's foreground group
    ProcessBuilder pb = new ProcessBuilder(which("setsid").toString(), which("bash").toString(),
        RepoFiles.resolve("deploy/mediamtx/install.sh").toString());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("signalled.txt").toFile()).start();
    try {
      org.awaitility.Awaitility.await("the build to start").atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(building));
      assertThat(scratch).as("the build's copy of the module").isNotEmptyDirectory();
      new ProcessBuilder("kill", "-TERM", "--", "-" + p.pid()).start().waitFor(5, TimeUnit.SECONDS);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("install.sh ended after SIGTERM").isTrue();
    } finally {
      io.mtxtoolkit.testkit.process.ServiceProcess.stopTree(p, Duration.ofSeconds(1));
    }
    assertThat(p.exitValue()).isEqualTo(143);
    assertThat(scratch).as("scratch removed on the signal").isEmptyDirectory();
    assertThat(cache.resolve("mediamtx/" + PINNED)).as("the half-written binary too")
        .isDirectoryNotContaining("glob:**/mediamtx.tmp*");
  }
}
