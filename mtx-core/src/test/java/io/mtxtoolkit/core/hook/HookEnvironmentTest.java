package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spec unit test {@code test_hook_wrapper_parses_env_vars}. */
class HookEnvironmentTest {
  private static final Instant NOW = Instant.parse("2026-11-23T22:00:00Z");

  private static Map<String, String> mediamtxEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("MTX_PATH", "live/stream123/in");
    env.put("MTX_QUERY", "lang=es");
    env.put("MTX_SOURCE_TYPE", "rtmpConn");
    env.put("MTX_SOURCE_ID", "5f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    env.put("RTSP_PORT", "8554");
    env.put("G1", "stream123");
    return env;
  }

  @Test
  void test_hook_wrapper_parses_env_vars() {
    HookEvent event = HookEnvironment.event(HookEventType.READY, mediamtxEnv(), NOW);
    assertThat(event.type()).isEqualTo(HookEventType.READY);
    assertThat(event.path().name()).isEqualTo("live/stream123/in");
    assertThat(event.streamId().value()).isEqualTo("stream123");
    assertThat(event.query()).isEqualTo("lang=es");
    assertThat(event.sourceType()).isEqualTo("rtmpConn");
    assertThat(event.sourceId()).isEqualTo("5f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    assertThat(event.timestamp()).isEqualTo(NOW);
    assertThat(event.eventId()).matches("[0-9a-f-]{36}");
  }

  @Test
  void emptyAndMissingOptionalVariablesBecomeEmptyStrings() {
    Map<String, String> env = new HashMap<>(Map.of("MTX_PATH", "live/a/in", "MTX_QUERY", ""));
    HookEvent event = HookEnvironment.event(HookEventType.NOT_READY, env, NOW);
    assertThat(event.query()).isEmpty();
    assertThat(event.sourceType()).isEmpty();
    assertThat(event.sourceId()).isEmpty();
    assertThat(event.type()).isEqualTo(HookEventType.NOT_READY);
  }

  @Test
  void oddCharactersInTheQueryArePassedThroughUntouched() {
    Map<String, String> env = mediamtxEnv();
    String odd = "a=1&b=\"quoted\"&c=caf\u00e9&d=%20&e=\\back&f=\n";
    env.put("MTX_QUERY", odd);
    assertThat(HookEnvironment.event(HookEventType.READY, env, NOW).query()).isEqualTo(odd);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "lang%3Des|lang=es",
      "lang%3Des%26user%3Da%2Bb%26pass%3Dp%25%3D|lang=es&user=a+b&pass=p%=",
      "name%3Da+b|name=a b",
      "lang=es|lang=es",
      "a=%41&b=1|a=%41&b=1",
      "100%|100%",
      "token|token"})
  void aQueryUrlEncodedAsAWholeByNewerMediaMtxIsDecodedOnce(String mtxQuery, String query) {
    Map<String, String> env = mediamtxEnv();
    env.put("MTX_QUERY", mtxQuery);
    assertThat(HookEnvironment.event(HookEventType.READY, env, NOW).query()).isEqualTo(query);
  }

  @Test
  void missingPathSaysTheHookMustBeRunByMediaMtx() {
    Map<String, String> env = mediamtxEnv();
    env.remove("MTX_PATH");
    assertThatThrownBy(() -> HookEnvironment.event(HookEventType.READY, env, NOW))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("MTX_PATH"))
        .hasMessageContaining("MTX_PATH is not set");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "live/a;touch x/in|';' (U+003B)",
      "live/x/out|not an ingest path",
      "other/path|not of the form",
      "live/caf\u00e9/in|U+00E9"})
  void invalidPathsAreRejectedNamingTheVariable(String path, String expected) {
    Map<String, String> env = mediamtxEnv();
    env.put("MTX_PATH", path);
    assertThatThrownBy(() -> HookEnvironment.event(HookEventType.READY, env, NOW))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("MTX_PATH"))
        .hasMessageContaining(expected);
  }

  @Test
  void orchestratorUrlAndEndpoints() {
    URI base = HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://media-service:8080/"));
    assertThat(HookEnvironment.endpoint(base, HookEventType.READY))
        .hasToString("http://media-service:8080/v1/mediamtx/events/ready");
    URI underscored = HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://deploy_media_1:8080"));
    assertThat(HookEnvironment.endpoint(underscored, HookEventType.READY))
        .as("a container name with underscores, which DNS serves").hasToString("http://deploy_media_1:8080/v1/mediamtx/events/ready");
    URI prefixed = HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", " https://gw.example/media// "));
    assertThat(HookEnvironment.endpoint(prefixed, HookEventType.NOT_READY))
        .hasToString("https://gw.example/media/v1/mediamtx/events/not-ready");
    URI doubled = HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://media-service:8080//api"));
    assertThat(HookEnvironment.endpoint(doubled, HookEventType.READY)).as("the host stays; // is no authority here")
        .hasToString("http://media-service:8080/api/v1/mediamtx/events/ready");
    assertThat(HookEnvironment.endpoint(HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://h:1//")),
        HookEventType.READY)).hasToString("http://h:1/v1/mediamtx/events/ready");
  }

  @Test
  void aRejectedOrchestratorUrlIsQuotedWithoutItsUserAndPassword() {
    for (String url : new String[] {"http://admin:s3cret@orch:0", "ftp://admin:s3cret@orch", "http://admin:s3cret@orch:80/?x",
        "http://admin:s3cret@bad host"}) {
      assertThatThrownBy(() -> HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", url)))
          .hasMessageContaining("ORCHESTRATOR_URL=").hasMessageNotContaining("s3cret").hasMessageNotContaining("admin");
    }
  }

  @Test
  void clippingNeverSplitsASurrogatePair() {
    String emojiAcrossTheEdge = "q".repeat(HookEvent.MAX_TEXT - 1) + "\uD83D\uDE00" + "tail";
    assertThat(HookEnvironment.clip(emojiAcrossTheEdge)).hasSize(HookEvent.MAX_TEXT - 1).doesNotContain("\uD83D");
    String plain = "q".repeat(HookEvent.MAX_TEXT + 5);
    assertThat(HookEnvironment.clip(plain)).hasSize(HookEvent.MAX_TEXT);
    String emojiInside = "q".repeat(HookEvent.MAX_TEXT - 2) + "\uD83D\uDE00" + "tail";
    assertThat(HookEnvironment.clip(emojiInside)).hasSize(HookEvent.MAX_TEXT).endsWith("\uD83D\uDE00");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|is not set",
      "ftp://x|must be http://host",
      "media-service:8080|must be http://host",
      "http://|is not a URL",
      "http://h:80/x?y=1|must not have a query",
      "http://bad host|is not a URL",
      "http://a_b:99999|port outside",
      "http://a_b:x1|must be http://host",
      "http://a_b:1:2|must be http://host",
      "http://h:0|port outside",
      "http://h:65536|port outside",
      "http://a_b:0|port outside",
      "http://a_b:123456|must be http://host"})
  void invalidOrchestratorUrls(String value, String expected) {
    assertThatThrownBy(() -> HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", value)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("ORCHESTRATOR_URL"))
        .hasMessageContaining(expected);
    assertThatThrownBy(() -> HookEnvironment.orchestratorUrl(Map.of())).hasMessageContaining("ORCHESTRATOR_URL is not set");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "null|-2", "''|-2", ":80|-2", "a_b|-1", "a_b:|-2", "a_b:1|1", "a_b:65535|65535", "a_b:99999|99999", "a_b:123456|-2",
      "a_b:8O|-2", "a_b:/1|-2", "a_b:9|9", "a_b:10|10", "a_b:1:|-2", "u:p@a_b:1|1", "u@a_b|-1", "u:p@@a_b|-2", "u:p@ss@a_b:1|-2", "u:p%40ss@a_b:1|1", "u:p@|-2",
      // every edge of the accepted name characters [a-zA-Z0-9._-]: the ends are in, their neighbours out
      "a_z|-1", "A_Z|-1", "0_9|-1", "._-|-1", "`_b|-2", "{_b|-2", "@_b|-2", "[_b|-2", "/_b|-2", "a:b_c:1|-2", "a+b_c|-2"})
  void underscoredHostPortReadsNameAndPort(String authority, int expected) {
    assertThat(HookEnvironment.underscoredHostPort(authority)).as(authority).isEqualTo(expected);
  }

  @Test
  void portsAtTheEdgesOfTheRange() {
    assertThat(HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://h:65535")).getPort()).isEqualTo(65535);
    assertThat(HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://h:1")).getPort()).isEqualTo(1);
    assertThat(HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://a_b:1")).getRawAuthority()).isEqualTo("a_b:1");
    assertThat(HookEnvironment.orchestratorUrl(Map.of("ORCHESTRATOR_URL", "http://u:p@a_b:1")).getRawAuthority())
        .as("a user for a proxy in front of a container name with an underscore").isEqualTo("u:p@a_b:1");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "lang%3Des|lang=es", "%74oken%3Dx|token=x", "lang=es|lang=es", "=a%20b|=a%20b", "&a%20b|&a%20b", "a&b%20c|a&b%20c",
      "100%|100%", "plain|plain", "k=a+b|k=a+b", "k=a%2Bb|k=a%2Bb"})
  void publisherQueryIsDecodedOnlyWhenMediaMtxEncodedItWhole(String raw, String expected) {
    assertThat(HookEnvironment.publisherQuery(raw)).isEqualTo(expected);
  }
}
