package io.mtxtoolkit.orchestrator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answer to requests it rejects before Javalin sees them (unparsable request line, headers too
 * large): JSON like every other error instead of Jetty's HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String message = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    try {
      return ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(ApiError.of(message)));
    } catch (JsonProcessingException e) {
      return super.badMessageError(status, reason, fields); // cannot happen for a record of strings
    }
  }
}
