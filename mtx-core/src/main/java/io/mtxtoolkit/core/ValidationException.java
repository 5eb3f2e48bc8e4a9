package io.mtxtoolkit.core;

/** Input that violates a domain rule; names the offending field so callers can report it precisely. */
public class ValidationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public ValidationException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The input field (JSON property, environment variable, flag) the message is about. */
  public String field() {
    return field;
  }
}
