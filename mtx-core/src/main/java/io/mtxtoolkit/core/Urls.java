package io.mtxtoolkit.core;

/** URLs as logs and error messages show them, and their host part. */
public final class Urls {
  private Urls() {}

  /**
   * The {@code Authorization} header value for {@code uri}'s decoded {@code user:password}, or null when it has none:
   * {@link java.net.HttpURLConnection} drops a URL's credentials, and a proxy in front of a service wants them.
   */
  public static String basicAuthorization(java.net.URI uri) {
    String userInfo = uri.getUserInfo();
    if (userInfo == null && uri.getHost() == null && uri.getRawAuthority() != null) {
      // a host with an underscore leaves URI's authority unparsed ("u:p@media_service:8080"): its part before the '@'
      int at = uri.getRawAuthority().lastIndexOf('@');
      userInfo = at > 0 ? java.net.URLDecoder.decode(uri.getRawAuthority().substring(0, at).replace("+", "%2B"),
          java.nio.charset.StandardCharsets.UTF_8) : null;
    }
    return userInfo == null ? null
        : "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** {@code host} as a URL's authority needs it: an IPv6 address in brackets. */
  public static String host(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * {@code url} without the {@code user:password@} of its authority, so no message carries a credential;
   * also for text that is not a valid URL, which is what a rejected setting's message quotes.
   */
  public static String withoutUserInfo(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    if (at >= start) {
      return url.substring(0, start) + url.substring(at + 1);
    }
    String authority = url.substring(start, end);
    if (url.indexOf('@', end) >= 0 && authority.contains(":") && !authority.startsWith("[")) {
      // "user:pass" before the first '/', '?' or '#', and an '@' after it: a password holding one of them ended
      // the authority early ("http://admin:pa/ss@orch", "http://admin:12/34@orch", whose start looks like a
      // port). All up to the last '@' is hidden: a host:port URL with an '@' in its path shows too little,
      // which is better than a credential.
      return url.substring(0, start) + url.substring(url.lastIndexOf('@') + 1);
    }
    return url;
  }
}
