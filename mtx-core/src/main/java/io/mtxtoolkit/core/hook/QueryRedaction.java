package io.mtxtoolkit.core.hook;

import java.util.List;
import java.util.Locale;

/**
 * A publisher's query as operators may see it in logs and status views: MediaMTX passes the raw query
 * to hooks, and publishers put credentials there ({@code ?user=u&pass=p}, {@code ?jwt=…}), so the
 * values of credential-like keys are masked. Keys, order and other values stay as sent.
 */
public final class QueryRedaction {
  /** What replaces a masked value. */
  public static final String MASK = "***";

  // Substrings of a lower-cased key that mark its value as a credential; erring towards masking.
  private static final List<String> CREDENTIAL_KEYS = List.of("pass", "pwd", "token", "secret", "jwt", "key", "sig", "auth", "cred");

  private QueryRedaction() {}

  /** {@code query} with the values of credential-like keys replaced by {@value #MASK}. */
  public static String redact(String query) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    StringBuilder out = new StringBuilder(query.length());
    int start = 0;
    while (start <= query.length()) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = query.length();
      }
      String part = query.substring(start, end);
      int eq = part.indexOf('=');
      if (eq > 0 && isCredential(part.substring(0, eq))) {
        out.append(part, 0, eq + 1).append(MASK);
      } else {
        out.append(part);
      }
      if (end < query.length()) {
        out.append('&');
      }
      start = end + 1;
    }
    return out.toString();
  }

  private static boolean isCredential(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return CREDENTIAL_KEYS.stream().anyMatch(k::contains);
  }
}
