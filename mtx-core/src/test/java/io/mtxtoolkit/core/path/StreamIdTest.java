package io.mtxtoolkit.core.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamIdTest {

  @ParameterizedTest
  @ValueSource(strings = {"stream123", "a", "A-b_C-9", "___", "--", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void acceptsTheSpecAlphabet(String value) {
    assertThat(StreamId.of(value).value()).isEqualTo(value);
    assertThat(StreamId.isValid(value)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a;touch x|';' (U+003B) at position 1",
      "a b|U+0020 at position 1",
      "caf\u00e9|U+00E9 at position 3",
      "a/b|'/' (U+002F) at position 1",
      "../etc|'.' (U+002E) at position 0",
      "tab\there|U+0009 at position 3",
      "x%20|'%' (U+0025) at position 1"})
  void rejectsOtherCharactersNamingTheFirstBadOne(String value, String expected) {
    assertThatThrownBy(() -> StreamId.of(value))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("invalid stream id")
        .hasMessageContaining(expected)
        .hasMessageContaining("allowed: A-Z a-z 0-9 _ -");
    assertThat(StreamId.isValid(value)).isFalse();
  }

  @Test
  void rejectsEmptyMissingAndOverlong() {
    assertThatThrownBy(() -> StreamId.of("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> StreamId.of((String) null)).hasMessageContaining("missing");
    assertThatThrownBy(() -> StreamId.of("x".repeat(65))).hasMessageContaining("longer than 64 characters (65)");
  }

  @Test
  void reportsTheFieldItCameFrom() {
    assertThatThrownBy(() -> StreamId.of("MTX_PATH", "a;b"))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("MTX_PATH"));
  }

  @Test
  void quotesControlCharactersAndShortensLongValues() {
    assertThat(io.mtxtoolkit.core.Texts.quote("a\nb")).isEqualTo("'a\\u000ab'");
    assertThat(io.mtxtoolkit.core.Texts.quote("y".repeat(100))).endsWith("…'").hasSize(83);
    assertThat(io.mtxtoolkit.core.Texts.quote(null)).isEqualTo("(null)");
    String cut = io.mtxtoolkit.core.Texts.quote("a".repeat(79) + "\uD83D\uDE00b");
    assertThat(cut).as("never half an emoji").isEqualTo("'" + "a".repeat(79) + "…'");
  }

  @Test
  void astralCharactersAreReportedByCodePoint() {
    assertThatThrownBy(() -> StreamId.of("a\uD83D\uDE00")).hasMessageContaining("U+1F600 at position 1");
  }

  @Test
  void printsAsItsValue() {
    assertThat(StreamId.of("cam-1")).hasToString("cam-1");
  }

  @Test
  void describesPrintableAsciiAsItselfAndTheRestByCodePoint() {
    assertThat(StreamId.describe('!')).isEqualTo("'!' (U+0021)");
    assertThat(StreamId.describe('~')).isEqualTo("'~' (U+007E)");
    assertThat(StreamId.describe(' ')).isEqualTo("U+0020");
    assertThat(StreamId.describe(0x7f)).isEqualTo("U+007F");
    assertThat(io.mtxtoolkit.core.Texts.quote("y".repeat(80))).isEqualTo("'" + "y".repeat(80) + "'");
    assertThat(io.mtxtoolkit.core.Texts.quote("\u001f \u007f")).isEqualTo("'\\u001f \\u007f'");
  }
}
