package io.mtxtoolkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextsTest {
  @Test
  void aPrefixNeverEndsInHalfASurrogatePair() {
    assertThat(Texts.prefix("abc", 5)).isEqualTo("abc");
    assertThat(Texts.prefix("abcdef", 3)).isEqualTo("abc");
    assertThat(Texts.prefix("ab\uD83D\uDE00", 3)).isEqualTo("ab");
    assertThat(Texts.prefix("ab\uD83D\uDE00", 4)).isEqualTo("ab\uD83D\uDE00");
    assertThat(Texts.prefix("abc", 0)).isEmpty();
  }

  @Test
  void findsHalfASurrogatePairStandingAlone() {
    assertThat(Texts.unpairedSurrogate("a\uD83D\uDE00b")).isEqualTo(-1);
    assertThat(Texts.unpairedSurrogate("a\uD83D")).isEqualTo(1);
    assertThat(Texts.unpairedSurrogate("\uDE00\uD83D")).isZero();
    assertThat(Texts.unpairedSurrogate("")).isEqualTo(-1);
  }
}
