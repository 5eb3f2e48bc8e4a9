package io.mtxtoolkit.core.config;

/**
 * A socket MediaMTX binds, by the configuration keys that switch it on and place it. Tests and the
 * dev stack move every enabled listener to a chosen port, so nothing collides with a running stack.
 */
public enum Listener {
  RTSP("rtsp", "rtspAddress", 8554, Transport.TCP),
  RTMP("rtmp", "rtmpAddress", 1935, Transport.TCP),
  HLS("hls", "hlsAddress", 8888, Transport.TCP),
  WEBRTC("webrtc", "webrtcAddress", 8889, Transport.TCP),
  WEBRTC_ICE_UDP("webrtc", "webrtcLocalUDPAddress", 8189, Transport.UDP),
  SRT("srt", "srtAddress", 8890, Transport.UDP),
  API("api", "apiAddress", 9997, Transport.TCP),
  METRICS("metrics", "metricsAddress", 9998, Transport.TCP),
  PLAYBACK("playback", "playbackAddress", 9996, Transport.TCP),
  PPROF("pprof", "pprofAddress", 9999, Transport.TCP);

  /** Socket kind, so a free port of the right kind can be picked. */
  public enum Transport { TCP, UDP }

  private final String enableKey;
  private final String addressKey;
  private final int defaultPort;
  private final Transport transport;

  Listener(String enableKey, String addressKey, int defaultPort, Transport transport) {
    this.enableKey = enableKey;
    this.addressKey = addressKey;
    this.defaultPort = defaultPort;
    this.transport = transport;
  }

  /** Top-level boolean key that turns the server on (several listeners may share one). */
  public String enableKey() {
    return enableKey;
  }

  /** Top-level key holding {@code [host]:port}. */
  public String addressKey() {
    return addressKey;
  }

  /** Port the spec (or MediaMTX) uses by default. */
  public int defaultPort() {
    return defaultPort;
  }

  public Transport transport() {
    return transport;
  }
}
