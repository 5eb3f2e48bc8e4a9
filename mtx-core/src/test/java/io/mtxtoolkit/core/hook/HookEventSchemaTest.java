package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The published schema accepts what the hook writes and rejects what the orchestrator would refuse. */
class HookEventSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The published schema, with formats asserted (uuid, date-time). */
  public static JsonSchema schema() throws Exception {
    try (InputStream in = HookEventJson.class.getResourceAsStream(HookEventJson.SCHEMA_RESOURCE)) {
      assertThat(in).as(HookEventJson.SCHEMA_RESOURCE).isNotNull();
      SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    }
  }

  @Test
  void payloadsTheHookWritesConform() throws Exception {
    JsonSchema schema = schema();
    for (String query : new String[] {"", "lang=es", "a=\"b\"&c=caf\u00e9"}) {
      Map<String, String> env = Map.of("MTX_PATH", "live/stream123/in", "MTX_QUERY", query,
          "MTX_SOURCE_TYPE", "rtmpConn", "MTX_SOURCE_ID", "c0ffee00-0000-4000-8000-000000000001");
      for (HookEventType type : HookEventType.values()) {
        JsonNode payload = JSON.readTree(HookEventJson.write(HookEnvironment.event(type, env, Instant.now())));
        assertThat(schema.validate(payload)).as("%s", payload).isEmpty();
      }
    }
  }

  @Test
  void schemaRejectsOutputPathsBadIdsAndMissingFields() throws Exception {
    JsonSchema schema = schema();
    JsonNode good = JSON.readTree(HookEventJson.write(HookEnvironment.event(HookEventType.READY,
        Map.of("MTX_PATH", "live/a/in"), Instant.now())));
    Set<ValidationMessage> out = schema.validate(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy()).put("path", "live/a/out"));
    assertThat(out).isNotEmpty();
    Set<ValidationMessage> badId = schema.validate(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy()).put("eventId", "nope"));
    assertThat(badId).isNotEmpty();
    Set<ValidationMessage> missing = schema.validate(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy()).without("sourceId"));
    assertThat(missing).isNotEmpty();
  }
}
