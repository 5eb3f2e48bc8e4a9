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
    return at < start ? url : url.substring(0, start) + url.substring(at + 1);
  }
}
