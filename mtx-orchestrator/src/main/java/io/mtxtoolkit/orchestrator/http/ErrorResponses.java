package io.mtxtoolkit.orchestrator.http;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static net.logstash.logback.argument.StructuredArguments.v;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.StreamPath;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON {@link ApiError}: client mistakes get their 4xx and one WARN line (as
 * does a 503 for a request that found us busy; routine answers a DEBUG line), anything else is our bug and gets a 500 and an ERROR line
 * with the stack trace.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  public static void register(Javalin app) {
    app.exception(RequestRejected.class, (e, ctx) -> {
      if (e.status() == 401) {
        ctx.header("WWW-Authenticate", "Mtx-Signature"); // RFC 9110: a 401 names the scheme it wants
      } else if (e.status() == 503) {
        ctx.header(Header.RETRY_AFTER, "1");
      }
      reject(ctx, e.status(), e.field(), e.getMessage(), e.path(), e.routine());
    });
    app.exception(ValidationException.class,
        (e, ctx) -> reject(ctx, HttpStatus.BAD_REQUEST.getCode(), e.field(), e.getMessage(), null, false));
    // Javalin's own outcomes, all 4xx here: 404 for unknown paths, 405 for a known path with another method.
    app.exception(HttpResponseException.class, ErrorResponses::javalinResponse);
    app.exception(Exception.class, ErrorResponses::unexpected);
  }

  private static void javalinResponse(HttpResponseException e, Context ctx) {
    if (e.getStatus() == HttpStatus.METHOD_NOT_ALLOWED.getCode()) {
      // Javalin names the key differently when the client accepts HTML
      String allowed = e.getDetails().getOrDefault("availableMethods", e.getDetails().get("Available methods"));
      if (allowed != null) {
        ctx.header(Header.ALLOW, allowed);
        reject(ctx, e.getStatus(), null, "method " + ctx.method().name() + " not allowed on " + ctx.path()
            + "; allowed: " + allowed, null, false);
        return;
      }
    }
    reject(ctx, e.getStatus(), null, e.getMessage(), null, false);
  }

  private static void reject(Context ctx, int status, String field, String message, StreamPath path, boolean routine) {
    List<Object> args = new ArrayList<>(List.of(v("method", ctx.method().name()), v("requestPath", ctx.path()),
        v("status", status), v("error", message), kv("event", "request-rejected")));
    if (field != null) {
      args.add(kv("field", field));
    }
    if (path != null && status == HttpStatus.UNAUTHORIZED.getCode()) {
      // An unsigned body's path is anyone's claim: kept out of the fields a search for the stream's lines uses.
      args.add(kv("claimedPath", path.name()));
    } else if (path != null) {
      args.add(kv("path", path.name()));
      args.add(kv("streamId", path.streamId().value()));
    }
    if (routine) {
      LOG.debug("rejected {} {} with {}: {}", args.toArray());
    } else {
      LOG.warn("rejected {} {} with {}: {}", args.toArray());
    }
    ctx.status(status).json(new ApiError(message, field));
  }

  private static void unexpected(Exception e, Context ctx) {
    LOG.error("unexpected error handling {} {}", v("method", ctx.method().name()), v("requestPath", ctx.path()),
        kv("event", "request-failed"), e);
    ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(ApiError.of("internal error; see the orchestrator log"));
  }
}
