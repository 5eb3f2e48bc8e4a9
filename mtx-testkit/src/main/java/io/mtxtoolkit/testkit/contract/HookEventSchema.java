package io.mtxtoolkit.testkit.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.mtxtoolkit.core.hook.HookEventJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The published hook payload schema ({@code schemas/hook-event.schema.json}), for contract tests. */
public final class HookEventSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = load();

  private HookEventSchema() {}

  private static JsonSchema load() {
    try (InputStream in = HookEventJson.class.getResourceAsStream(HookEventJson.SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("schema not on the classpath: " + HookEventJson.SCHEMA_RESOURCE);
      }
      SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Schema violations of {@code payload}; empty when it conforms. */
  public static List<String> problems(JsonNode payload) {
    return SCHEMA.validate(payload).stream().map(ValidationMessage::getMessage).sorted().toList();
  }

  public static List<String> problems(byte[] payload) {
    try {
      return problems(JSON.readTree(payload));
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }
}
