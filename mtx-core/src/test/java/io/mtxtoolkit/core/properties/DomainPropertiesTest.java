package io.mtxtoolkit.core.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.net.URI;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Property-based checks of ids, paths, URL building and hook payload parsing (jqwik). */
class DomainPropertiesTest {

  @Provide
  Arbitrary<String> validIds() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-").ofMinLength(1).ofMaxLength(64);
  }

  @Provide
  Arbitrary<String> invalidIds() {
    Arbitrary<String> valid = validIds();
    Arbitrary<Character> bad = Arbitraries.chars().filter(c -> !(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '-');
    return net.jqwik.api.Combinators.combine(valid, bad, valid).as((a, c, b) -> (a + c + b));
  }

  @Property
  void validIdsRoundTripThroughPathsAndUrls(@ForAll("validIds") String raw) {
    StreamId id = StreamId.of(raw);
    for (StreamPath path : new StreamPath[] {StreamPath.in(id), StreamPath.out(id)}) {
      assertThat(StreamPath.parse(path.name())).isEqualTo(path);
    }
    URI rtsp = URI.create(MediaMtxEndpoints.defaults().rtspUrl(StreamPath.in(id)));
    assertThat(rtsp.getPath()).isEqualTo("/live/" + raw + "/in");
    assertThat(URI.create(MediaMtxEndpoints.defaults().rtmpUrl(StreamPath.out(id))).getPath()).isEqualTo("/live/" + raw + "/out");
  }

  @Property
  void anyForeignCharacterIsRejectedByName(@ForAll("invalidIds") String raw) {
    assertThatThrownBy(() -> StreamId.of(raw)).isInstanceOf(ValidationException.class).hasMessageContaining("invalid stream id");
    assertThatThrownBy(() -> StreamPath.parse("live/" + raw + "/in")).isInstanceOf(ValidationException.class);
  }

  @Property
  void hookPayloadsRoundTrip(@ForAll("validIds") String raw, @ForAll @StringLength(max = 200) String query,
                             @ForAll @StringLength(max = 60) String sourceId, @ForAll boolean ready) {
    HookEvent event = HookEvent.create(ready ? HookEventType.READY : HookEventType.NOT_READY, StreamPath.in(StreamId.of(raw)),
        query, "rtmpConn", sourceId, Instant.ofEpochMilli(1_800_000_000_123L));
    assertThat(HookEventJson.read(event.type(), HookEventJson.write(event), Instant::now)).isEqualTo(event);
  }

  @Property(tries = 500)
  void arbitraryBytesEitherParseOrAreRejectedWithAField(@ForAll byte[] body) {
    try {
      HookEventJson.read(HookEventType.READY, body, Instant::now);
    } catch (ValidationException e) {
      assertThat(e.field()).isNotBlank();
    }
  }

  @Property(tries = 300)
  void arbitraryJsonObjectsEitherParseOrAreRejectedWithAField(@ForAll @StringLength(max = 80) String path,
                                                              @ForAll @StringLength(max = 40) String other) {
    String json = "{\"path\":" + quote(path) + ",\"query\":" + quote(other) + ",\"eventId\":" + quote(other) + "}";
    try {
      HookEvent e = HookEventJson.read(HookEventType.NOT_READY, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Instant::now);
      assertThat(e.path().name()).isEqualTo(path);
    } catch (ValidationException e) {
      assertThat(e.field()).isIn("path", "eventId", "body", "query");
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.chars().forEach(c -> b.append(c < 0x20 || c == '"' || c == '\\' ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return b.append('"').toString();
  }
}
