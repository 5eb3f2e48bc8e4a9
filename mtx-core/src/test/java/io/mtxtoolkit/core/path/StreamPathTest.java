package io.mtxtoolkit.core.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamPathTest {

  @Test
  void parsesIngestAndOutputPaths() {
    StreamPath in = StreamPath.parse("live/stream123/in");
    assertThat(in.streamId().value()).isEqualTo("stream123");
    assertThat(in.direction()).isEqualTo(StreamPath.Direction.IN);
    assertThat(in.name()).isEqualTo("live/stream123/in");

    StreamPath out = StreamPath.parse("live/stream123/out");
    assertThat(out.direction()).isEqualTo(StreamPath.Direction.OUT);
    assertThat(out).hasToString("live/stream123/out");
  }

  @Test
  void findsAStreamPathInAnyNameAndNothingInOthers() {
    assertThat(StreamPath.find("live/cam1/out")).contains(StreamPath.out(StreamId.of("cam1")));
    for (String other : new String[] {"mystream", "live/cam1", "live/a b/in", "live/cam1/in/x", "", null}) {
      assertThat(StreamPath.find(other)).as(String.valueOf(other)).isEmpty();
    }
  }

  @Test
  void buildsAndFlipsDirection() {
    StreamId id = StreamId.of("cam_1");
    assertThat(StreamPath.in(id).opposite()).isEqualTo(StreamPath.out(id));
    assertThat(StreamPath.out(id).opposite()).isEqualTo(StreamPath.in(id));
    assertThat(StreamPath.out(id).name()).isEqualTo("live/cam_1/out");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "other/path|not of the form",
      "live/x|not of the form",
      "live/x/in/extra|not of the form",
      "/live/x/in|not of the form",
      "live/x/sideways|must end in /in or /out",
      "live//in|empty",
      "live/a;b/in|';' (U+003B)"})
  void rejectsOtherShapes(String value, String expected) {
    assertThatThrownBy(() -> StreamPath.parse(value))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void missingPathNamesTheField() {
    assertThatThrownBy(() -> StreamPath.parse("MTX_PATH", null))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.field()).isEqualTo("MTX_PATH");
          assertThat(e).hasMessageContaining("missing path");
        });
    assertThatThrownBy(() -> new StreamPath(null, StreamPath.Direction.IN)).isInstanceOf(ValidationException.class);
  }
}
