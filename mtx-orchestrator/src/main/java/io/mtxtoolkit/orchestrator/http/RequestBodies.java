package io.mtxtoolkit.orchestrator.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;

/** Checks and reads JSON request bodies: UTF-8 {@code application/json} only, never more than a fixed size. */
public final class RequestBodies {
  private static final String CONTENT_TYPE = "Content-Type";

  /** Longest a request body may take to arrive, from the start of its read. */
  public static final java.time.Duration BODY_DEADLINE = java.time.Duration.ofSeconds(5);

  private RequestBodies() {}

  /**
   * The body of {@code ctx}, at most {@code maxBytes} long. Reads itself instead of using
   * {@code ctx.bodyAsBytes()}: Javalin 6.7 only compares a declared Content-Length with its limit, so a
   * chunked body of any size would be buffered whole.
   *
   * @throws RequestRejected 415 for another media type or charset, 413 for a larger body
   */
  public static byte[] readJson(Context ctx, int maxBytes) throws IOException {
    requireJson(ctx.contentType());
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(maxBytes);
    }
    InputStream in = ctx.req().getInputStream();
    byte[] read = new byte[declared >= 0 ? (int) declared : maxBytes + 1];
    int length = 0;
    long deadline = System.nanoTime() + BODY_DEADLINE.toNanos();
    try {
      // Jetty's idle timeout ends a body that stops coming; it restarts at every byte, so one trickled a byte at a
      // time is bounded here: the whole body within BODY_DEADLINE of its read's start. (Jetty's minimum data rate is
      // timed from the body's arrival, so a small body waiting for a busy server's thread would trip it.)
      while (length < read.length) {
        int n = in.read(read, length, read.length - length);
        if (n < 0) {
          break;
        }
        length += n;
        if (length < read.length && System.nanoTime() - deadline > 0) {
          throw new RequestRejected(HttpStatus.REQUEST_TIMEOUT.getCode(), "body",
              "request body not received within " + BODY_DEADLINE.toSeconds() + " s", null);
        }
      }
    } catch (IOException e) {
      // A client that stops sending mid-body (slowloris) runs into Jetty's idle timeout: its mistake, not ours.
      if (isTimeout(e)) {
        throw new RequestRejected(HttpStatus.REQUEST_TIMEOUT.getCode(), "body", "request body not received in time", null);
      }
      // A body shorter than its Content-Length, or broken chunking: the client's mistake too (Javalin would
      // answer an escaping EofException with an empty 500).
      throw new RequestRejected(HttpStatus.BAD_REQUEST.getCode(), "body", "incomplete request body: " + e.getMessage(), null);
    }
    if (declared >= 0 && length < declared) {
      throw new RequestRejected(HttpStatus.BAD_REQUEST.getCode(), "body",
          "incomplete request body: " + length + " of " + declared + " bytes", null);
    }
    byte[] body = length == read.length ? read : java.util.Arrays.copyOf(read, length);
    if (body.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return body;
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException || String.valueOf(t.getMessage()).contains("Idle timeout")) {
        return true;
      }
    }
    return false;
  }

  /** Accepts {@code application/json} with no charset or UTF-8, case-insensitively; JSON on the wire is UTF-8 (RFC 8259). */
  static void requireJson(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      throw unsupported("missing Content-Type: send application/json");
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      throw unsupported("Content-Type " + shorten(parts[0].trim()) + " is not supported: send application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String charset = param.substring(eq + 1).trim().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8")) {
          throw unsupported("charset " + shorten(charset) + " is not supported: send UTF-8 JSON");
        }
      }
    }
  }

  private static RequestRejected tooLarge(int maxBytes) {
    return new RequestRejected(HttpStatus.CONTENT_TOO_LARGE.getCode(), "body",
        "request body larger than " + maxBytes + " bytes");
  }

  private static RequestRejected unsupported(String message) {
    return new RequestRejected(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getCode(), CONTENT_TYPE, message);
  }

  private static String shorten(String value) {
    return "'" + (value.length() > 80 ? value.substring(0, 80) + "…" : value) + "'";
  }
}
