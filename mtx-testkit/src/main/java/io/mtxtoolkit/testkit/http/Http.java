package io.mtxtoolkit.testkit.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Small blocking HTTP calls for tests: status and body, short timeouts, no exceptions for non-2xx. */
public final class Http {
  private static final OkHttpClient CLIENT = new OkHttpClient.Builder()
      .connectTimeout(Duration.ofSeconds(2))
      .readTimeout(Duration.ofSeconds(5))
      .retryOnConnectionFailure(false)
      .build();

  private Http() {}

  /** Status code and body text of one response. */
  public record Reply(int status, String body, String contentType) {}

  public static Reply get(String url) {
    return call(new Request.Builder().url(url).get().build());
  }

  public static Reply post(String url, String contentType, String body) {
    return call(new Request.Builder().url(url).post(RequestBody.create(body, MediaType.get(contentType))).build());
  }

  public static Reply call(Request request) {
    try (Response response = CLIENT.newCall(request).execute()) {
      return new Reply(response.code(), response.body() == null ? "" : response.body().string(),
          response.header("Content-Type", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.url() + " failed: " + e.getMessage(), e);
    }
  }
}
