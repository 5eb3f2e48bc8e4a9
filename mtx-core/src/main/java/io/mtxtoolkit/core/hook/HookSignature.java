package io.mtxtoolkit.core.hook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Optional signed hooks: with {@code HOOK_SECRET} set on both sides, {@code mtx-hook} sends
 * {@code X-Mtx-Timestamp} (epoch seconds) and {@code X-Mtx-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">},
 * and the orchestrator refuses requests that are unsigned, wrongly signed or older than {@link #MAX_SKEW}.
 */
public final class HookSignature {
  public static final String SECRET_ENV = "HOOK_SECRET";
  public static final String TIMESTAMP_HEADER = "X-Mtx-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Mtx-Signature";
  /** Requests further from the receiver's clock than this are stale (replays). */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private HookSignature() {}

  /** {@code sha256=<hex>} for {@code body} sent at {@code epochSeconds}. */
  public static String sign(String secret, long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * Why the request's headers alone refuse it (missing, not a time, stale), or null: checked before its body is read,
   * so an unsigned sender cannot hold a connection open with a slow body.
   */
  public static String headerProblem(String timestamp, String signature, Instant now) {
    return headerProblem(timestamp, signature, now, null);
  }

  /**
   * As {@link #headerProblem(String, String, Instant)}, and stale when signed before {@code notBefore} (null: no such
   * bound): a restarted orchestrator has not seen the event ids of what was sent before it started.
   */
  public static String headerProblem(String timestamp, String signature, Instant now, Instant notBefore) {
    if (timestamp == null || signature == null) {
      return "missing " + (timestamp == null ? TIMESTAMP_HEADER : SIGNATURE_HEADER) + " (HOOK_SECRET is set)";
    }
    // Digits only: the signature covers the header's text, so "+17…" or "017…" could not match anyway
    if (!timestamp.trim().matches("[0-9]{1,12}")) {
      return TIMESTAMP_HEADER + " is not epoch seconds";
    }
    long sent = Long.parseLong(timestamp.trim());
    if (Math.abs(now.getEpochSecond() - sent) > MAX_SKEW.toSeconds()) {
      return "stale request: " + TIMESTAMP_HEADER + " is more than " + MAX_SKEW.toMinutes() + " minutes from now";
    }
    if (notBefore != null && sent < notBefore.getEpochSecond()) {
      return "stale request: " + TIMESTAMP_HEADER + " is from before this orchestrator started";
    }
    return null;
  }

  /** Why the request is refused, or null when it is correctly signed and fresh. */
  public static String problem(String secret, String timestamp, String signature, byte[] body, Instant now) {
    String headers = headerProblem(timestamp, signature, now);
    if (headers != null) {
      return headers;
    }
    byte[] expected = sign(secret, Long.parseLong(timestamp.trim()), body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII); // hex in either case
    return MessageDigest.isEqual(expected, given) ? null : "wrong signature";
  }
}
