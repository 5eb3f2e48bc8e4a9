package io.mtxtoolkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaMtxConfigTest {

  @Test
  void repositoryConfigSatisfiesThePipelineRules() {
    assertThat(RepoConfig.load().pipelineProblems()).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void whatItHandsOutCannotChangeIt() {
    MediaMtxConfig config = MediaMtxConfig.parse("pathDefaults:\n  record: no\nrtspTransports: [tcp]\npaths:\n  cam:\n    source: publisher\n");
    ((Map<String, Object>) config.get("pathDefaults")).put("record", true);
    ((List<Object>) config.get("rtspTransports")).add("udp");
    assertThat(config.get("pathDefaults.record")).isEqualTo(false);
    assertThat(config.get("rtspTransports")).isEqualTo(List.of("tcp"));
    assertThatThrownBy(() -> config.path("cam").put("source", "x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void repositoryConfigUsesTheSpecPorts() {
    MediaMtxConfig config = RepoConfig.load();
    assertThat(config.port(Listener.RTMP)).isEqualTo(1935);
    assertThat(config.port(Listener.RTSP)).isEqualTo(8554);
    assertThat(config.port(Listener.API)).isEqualTo(9997);
    assertThat(config.port(Listener.METRICS)).isEqualTo(9998);
    assertThat(config.port(Listener.PLAYBACK)).isEqualTo(9996);
    assertThat(config.isEnabled(Listener.SRT)).isFalse();
    assertThat(config.isEnabled(Listener.PPROF)).isFalse();
    assertThat(config.get("pathDefaults.record")).isEqualTo(false);
    assertThat(config.get("rtspTransports")).isEqualTo(List.of("tcp"));
  }

  @Test
  void listenersMoveWithoutTouchingAnythingElse() {
    MediaMtxConfig original = RepoConfig.load();
    MediaMtxConfig moved = original.withListeners("127.0.0.1", Map.of(Listener.RTMP, 20001, Listener.API, 20002));
    assertThat(moved.get("rtmpAddress")).isEqualTo("127.0.0.1:20001");
    assertThat(moved.port(Listener.API)).isEqualTo(20002);
    assertThat(original.port(Listener.RTMP)).as("the original is unchanged").isEqualTo(1935);
    MediaMtxConfig back = moved.with("rtmpAddress", ":1935").with("apiAddress", ":9997");
    assertThat(back.toYaml()).isEqualTo(original.toYaml());
  }

  @Test
  void absentKeysFallBackToMediaMtxDefaults() {
    MediaMtxConfig empty = MediaMtxConfig.parse("logLevel: info\n");
    assertThat(empty.port(Listener.HLS)).isEqualTo(8888);
    assertThat(empty.isEnabled(Listener.RTSP)).isTrue();
    assertThat(empty.isEnabled(Listener.API)).isFalse();
    assertThat(empty.get("pathDefaults.record")).isNull();
    assertThat(empty.get("logLevel.deeper")).isNull();
    assertThat(empty.path("anything")).isEmpty();
    assertThat(empty.pathNames()).isEmpty();
  }

  @Test
  void editsSectionsAndPathEntries() {
    MediaMtxConfig config = MediaMtxConfig.parse("logLevel: info\n")
        .with("pathDefaults.record", true)
        .withPathSetting("live/x/in", "runOnReady", "echo hi");
    assertThat(config.get("pathDefaults.record")).isEqualTo(true);
    assertThat(config.path("live/x/in")).containsEntry("runOnReady", "echo hi");
    assertThat(config.pathNames()).containsExactly("live/x/in");
  }

  @Test
  void flattensKeysLikeTheReferenceList() {
    MediaMtxConfig config = RepoConfig.load();
    assertThat(config.keys())
        .contains("logStructured", "pathDefaults.record", "pathDefaults.runOnReady", "authInternalUsers.permissions", "paths")
        .doesNotContain("record");
    assertThat(config.unknownKeys(List.of("logLevel"))).contains("logStructured").doesNotContain("logLevel");
  }

  @Test
  void flattensMappingsInsideNestedLists() {
    MediaMtxConfig config = MediaMtxConfig.parse("""
        authInternalUsers:
          - user: any
            permissions:
              - action: publish
                pth: live
        paths:
          live/x/in:
            runOnReady: echo
        """);
    assertThat(config.keys()).containsExactly("authInternalUsers", "authInternalUsers.user",
        "authInternalUsers.permissions", "authInternalUsers.permissions.action", "authInternalUsers.permissions.pth",
        "paths", "pathDefaults.runOnReady");
    assertThat(config.unknownKeys(List.of("authInternalUsers", "authInternalUsers.user", "authInternalUsers.permissions",
        "authInternalUsers.permissions.action", "paths", "pathDefaults.runOnReady")))
        .as("a misspelt key two lists deep").containsExactly("authInternalUsers.permissions.pth");
  }

  @Test
  void rejectsWhatIsNotAConfiguration() {
    assertThatThrownBy(() -> MediaMtxConfig.parse("a: [unclosed")).isInstanceOf(ValidationException.class)
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> MediaMtxConfig.parse("- a\n- b\n")).hasMessageContaining("mapping at the top level");
    assertThatThrownBy(() -> MediaMtxConfig.parse("a: 1\na: 2\n")).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> MediaMtxConfig.parse("rtmpAddress: nowhere\n").port(Listener.RTMP))
        .hasMessageContaining("no numeric port");
    assertThatThrownBy(() -> MediaMtxConfig.load(Path.of("does-not-exist.yml"))).hasMessageContaining("cannot read");
  }

  @Test
  void writesWhatItReads(@TempDir Path dir) throws Exception {
    MediaMtxConfig config = RepoConfig.load().with("logLevel", "debug");
    Path file = dir.resolve("out.yml");
    config.write(file);
    assertThat(MediaMtxConfig.load(file).toYaml()).isEqualTo(config.toYaml());
    assertThat(Files.readString(file)).contains("logLevel: debug");
    assertThat(config.toYaml()).as("block style, indented by two, long commands on one line: diffable by operators")
        .doesNotContain(": {").contains("\n  ");
    String longCommand = "env ORCHESTRATOR_URL=http://media-service:8080 HOOK_CONNECT_TIMEOUT_MS=500 HOOK_READ_TIMEOUT_MS=2000 mtx-hook ready";
    assertThat(config.withPathSetting(PipelineRules.HOOK_PATH, "runOnReady", longCommand).toYaml()).contains(longCommand);
  }

  @Test
  void refusesAnOversizedFile() {
    String big = "logLevel: info\nreadTimeout: \"" + "x".repeat(MediaMtxConfig.MAX_CODE_POINTS) + "\"\n";
    assertThatThrownBy(() -> MediaMtxConfig.parse(big)).isInstanceOf(ValidationException.class).hasMessageContaining("limit");
  }
}
