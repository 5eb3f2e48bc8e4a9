package io.mtxtoolkit.orchestrator.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of every error response: a message for a human and, when one input is at fault, its name
 * (a JSON property, a header or a query parameter).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {
  public static ApiError of(String error) {
    return new ApiError(error, null);
  }
}
