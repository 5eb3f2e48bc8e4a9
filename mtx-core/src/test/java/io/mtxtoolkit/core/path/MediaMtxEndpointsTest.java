package io.mtxtoolkit.core.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaMtxEndpointsTest {

  @Test
  void test_rtsp_url_construction() {
    MediaMtxEndpoints mtx = new MediaMtxEndpoints("mediamtx", 8554, 1935);
    assertThat(mtx.rtspUrl(StreamPath.in(StreamId.of("stream456")))).isEqualTo("rtsp://mediamtx:8554/live/stream456/in");
    assertThat(mtx.rtspUrl(StreamPath.in(StreamId.of("a-B_9")))).isEqualTo("rtsp://mediamtx:8554/live/a-B_9/in");
    assertThat(MediaMtxEndpoints.defaults().rtspUrl(StreamPath.parse("live/test/in")))
        .isEqualTo("rtsp://localhost:8554/live/test/in");
  }

  @Test
  void test_rtmp_publish_url_format() {
    MediaMtxEndpoints mtx = new MediaMtxEndpoints("mediamtx", 8554, 1935);
    assertThat(mtx.rtmpUrl(StreamPath.out(StreamId.of("stream456")))).isEqualTo("rtmp://mediamtx:1935/live/stream456/out");
    assertThat(new MediaMtxEndpoints("::1", 18554, 11935).rtmpUrl(StreamPath.out(StreamId.of("x"))))
        .isEqualTo("rtmp://[::1]:11935/live/x/out");
    assertThat(new MediaMtxEndpoints("[::1]", 1, 2).rtspUrl(StreamPath.in(StreamId.of("x")))).isEqualTo("rtsp://[::1]:1/live/x/in");
  }

  @Test
  void environmentOverridesDefaults() {
    MediaMtxEndpoints e = MediaMtxEndpoints.fromEnvironment(Map.of("MEDIAMTX_HOST", "10.0.0.5", "MEDIAMTX_RTMP_PORT", "2935"));
    assertThat(e).isEqualTo(new MediaMtxEndpoints("10.0.0.5", 8554, 2935));
    assertThat(MediaMtxEndpoints.fromEnvironment(Map.of())).isEqualTo(MediaMtxEndpoints.defaults());
    assertThatThrownBy(() -> MediaMtxEndpoints.fromEnvironment(Map.of("MEDIAMTX_RTSP_PORT", "x")))
        .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.field()).isEqualTo("MEDIAMTX_RTSP_PORT"));
  }

  @Test
  void containerNamesWithUnderscoresAreHosts() {
    assertThat(new MediaMtxEndpoints("deploy_mediamtx_1", 8554, 1935).rtspUrl(StreamPath.parse("live/a/in")))
        .isEqualTo("rtsp://deploy_mediamtx_1:8554/live/a/in");
  }

  @Test
  void aFlagReplacesItsVariableWhichIsThenNotRead() {
    Map<String, String> broken = Map.of("MEDIAMTX_HOST", "", "MEDIAMTX_RTSP_PORT", "http", "MEDIAMTX_RTMP_PORT", "0");
    assertThat(MediaMtxEndpoints.fromEnvironment(broken, "mtx", 18554, 11935))
        .isEqualTo(new MediaMtxEndpoints("mtx", 18554, 11935));
    assertThat(MediaMtxEndpoints.fromEnvironment(Map.of("MEDIAMTX_HOST", " "), null, null, null))
        .as("a variable set to nothing is unset").isEqualTo(MediaMtxEndpoints.defaults());
    assertThatThrownBy(() -> MediaMtxEndpoints.fromEnvironment(broken, "mtx", null, 11935))
        .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.field()).isEqualTo("MEDIAMTX_RTSP_PORT"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "host/x", "a b", "h@st", "caf\u00e9", "localhost:8554", "mediamtx:1935",
      "10.0.0.5:8554", "cafe:8554", "db:1935", "[::1", "::1]", "[cafe:8554]"})
  void rejectsHostsThatWouldBreakTheUrl(String host) {
    assertThatThrownBy(() -> new MediaMtxEndpoints(host, 8554, 1935)).isInstanceOf(ValidationException.class);
  }

  @Test
  void bracketsAnIpv6Address() {
    MediaMtxEndpoints v6 = new MediaMtxEndpoints("::1", 1, 2);
    assertThat(v6.rtspUrl(StreamPath.parse("live/x/in"))).isEqualTo("rtsp://[::1]:1/live/x/in");
    assertThat(v6.hostForUrl()).isEqualTo("[::1]");
    assertThat(new MediaMtxEndpoints("[fe80::1]", 1, 2).hostForUrl()).isEqualTo("[fe80::1]");
    assertThat(new MediaMtxEndpoints("::ffff:10.0.0.5", 1, 2).hostForUrl()).isEqualTo("[::ffff:10.0.0.5]");
  }

  @Test
  void rejectsPortsOutOfRange() {
    assertThatThrownBy(() -> new MediaMtxEndpoints("h", 0, 1935)).hasMessageContaining("rtspPort 0");
    assertThatThrownBy(() -> new MediaMtxEndpoints("h", 8554, 70000)).hasMessageContaining("rtmpPort 70000");
  }

  @Test
  void portsFromTheEnvironmentAreChecked() {
    assertThat(MediaMtxEndpoints.port(Map.of("P", "1"), "P", 9)).isEqualTo(1);
    assertThat(MediaMtxEndpoints.port(Map.of("P", " 65535 "), "P", 9)).isEqualTo(65535);
    assertThat(MediaMtxEndpoints.port(Map.of(), "P", 9)).isEqualTo(9);
    assertThatThrownBy(() -> MediaMtxEndpoints.port(Map.of("P", "0"), "P", 9)).hasMessageContaining("P 0 is outside 1..65535");
    assertThatThrownBy(() -> MediaMtxEndpoints.port(Map.of("P", "65536"), "P", 9)).hasMessageContaining("outside");
    assertThat(new MediaMtxEndpoints("h", 1, 65535).rtmpPort()).isEqualTo(65535);
  }
}
