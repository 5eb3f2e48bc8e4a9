package io.mtxtoolkit.core.path;

import io.mtxtoolkit.core.ValidationException;
import java.util.Map;

/**
 * Where MediaMTX listens for workers: host, RTSP port (read {@code /in}) and RTMP port (publish
 * {@code /out}). Builds the URLs; stream ids need no escaping because {@link StreamId} admits only
 * {@code [A-Za-z0-9_-]}.
 */
public record MediaMtxEndpoints(String host, int rtspPort, int rtmpPort) {
  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_RTSP_PORT = 8554;
  public static final int DEFAULT_RTMP_PORT = 1935;
  public static final String HOST_ENV = "MEDIAMTX_HOST";
  public static final String RTSP_PORT_ENV = "MEDIAMTX_RTSP_PORT";
  public static final String RTMP_PORT_ENV = "MEDIAMTX_RTMP_PORT";

  public MediaMtxEndpoints {
    if (host == null || host.isBlank()) {
      throw new ValidationException("host", "MediaMTX host is empty");
    }
    host = host.trim();
    boolean ipv6 = host.contains(":");
    for (char c : host.toCharArray()) {
      // '_': container names (deploy_mediamtx_1) resolve through Docker's DNS, as HookEnvironment accepts them
      boolean ok = Character.isLetterOrDigit(c) || c == '.' || c == '-' || (!ipv6 && c == '_')
          || (ipv6 && (c == ':' || c == '[' || c == ']'));
      if (!ok || c > 0x7f) {
        throw new ValidationException("host", "MediaMTX host '" + host + "' has an invalid character " + StreamId.describe(c));
      }
    }
    if (ipv6 && !isIpv6Literal(host)) {
      // "localhost:8554" would become rtsp://[localhost:8554]:8554/…: ports go in their own settings
      throw new ValidationException("host", "MediaMTX host '" + host + "' must be a name or an address without a port");
    }
    checkPort("rtspPort", rtspPort);
    checkPort("rtmpPort", rtmpPort);
  }

  /**
   * An IPv6 address, bare or in a pair of brackets: hex digits, dots and at least two colons. One colon is a
   * host with a port ({@code cafe:8554}, {@code 10.0.0.5:8554}), which would end up inside the brackets.
   */
  static boolean isIpv6Literal(String host) {
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    String address = bracketed ? host.substring(1, host.length() - 1) : host;
    return address.chars().filter(c -> c == ':').count() >= 2 && address.matches("[0-9A-Fa-f.:]+");
  }

  /** The spec's defaults: {@code localhost}, 8554, 1935. */
  public static MediaMtxEndpoints defaults() {
    return new MediaMtxEndpoints(DEFAULT_HOST, DEFAULT_RTSP_PORT, DEFAULT_RTMP_PORT);
  }

  /** Defaults overridden by MEDIAMTX_HOST, MEDIAMTX_RTSP_PORT and MEDIAMTX_RTMP_PORT where set. */
  public static MediaMtxEndpoints fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, null, null, null);
  }

  /**
   * Like {@link #fromEnvironment(Map)}, but each non-null argument (a command-line flag) wins, and its variable is
   * then not read at all: a flag given to replace a broken variable must not fail on it. A variable set to
   * nothing (as Compose passes an unset {@code ${VAR}}) counts as unset.
   */
  public static MediaMtxEndpoints fromEnvironment(Map<String, String> env, String host, Integer rtspPort, Integer rtmpPort) {
    String hostVar = env.get(HOST_ENV);
    return new MediaMtxEndpoints(host != null ? host : hostVar == null || hostVar.isBlank() ? DEFAULT_HOST : hostVar,
        rtspPort != null ? rtspPort : port(env, RTSP_PORT_ENV, DEFAULT_RTSP_PORT),
        rtmpPort != null ? rtmpPort : port(env, RTMP_PORT_ENV, DEFAULT_RTMP_PORT));
  }

  /** {@code rtsp://host:8554/live/<id>/in}; RTSP over TCP is chosen by the reader's transport option, not the URL. */
  public String rtspUrl(StreamPath path) {
    return "rtsp://" + hostForUrl() + ":" + rtspPort + "/" + path.name();
  }

  /** {@code rtmp://host:1935/live/<id>/out}. */
  public String rtmpUrl(StreamPath path) {
    return "rtmp://" + hostForUrl() + ":" + rtmpPort + "/" + path.name();
  }

  /** The host as a URL's authority needs it: an IPv6 address in brackets. */
  public String hostForUrl() {
    return io.mtxtoolkit.core.Urls.host(host);
  }

  /** The port in variable {@code name}, or {@code fallback} where it is unset; not a port in 1..65535 is an error. */
  public static int port(Map<String, String> env, String name, int fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    int port;
    try {
      port = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new ValidationException(name, name + "=" + raw + " is not a port number");
    }
    checkPort(name, port);
    return port;
  }

  private static void checkPort(String field, int port) {
    if (port < 1 || port > 65535) {
      throw new ValidationException(field, field + " " + port + " is outside 1..65535");
    }
  }
}
