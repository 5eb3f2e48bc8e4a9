package io.mtxtoolkit.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mtxtoolkit.core.hook.HookEnvironment;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The published schema accepts what the hook writes and rejects what the orchestrator would refuse. */
class HookEventSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void payloadsTheHookWritesConform() {
    for (String query : new String[] {"", "lang=es", "a=\"b\"&c=caf\u00e9"}) {
      Map<String, String> env = Map.of("MTX_PATH", "live/stream123/in", "MTX_QUERY", query,
          "MTX_SOURCE_TYPE", "rtmpConn", "MTX_SOURCE_ID", "c0ffee00-0000-4000-8000-000000000001");
      for (HookEventType type : HookEventType.values()) {
        byte[] payload = HookEventJson.write(HookEnvironment.event(type, env, Instant.now()));
        assertThat(HookEventSchema.problems(payload)).as("%s", new String(payload)).isEmpty();
      }
    }
  }

  @Test
  void schemaRejectsOutputPathsBadIdsAndMissingFields() throws Exception {
    ObjectNode good = (ObjectNode) JSON.readTree(HookEventJson.write(HookEnvironment.event(HookEventType.READY,
        Map.of("MTX_PATH", "live/a/in"), Instant.now())));
    assertThat(HookEventSchema.problems(good)).isEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().put("path", "live/a/out"))).isNotEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().put("eventId", "nope"))).isNotEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().put("event", "started"))).isNotEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().without("sourceId"))).isNotEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().put("sourceId", "a\u0000b"))).isNotEmpty();
    assertThat(HookEventSchema.problems(good.deepCopy().put("sourceType", "rtmp\nConn"))).isNotEmpty();
    for (String field : new String[] {"sourceId", "sourceType", "eventId", "path", "streamId"}) {
      // a regex's $ also matches before a final line break: what the validator must not take for the end
      assertThat(HookEventSchema.problems(good.deepCopy().put(field, good.get(field).asText() + "\n"))).as(field).isNotEmpty();
      assertThat(HookEventSchema.problems(good.deepCopy().put(field, good.get(field).asText() + "\u0085"))).as(field).isNotEmpty();
    }
    assertThat(HookEventSchema.problems(good.deepCopy().put("query", "a=1\tb"))).as("the query may hold any text").isEmpty();
    assertThat(HookEventSchema.problems("not json".getBytes())).singleElement().asString().startsWith("not JSON");
  }
}
