package io.mtxtoolkit.orchestrator.http;

import io.mtxtoolkit.core.path.StreamPath;

/**
 * A client mistake that ends a request with a 4xx status, or a request that found the service busy (503).
 * Carries the field at fault and, when the
 * body named a valid stream path despite the mistake, that path, so the warning can say which stream.
 */
public final class RequestRejected extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final transient StreamPath path;
  private final boolean routine;

  public RequestRejected(int status, String field, String message, StreamPath path) {
    this(status, field, message, path, false);
  }

  private RequestRejected(int status, String field, String message, StreamPath path, boolean routine) {
    super(message, null, false, false); // an expected outcome: no stack trace to fill or log
    this.status = status;
    this.field = field;
    this.path = path;
    this.routine = routine;
  }

  /** An answer a well-behaved client gets all the time (the status page's "no picture yet"): logged at DEBUG only. */
  public static RequestRejected routine(int status, String field, String message) {
    return new RequestRejected(status, field, message, null, true);
  }

  /** True when the answer is no one's mistake and worth no warning. */
  public boolean routine() {
    return routine;
  }

  public RequestRejected(int status, String field, String message) {
    this(status, field, message, null);
  }

  public int status() {
    return status;
  }

  /** The input at fault, or null. */
  public String field() {
    return field;
  }

  /** The stream path the request was about, or null when unknown or itself invalid. */
  public StreamPath path() {
    return path;
  }
}
