package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.Urls;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Typed client for MediaMTX's Control API v3 (default port 9997); list calls follow every page. */
public final class MediaMtxApiClient {
  private static final int PAGE_SIZE = 100;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpUrl base;
  private final OkHttpClient http;

  public MediaMtxApiClient(String baseUrl, Duration timeout) {
    HttpUrl parsed = HttpUrl.parse(baseUrl);
    if (parsed == null) {
      throw new IllegalArgumentException("invalid MediaMTX API URL: " + Urls.withoutUserInfo(baseUrl));
    }
    this.base = parsed;
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .callTimeout(timeout.multipliedBy(2));
    if (!parsed.username().isEmpty()) {
      // A user in the URL is one of MediaMTX's authInternalUsers: its API takes Basic credentials.
      String credentials = Credentials.basic(parsed.username(), parsed.password(), StandardCharsets.UTF_8);
      builder.addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", credentials).build()));
    }
    this.http = builder.build();
  }

  public MediaMtxApiClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(2));
  }

  /** Every path MediaMTX knows (configured or active). */
  public List<ApiPath> listPaths() {
    return listAll("/v3/paths/list", ApiPath.class, ApiPath::name);
  }

  /** One path by name, or empty when MediaMTX answers 404. */
  public Optional<ApiPath> getPath(String name) {
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("%2F", "/");
    return getOptional("/v3/paths/get/" + encoded, JSON.constructType(ApiPath.class));
  }

  public List<ApiRtmpConn> listRtmpConns() {
    return listAll("/v3/rtmpconns/list", ApiRtmpConn.class, ApiRtmpConn::id);
  }

  /** RTSP connections ({@code /v3/rtspconns/list}). */
  public List<ApiRtspConn> listRtspConns() {
    return listAll("/v3/rtspconns/list", ApiRtspConn.class, ApiRtspConn::id);
  }

  /** RTSP sessions ({@code /v3/rtspsessions/list}): a reader or publisher with its transport. */
  public List<ApiRtspSession> listRtspSessions() {
    return listAll("/v3/rtspsessions/list", ApiRtspSession.class, ApiRtspSession::id);
  }

  /** The metrics endpoint's samples, optionally filtered the way MediaMTX filters ({@code ?type=paths&path=…}). */
  public static List<PrometheusText.Sample> metrics(String metricsBaseUrl, String type, String path, Duration timeout) {
    // A client of its own for the metrics listener: the same timeouts, and Basic credentials from its URL
    MediaMtxApiClient client = new MediaMtxApiClient(metricsBaseUrl, timeout);
    HttpUrl.Builder url = HttpUrl.get(client.base.toString().replaceAll("/+$", "") + "/metrics").newBuilder();
    if (type != null) {
      url.addQueryParameter("type", type);
    }
    if (path != null) {
      url.addQueryParameter("path", path);
    }
    try (Response response = client.http.newCall(new Request.Builder().url(url.build()).get().build()).execute()) {
      String body = response.body() == null ? "" : response.body().string();
      if (!response.isSuccessful()) {
        throw new MediaMtxApiException("MediaMTX metrics " + shown(url.build()) + " answered " + response.code(), response.code(), null);
      }
      try {
        return PrometheusText.parse(body);
      } catch (IllegalArgumentException e) {
        // a proxy's error page served as 200, or a format this reader does not know: MediaMTX's answer, not our bug
        throw new MediaMtxApiException("MediaMTX metrics " + shown(url.build()) + " returned unreadable text: "
            + e.getMessage(), response.code(), e);
      }
    } catch (IOException e) {
      throw new MediaMtxApiException("MediaMTX metrics at " + Urls.withoutUserInfo(metricsBaseUrl) + " are unreachable: "
          + e.getMessage(), 0, e);
    } finally {
      client.http.connectionPool().evictAll(); // one call: nothing to keep a connection for
    }
  }

  /**
   * Every item over all pages. MediaMTX sorts and pages each request afresh, so when items come and go
   * between two page requests one can show on both; it is kept once (by {@code key}).
   */
  private <T> List<T> listAll(String endpoint, Class<T> itemType, Function<T, String> key) {
    JavaType pageType = JSON.getTypeFactory().constructParametricType(ApiPage.class, itemType);
    Map<String, T> all = new LinkedHashMap<>();
    for (int page = 0; ; page++) {
      ApiPage<T> p = this.<ApiPage<T>>getOptional(endpoint + "?itemsPerPage=" + PAGE_SIZE + "&page=" + page, pageType)
          .orElseThrow(() -> new MediaMtxApiException("MediaMTX API " + endpoint + " answered 404", 404, null));
      p.items().forEach(item -> all.putIfAbsent(key.apply(item), item));
      if (page + 1 >= p.pageCount()) {
        return List.copyOf(all.values());
      }
    }
  }

  private <T> Optional<T> getOptional(String pathAndQuery, JavaType type) {
    HttpUrl url = HttpUrl.get(base.toString().replaceAll("/+$", "") + pathAndQuery);
    Request request = new Request.Builder().url(url).get().build();
    try (Response response = http.newCall(request).execute()) {
      ResponseBody body = response.body();
      String text = body == null ? "" : body.string();
      if (response.code() == 404) {
        return Optional.empty();
      }
      if (!response.isSuccessful()) {
        throw new MediaMtxApiException("MediaMTX API " + shown(url) + " answered " + response.code() + ": " + abbreviate(text),
            response.code(), null);
      }
      try {
        return Optional.of(JSON.readValue(text, type));
      } catch (JsonProcessingException e) {
        throw new MediaMtxApiException("MediaMTX API " + shown(url) + " returned invalid JSON: " + e.getOriginalMessage(),
            response.code(), e);
      }
    } catch (IOException e) {
      throw new MediaMtxApiException("MediaMTX API at " + shown(base) + " is unreachable: " + e.getMessage(), 0, e);
    }
  }

  /** A URL for a message: never with the user and password it may carry. */
  private static String shown(HttpUrl url) {
    return url.newBuilder().username("").password("").build().toString();
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
