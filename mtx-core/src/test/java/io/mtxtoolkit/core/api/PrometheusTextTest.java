package io.mtxtoolkit.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text format, with lines in the shape MediaMTX writes them (synthesised here, not recorded). */
class PrometheusTextTest {

  @Test
  void test_metrics_endpoint_format() {
    String text = """
        # HELP paths paths
        # TYPE paths gauge
        paths{name="live/test/in",state="ready"} 1
        paths_bytes_received{name="live/test/in",state="ready"} 123456
        paths_readers{name="live/test/in",state="ready"} 2
        odd{path="a\\"b\\\\c",x="1"} 1.5e3 1700000000000
        plain_counter 42
        special{le="+Inf"} +Inf

        """;
    List<PrometheusText.Sample> samples = PrometheusText.parse(text);
    assertThat(samples).hasSize(6);
    assertThat(PrometheusText.value(samples, "paths", Map.of("name", "live/test/in"))).hasValue(1.0);
    assertThat(PrometheusText.value(samples, "paths_bytes_received", Map.of("state", "ready"))).hasValue(123456.0);
    assertThat(PrometheusText.value(samples, "odd", Map.of("path", "a\"b\\c"))).hasValue(1500.0);
    assertThat(PrometheusText.value(samples, "plain_counter", Map.of())).hasValue(42.0);
    assertThat(PrometheusText.value(samples, "special", Map.of())).hasValue(Double.POSITIVE_INFINITY);
    assertThat(PrometheusText.value(samples, "paths", Map.of("name", "other"))).isEmpty();
  }

  @Test
  void sumAddsUpASplitCount() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        paths_readers{name="live/a/in",state="ready",readerType="rtspSession"} 2
        paths_readers{name="live/a/in",state="ready",readerType="rtmpConn"} 1
        paths_readers{name="live/b/in",state="ready",readerType=""} 0
        """);
    assertThat(PrometheusText.sum(samples, "paths_readers", Map.of("name", "live/a/in"))).hasValue(3.0);
    assertThat(PrometheusText.sum(samples, "paths_readers", Map.of("name", "live/b/in"))).hasValue(0.0);
    assertThat(PrometheusText.sum(samples, "paths_readers", Map.of("name", "live/c/in"))).isEmpty();
  }

  @Test
  void rejectsWhatIsNotTheFormat() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{a=1} 2\n")).hasMessageContaining("line 2");
    assertThatThrownBy(() -> PrometheusText.parse("name notanumber")).isInstanceOf(IllegalArgumentException.class);
    assertThat(PrometheusText.parse("x NaN").get(0).value()).isNaN();
    assertThat(PrometheusText.parse("x -Inf").get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    for (String notPrometheus : new String[] {"m 1d", "m 0x1p3", "m Infinity", "m{a=\"1\"b=\"2\"} 3", "m{a=\"1\"} 2 x",
        "m{a=\"1\"", "m{a=\"1} 2", "m{1a=\"x\"} 2", "m{a=\"x\"}2"}) {
      assertThatThrownBy(() -> PrometheusText.parse(notPrometheus)).as(notPrometheus).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void blanksMayBeTabsAndMayStandAroundLabels() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(
        "m\t1\nm { a = \"x\" , b=\"y\", } \t2 1700000000000\nm{c=\"q\\\"\\\\\\n\"} +Inf\nm .5e1\n");
    assertThat(samples).extracting(PrometheusText.Sample::value).containsExactly(1.0, 2.0, Double.POSITIVE_INFINITY, 5.0);
    assertThat(samples.get(1).labels()).containsEntry("a", "x").containsEntry("b", "y");
    assertThat(samples.get(2).labels()).containsEntry("c", "q\"\\\n");
  }
}
