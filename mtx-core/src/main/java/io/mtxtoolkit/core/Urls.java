package io.mtxtoolkit.core;

/** URLs as logs and error messages show them. */
public final class Urls {
  private Urls() {}

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
    if (url.indexOf('@', end) >= 0 && !HOST_PORT.matcher(url.substring(start, end)).matches()) {
      // Not host[:port] before the first '/', '?' or '#': a password holding one of them ended the authority
      // early ("http://admin:pa/ss@orch"). All up to the last '@' is hidden; too much rather than a credential.
      return url.substring(0, start) + url.substring(url.lastIndexOf('@') + 1);
    }
    return url;
  }

  /** A host with an optional numeric port, an IPv6 literal in brackets included. */
  private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("(\\[[^]]*]|[^:\\[\\]]*)(:\\d*)?");
}
