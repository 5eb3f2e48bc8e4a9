package io.mtxtoolkit.core.api;

/** The Control API could not be reached or answered something unusable; the message says which. */
public class MediaMtxApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public MediaMtxApiException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** HTTP status, or 0 when no response arrived. */
  public int status() {
    return status;
  }
}
