package io.mtxtoolkit.core.properties;

import static io.mtxtoolkit.core.testing.RandomInputs.anyBytes;
import static io.mtxtoolkit.core.testing.RandomInputs.anyText;
import static io.mtxtoolkit.core.testing.RandomInputs.forAll;
import static io.mtxtoolkit.core.testing.RandomInputs.samples;
import static io.mtxtoolkit.core.testing.RandomInputs.validId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.core.testing.RandomInputs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Properties of ids, paths, URL building and hook payload parsing, on edge cases plus seeded random inputs. */
class DomainPropertiesTest {
  private static final long SEED = 0x6d7478L;

  @Test
  void validIdsRoundTripThroughPathsAndUrls() {
    forAll(samples(SEED, 500, RandomInputs::validId, "a", "-", "_", "0", "x".repeat(64), "A-_z9"), raw -> {
      StreamId id = StreamId.of(raw);
      for (StreamPath path : new StreamPath[] {StreamPath.in(id), StreamPath.out(id)}) {
        assertThat(StreamPath.parse(path.name())).isEqualTo(path);
      }
      URI rtsp = URI.create(MediaMtxEndpoints.defaults().rtspUrl(StreamPath.in(id)));
      assertThat(rtsp.getPath()).isEqualTo("/live/" + raw + "/in");
      assertThat(URI.create(MediaMtxEndpoints.defaults().rtmpUrl(StreamPath.out(id))).getPath()).isEqualTo("/live/" + raw + "/out");
    });
  }

  @Test
  void anyForeignCharacterIsRejectedByName() {
    forAll(samples(SEED, 500, r -> {
      char bad;
      do {
        bad = (char) r.nextInt(0x10000);
      } while (RandomInputs.ID_CHARS.indexOf(bad) >= 0);
      return validId(r) + bad + validId(r);
    }, "", "a b", "a/b", "a;touch x", "..", "caf\u00e9", "x".repeat(65), "a\u0000", "\ud83d\ude00"), raw -> {
      assertThatThrownBy(() -> StreamId.of(raw)).isInstanceOf(ValidationException.class).hasMessageContaining("invalid stream id");
      assertThatThrownBy(() -> StreamPath.parse("live/" + raw + "/in")).isInstanceOf(ValidationException.class);
      assertThat(raw).as("MediaMTX's hook path regex refuses it too").doesNotMatch(StreamId.REGEX);
    });
  }

  @Test
  void theRegexAcceptsWhatStreamIdAccepts() {
    forAll(samples(SEED, 500, RandomInputs::validId, "a", "-", "_", "x".repeat(64)),
        raw -> assertThat(raw).matches(StreamId.REGEX));
  }

  record Payload(String id, String query, String sourceId, boolean ready) {}

  @Test
  void hookPayloadsRoundTripOrAreRefusedWhenNoText() {
    forAll(samples(SEED, 500, r -> new Payload(validId(r), anyText(r, 200), anyText(r, 60), r.nextBoolean()),
        new Payload("a", "", "", true), new Payload("b", "lang=es&x=%20", "\"quoted\"", false)), p -> {
          java.util.function.Supplier<HookEvent> make = () -> HookEvent.create(
              p.ready() ? HookEventType.READY : HookEventType.NOT_READY, StreamPath.in(StreamId.of(p.id())), p.query(),
              "rtmpConn", p.sourceId(), Instant.ofEpochMilli(1_800_000_000_123L));
          String noText = io.mtxtoolkit.core.Texts.unpairedSurrogate(p.query()) >= 0 ? "query"
              : io.mtxtoolkit.core.Texts.unpairedSurrogate(p.sourceId()) >= 0 ? "sourceId" : null;
          if (noText != null) {
            assertThatThrownBy(make::get).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo(noText));
            return;
          }
          HookEvent event = make.get();
          assertThat(HookEventJson.read(event.type(), HookEventJson.write(event), Instant::now)).isEqualTo(event);
        });
  }

  @Test
  void arbitraryBytesEitherParseOrAreRejectedWithAField() {
    forAll(samples(SEED, 1000, r -> anyBytes(r, 300), new byte[0], utf8("{}"), utf8("null"), utf8("{\"path\":"),
        new byte[] {0, 0, 0, '{'}, new byte[] {(byte) 0xfe, (byte) 0xff}), body -> {
          try {
            HookEventJson.read(HookEventType.READY, body, Instant::now);
          } catch (ValidationException e) {
            assertThat(e.field()).isNotBlank();
          }
        });
  }

  @Test
  void arbitraryJsonObjectsEitherParseOrAreRejectedWithAField() {
    forAll(samples(SEED, 500, r -> new String[] {anyText(r, 80), anyText(r, 40)},
        new String[] {"live/a/in", ""}, new String[] {"live/a/out", "x"}, new String[] {"", ""}), fields -> {
          String path = fields[0];
          String json = "{\"path\":" + quote(path) + ",\"query\":" + quote(fields[1]) + ",\"eventId\":" + quote(fields[1]) + "}";
          try {
            HookEvent e = HookEventJson.read(HookEventType.NOT_READY, utf8(json), Instant::now);
            assertThat(e.path().name()).isEqualTo(path);
          } catch (ValidationException e) {
            assertThat(e.field()).isIn("path", "eventId", "body", "query");
          }
        });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.chars().forEach(c -> b.append(c < 0x20 || c == '"' || c == '\\' ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return b.append('"').toString();
  }
}
