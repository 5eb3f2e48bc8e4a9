package io.mtxtoolkit.core.hook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.Texts;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.StreamPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Supplier;

/**
 * The hook payload on the wire ({@code schemas/hook-event.schema.json}). Writing uses Jackson's
 * streaming generator only, because {@code mtx-hook} starts a JVM per event and databind's start-up
 * cost would dominate; reading (in the orchestrator) uses a databind tree and names the bad field.
 */
public final class HookEventJson {
  /** Classpath location of the payload's JSON Schema. */
  public static final String SCHEMA_RESOURCE = "/schemas/hook-event.schema.json";

  private static final JsonFactory FACTORY = new JsonFactory();

  private HookEventJson() {}

  public static byte[] write(HookEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("eventId", event.eventId());
      g.writeStringField("event", event.type().wireName());
      g.writeStringField("path", event.path().name());
      g.writeStringField("streamId", event.streamId().value());
      g.writeStringField("query", event.query());
      g.writeStringField("sourceType", event.sourceType());
      g.writeStringField("sourceId", event.sourceId());
      g.writeStringField("timestamp", IsoInstant.format(event.timestamp()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Reads a payload POSTed to the {@code type} endpoint. Only {@code path} is required, so an operator
   * can send one with curl; a missing {@code eventId} or {@code timestamp} is filled in. Present
   * fields must have the right type and agree with the endpoint and the path.
   */
  public static HookEvent read(HookEventType type, byte[] body, Supplier<Instant> clock) {
    JsonNode root;
    try {
      // As UTF-8 whatever the bytes look like (JSON on the wire is UTF-8, RFC 8259), and one value only.
      root = Reader.MAPPER.readTree(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new ValidationException("body", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      // Reading a byte array fails only on its content, e.g. bytes Jackson takes for truncated UTF-32
      // (found by HookPayloadFuzzTest): the client's mistake, never a server error.
      throw new ValidationException("body", "malformed JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ValidationException("body", "the body must be a JSON object");
    }
    String rawPath = text(root, "path");
    if (rawPath == null) {
      throw new ValidationException("path", "missing field path (expected live/<streamId>/in)");
    }
    StreamPath path = StreamPath.parse("path", rawPath);
    String event = text(root, "event");
    if (event != null && HookEventType.fromWireName("event", event) != type) {
      throw new ValidationException("event", "event " + Texts.quote(event) + " sent to the " + type.wireName() + " endpoint");
    }
    String streamId = text(root, "streamId");
    if (streamId != null && !streamId.equals(path.streamId().value())) {
      throw new ValidationException("streamId", "streamId " + Texts.quote(streamId) + " does not match path " + Texts.quote(rawPath));
    }
    String eventId = text(root, "eventId");
    String timestamp = text(root, "timestamp");
    Instant at;
    try {
      at = timestamp == null ? clock.get() : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      throw new ValidationException("timestamp", "timestamp " + Texts.quote(timestamp) + " is not an ISO-8601 instant");
    }
    return new HookEvent(eventId == null ? EventIds.next() : eventId, type, path,
        text(root, "query"), text(root, "sourceType"), text(root, "sourceId"), at);
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new ValidationException(field, "field " + field + " must be a string, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return node.textValue();
  }

  /** Holds databind apart from the writer, so writing never loads it. */
  private static final class Reader {
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65_536).build())
        .build())
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // two "path" keys: which one a reader takes is a guess; a sender that means one sends one
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }
}
