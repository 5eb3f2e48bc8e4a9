package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HookEventJsonTest {
  private static final Instant NOW = Instant.parse("2026-11-23T22:00:00.123Z");
  private static final HookEvent EVENT = new HookEvent("5f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", HookEventType.READY,
      StreamPath.in(StreamId.of("stream123")), "lang=es&x=\"y\"", "rtmpConn", "conn-1", NOW);

  private static HookEvent read(HookEventType type, String json) {
    return HookEventJson.read(type, json.getBytes(StandardCharsets.UTF_8), () -> NOW);
  }

  @Test
  void roundTrips() {
    byte[] json = HookEventJson.write(EVENT);
    assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(
        "{\"eventId\":\"5f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\",\"event\":\"ready\",\"path\":\"live/stream123/in\","
            + "\"streamId\":\"stream123\",\"query\":\"lang=es&x=\\\"y\\\"\",\"sourceType\":\"rtmpConn\","
            + "\"sourceId\":\"conn-1\",\"timestamp\":\"2026-11-23T22:00:00.123Z\"}");
    assertThat(HookEventJson.read(HookEventType.READY, json, Instant::now)).isEqualTo(EVENT);
  }

  @Test
  void onlyThePathIsRequired() {
    HookEvent event = read(HookEventType.NOT_READY, "{\"path\":\"live/a/in\",\"extra\":[1,2]}");
    assertThat(event.type()).isEqualTo(HookEventType.NOT_READY);
    assertThat(event.timestamp()).isEqualTo(NOW);
    assertThat(event.eventId()).hasSize(36);
    assertThat(event.query()).isEmpty();
    assertThat(read(HookEventType.READY, "{\"path\":\"live/a/in\",\"query\":null}").query()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{nope|body|malformed JSON",
      "[1,2]|body|must be a JSON object",
      "\"text\"|body|must be a JSON object",
      "{}|path|missing field path",
      "{\"path\":7}|path|must be a string, got number",
      "{\"path\":\"live/x/out\"}|path|not an ingest path",
      "{\"path\":\"live/a b/in\"}|path|U+0020",
      "{\"path\":\"live/a/in\",\"event\":\"not-ready\"}|event|sent to the ready endpoint",
      "{\"path\":\"live/a/in\",\"event\":\"bogus\"}|event|unknown event 'bogus'",
      "{\"path\":\"live/a/in\",\"streamId\":\"b\"}|streamId|does not match path",
      "{\"path\":\"live/a/in\",\"query\":{}}|query|must be a string, got object",
      "{\"path\":\"live/a/in\",\"sourceId\":true}|sourceId|must be a string, got boolean",
      "{\"path\":\"live/a/in\",\"timestamp\":\"yesterday\"}|timestamp|not an ISO-8601 instant",
      "{\"path\":\"live/a/in\",\"eventId\":\"\"}|eventId|missing event id",
      "{\"path\":\"live/a/in\",\"path\":\"live/b/in\"}|body|Duplicate field 'path'",
      "{\"path\":\"live/a/in\",\"sourceId\":\"\\ud83d\"}|sourceId|unpaired surrogate",
      "{\"path\":\"live/a/in\",\"sourceId\":\"a\\u0000b\"}|sourceId|control character U+0000 at index 1",
      "{\"path\":\"live/a/in\",\"sourceType\":\"rtmp\\nConn\"}|sourceType|control character U+000A"})
  void rejectsBadPayloadsNamingTheField(String json, String field, String message) {
    assertThatThrownBy(() -> read(HookEventType.READY, json))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(message);
  }

  @Test
  void deepNestingAndHugeStringsAreRefused() {
    String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + ",\"path\":\"live/a/in\"}";
    assertThatThrownBy(() -> read(HookEventType.READY, deep)).hasMessageContaining("malformed JSON");
    String huge = "{\"path\":\"live/a/in\",\"query\":\"" + "q".repeat(5000) + "\"}";
    assertThatThrownBy(() -> read(HookEventType.READY, huge))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("query"));
  }

  @Test
  void rejectedValuesAreQuotedShortInTheMessage() {
    // a client's 60 KB field must not become a 60 KB log line and 400 body
    for (String field : new String[] {"event", "streamId", "timestamp"}) {
      String json = "{\"path\":\"live/a/in\",\"" + field + "\":\"" + "z".repeat(60_000) + "\\n\"}";
      assertThatThrownBy(() -> read(HookEventType.READY, json)).as(field)
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300).contains("z…'").doesNotContain("\n"));
    }
  }

  @Test
  void bytesThatLookLikeTruncatedUtf32AreMalformedJson() {
    // Found by HookPayloadFuzzTest: Jackson's encoding detection read these as UTF-32 and threw an I/O error.
    for (byte[] body : new byte[][] {{0, 0, 0}, {0, 0, 0, 0x7b, 0}, {(byte) 0xff, (byte) 0xfe, 0, 0, 0x7b}}) {
      assertThatThrownBy(() -> HookEventJson.read(HookEventType.READY, body, () -> NOW))
          .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("body"))
          .hasMessageContaining("malformed JSON");
    }
  }
}
