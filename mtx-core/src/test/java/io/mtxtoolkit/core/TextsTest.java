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

  @org.junit.jupiter.api.Test
  void aMediaErrorLosesJavacvsHintsAndAnythingAfterItsFirstLine() {
    org.assertj.core.api.Assertions.assertThat(Texts.mediaError("avio_open2 error() error -111: Could not open 'rtmp://h/a' "
        + "(For more details, make sure FFmpegLogCallback.set() has been called.)\nat line two"))
        .isEqualTo("avio_open2 error() error -111: Could not open 'rtmp://h/a'");
    org.assertj.core.api.Assertions.assertThat(Texts.mediaError("Could not open input \"rtsp://h/x\". (Has setFormat() been called?)"))
        .isEqualTo("Could not open input \"rtsp://h/x\".");
    org.assertj.core.api.Assertions.assertThat(Texts.mediaError(null)).isEqualTo("null");
  }
}
