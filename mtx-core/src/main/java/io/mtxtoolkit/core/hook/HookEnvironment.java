package io.mtxtoolkit.core.hook;

import io.mtxtoolkit.core.Urls;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.StreamPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Reads what MediaMTX hands a {@code runOnReady}/{@code runOnNotReady} command: {@code MTX_PATH},
 * {@code MTX_QUERY}, {@code MTX_SOURCE_TYPE}, {@code MTX_SOURCE_ID}, plus {@code ORCHESTRATOR_URL}
 * from the deployment. Problems name the variable.
 */
public final class HookEnvironment {
  public static final String MTX_PATH = "MTX_PATH";
  public static final String MTX_QUERY = "MTX_QUERY";
  public static final String MTX_SOURCE_TYPE = "MTX_SOURCE_TYPE";
  public static final String MTX_SOURCE_ID = "MTX_SOURCE_ID";
  public static final String ORCHESTRATOR_URL = "ORCHESTRATOR_URL";

  private HookEnvironment() {}

  /** The event MediaMTX describes; MTX_PATH must be {@code live/<id>/in}, the others may be absent or empty. */
  public static HookEvent event(HookEventType type, Map<String, String> env, Instant now) {
    String rawPath = env.get(MTX_PATH);
    if (rawPath == null || rawPath.isEmpty()) {
      throw new ValidationException(MTX_PATH, MTX_PATH + " is not set: mtx-hook must be run by MediaMTX's runOnReady/runOnNotReady");
    }
    StreamPath path = StreamPath.parse(MTX_PATH, rawPath);
    if (path.direction() != StreamPath.Direction.IN) {
      throw new ValidationException(MTX_PATH, MTX_PATH + "=" + rawPath + " is not an ingest path live/<streamId>/in");
    }
    return HookEvent.create(type, path, clip(publisherQuery(env.getOrDefault(MTX_QUERY, ""))),
        clip(env.getOrDefault(MTX_SOURCE_TYPE, "")), clip(env.getOrDefault(MTX_SOURCE_ID, "")), now);
  }

  /**
   * At most {@link HookEvent#MAX_TEXT} characters: a publisher's long query (a large token) must not stop
   * the event from being delivered, and nothing downstream needs more than its start.
   */
  static String clip(String value) {
    return io.mtxtoolkit.core.Texts.prefix(value, HookEvent.MAX_TEXT);
  }

  /**
   * MTX_QUERY as the publisher sent it. Older MediaMTX releases pass the query raw ({@code lang=es}); those
   * made after its PR #5707 (April 2026) URL-encode it as a whole ({@code lang%3Des}), which leaves no raw
   * {@code =} or {@code &}. Such a value is decoded once, so the event carries the same query whatever the version.
   */
  static String publisherQuery(String raw) {
    if (raw.indexOf('%') < 0 || raw.indexOf('=') >= 0 || raw.indexOf('&') >= 0) {
      return raw;
    }
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw; // not an encoding after all ("100%"): keep what MediaMTX gave
    }
  }

  /** The orchestrator's base URL from ORCHESTRATOR_URL: http or https, with a host; a trailing slash is ignored. */
  public static URI orchestratorUrl(Map<String, String> env) {
    String raw = env.get(ORCHESTRATOR_URL);
    if (raw == null || raw.isBlank()) {
      throw new ValidationException(ORCHESTRATOR_URL, ORCHESTRATOR_URL + " is not set (e.g. http://media-service:8080)");
    }
    return orchestratorUrl(ORCHESTRATOR_URL, raw);
  }

  /** {@code raw} as an orchestrator's base URL, http(s)://host[:port][/path], problems reported against {@code field}. */
  public static URI orchestratorUrl(String field, String raw) {
    URI uri;
    // Every message quotes the value without its user and password: the line goes to MediaMTX's log.
    String shown = Urls.withoutUserInfo(raw);
    try {
      uri = new URI(raw.trim());
    } catch (URISyntaxException e) {
      throw new ValidationException(field, field + "=" + shown + " is not a URL");
    }
    String scheme = uri.getScheme();
    int port = uri.getHost() != null ? uri.getPort() : underscoredHostPort(uri.getRawAuthority());
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || port == NOT_A_HOST) {
      throw new ValidationException(field, field + "=" + shown + " must be http://host[:port] or https://host[:port]");
    }
    if (port == 0 || port > 65535) { // URI takes :0 and any int; neither reaches an orchestrator
      throw new ValidationException(field, field + "=" + shown + " has a port outside 1..65535");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ValidationException(field, field + "=" + shown + " must not have a query or fragment");
    }
    return uri;
  }

  private static final int NOT_A_HOST = -2;

  /**
   * The port of an authority {@link URI} leaves without a host because the name has an underscore (a
   * container name such as {@code media_service:8080}, which DNS serves): -1 for none, NOT_A_HOST when the
   * authority is no {@code name[:port]}. A loop, not a regex, for the hook's start-up time.
   */
  static int underscoredHostPort(String authority) {
    if (authority == null || authority.isEmpty()) {
      return NOT_A_HOST;
    }
    int at = authority.lastIndexOf('@');
    if (at == 0 || authority.indexOf('@') != at) {
      // an empty user; or a raw '@' in the password, where java.net.URL, which connects, splits at the first '@' and
      // would send the credentials to the local host: the password must spell it %40
      return NOT_A_HOST;
    }
    authority = authority.substring(at + 1); // a user:password for a proxy in front (see Urls.basicAuthorization)
    int colon = authority.lastIndexOf(':');
    String name = colon < 0 ? authority : authority.substring(0, colon);
    if (name.isEmpty()) {
      return NOT_A_HOST;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        return NOT_A_HOST;
      }
    }
    if (colon < 0) {
      return -1;
    }
    String digits = authority.substring(colon + 1);
    if (digits.isEmpty() || digits.length() > 5) {
      return NOT_A_HOST;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return NOT_A_HOST;
      }
    }
    return Integer.parseInt(digits);
  }

  /** Where an event of {@code type} is POSTed: the base URL's path plus {@code /v1/mediamtx/events/<type>}. */
  public static URI endpoint(URI base, HookEventType type) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    int start = 0;
    while (start + 1 < path.length() && path.charAt(start + 1) == '/') {
      start++; // "//api" resolved as it stands would name a host "api": one leading slash
    }
    int end = path.length();
    while (end > start && path.charAt(end - 1) == '/') {
      end--; // a loop, not replaceAll: compiling a regex costs the hook's JVM a few ms of lambda set-up
    }
    return base.resolve(path.substring(start, end) + type.endpointPath());
  }
}
