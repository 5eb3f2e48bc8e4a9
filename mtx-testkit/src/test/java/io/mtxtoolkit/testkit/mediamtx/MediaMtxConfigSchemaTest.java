package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.config.Listener;
import io.mtxtoolkit.core.config.MediaMtxConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.testkit.http.Http;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Spec contract test {@code test_mediamtx_config_schema}: deploy/mediamtx/mediamtx.yml fits the pinned MediaMTX. */
class MediaMtxConfigSchemaTest {

  static Set<String> referenceKeys(String version) throws IOException {
    try (InputStream in = MediaMtxConfigSchemaTest.class.getResourceAsStream("/mediamtx/reference-keys-" + version + ".txt")) {
      assertThat(in).as("reference key list for MediaMTX %s", version).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void test_mediamtx_config_schema() throws IOException {
    MediaMtxConfig config = MediaMtxConfig.load(RepoFiles.mediaMtxConfig());
    String pinned = MediaMtxBinary.acceptedVersions().get(0);
    Set<String> reference = referenceKeys(pinned);
    assertThat(reference).contains("logStructured", "rtspTransports", "pathDefaults.runOnReady", "pathDefaults.record");
    assertThat(config.unknownKeys(reference)).as("keys unknown to MediaMTX %s", pinned).isEmpty();
    assertThat(config.pipelineProblems()).isEmpty();
  }

  @Test
  @Tag("mediamtx")
  void test_mediamtx_config_schema_pinnedMediaMtxRunsTheFileUnchangedButForPorts() {
    MediaMtxConfig original = MediaMtxConfig.load(RepoFiles.mediaMtxConfig());
    try (MediaMtxServer server = MediaMtxServer.start()) {
      assertThat(MediaMtxBinary.acceptedVersions()).as("MediaMTX version in use")
          .contains(MediaMtxBinary.version(MediaMtxBinary.require()));

      MediaMtxConfig running = MediaMtxConfig.load(server.configFile());
      Set<String> addressKeys = Arrays.stream(Listener.values()).map(Listener::addressKey).collect(Collectors.toSet());
      Set<String> changed = running.keys().stream()
          .filter(k -> !k.contains(".") && !Objects.equals(running.get(k), original.get(k)))
          .collect(Collectors.toSet());
      assertThat(addressKeys).as("only listen addresses differ from the repository file").containsAll(changed);
      assertThat(running.unknownKeys(original.keys())).isEmpty();

      assertThat(server.isAlive()).isTrue();
      // logStructured: every line one JSON object (some MediaMTX versions wrote invalid JSON here), no warning or error.
      ObjectMapper json = new ObjectMapper();
      assertThat(server.log().lines()).as("MediaMTX's log").isNotEmpty().allSatisfy(line -> {
        JsonNode entry = json.readTree(line);
        assertThat(entry.path("timestamp").isTextual() && entry.path("message").isTextual()).as(line).isTrue();
        assertThat(entry.path("level").asText()).as(line).isIn("DEB", "INF");
      });
      assertThat(Http.get(server.metricsBaseUrl() + "/metrics").status()).isEqualTo(200);
      assertThat(Http.get(server.apiBaseUrl() + "/v3/paths/list").body()).contains("\"items\"");
      assertThat(Http.get("http://127.0.0.1:" + server.playbackPort() + "/list?path=none").status())
          .as("playback server answers").isBetween(200, 499);
    }
  }
}
