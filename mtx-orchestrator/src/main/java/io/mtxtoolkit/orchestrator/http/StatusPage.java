package io.mtxtoolkit.orchestrator.http;

import io.javalin.Javalin;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.worker.FfmpegLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * The status page at {@code /} (streams, states, thumbnails, player links; it polls {@code /v1/streams})
 * and {@code GET /v1/streams/{id}/thumbnail.jpg}: one decoded picture of the stream's {@code /out} (or
 * {@code /in} when there is no output yet), cached for a few seconds so the page cannot load MediaMTX.
 */
public final class StatusPage {
  private static final long CACHE_NANOS = 3_000_000_000L;
  /** Thumbnails decoded at once: each holds a request thread and a MediaMTX reader for up to {@link #GRAB_BUDGET}. */
  static final int MAX_GRABS = 2;
  public static final String HLS_PORT_ENV = "MEDIAMTX_HLS_PORT";
  public static final String WEBRTC_PORT_ENV = "MEDIAMTX_WEBRTC_PORT";
  public static final int DEFAULT_HLS_PORT = 8888;
  public static final int DEFAULT_WEBRTC_PORT = 8889;

  private final byte[] page;
  private final Function<StreamPath, String> readUrl;
  private final Map<String, Thumbnail> cache = new ConcurrentHashMap<>();
  private final Semaphore grabs = new Semaphore(MAX_GRABS);
  /** Streams a grab is under way for. */
  private final java.util.Set<String> grabbing = ConcurrentHashMap.newKeySet();
  /** The monotonic clock the cache ages by (tests set their own). */
  private java.util.function.LongSupplier nanoTime = System::nanoTime;

  /** Which streams have thumbnails; others are 404 without asking MediaMTX. */
  private java.util.function.Predicate<StreamId> known = id -> true;

  /**
   * Grabs only for streams {@code known} says exist: a client looping over made-up ids would otherwise make
   * MediaMTX answer two RTSP requests each, and fill the log with FFmpeg's "not found".
   */
  public StatusPage only(java.util.function.Predicate<StreamId> streams) {
    this.known = streams;
    return this;
  }

  /** Ages the cache by {@code clock} instead of {@link System#nanoTime()}: for tests. */
  StatusPage clock(java.util.function.LongSupplier clock) {
    this.nanoTime = clock;
    return this;
  }

  /**
   * The last decoded picture (null: none) taken at {@code takenAt}, and when MediaMTX was last asked: a miss is
   * cached like a picture, so MediaMTX is not asked again for 3 s (longer after misses in a row, see
   * {@link #validNanos}), and keeps the last picture while it is recent.
   */
  private record Thumbnail(byte[] jpeg, long takenAt, long askedAt, int misses) {
    /** The picture while it is at most {@link #STALE_NANOS} old, else null. */
    byte[] recent(long now) {
      return jpeg != null && now - takenAt <= STALE_NANOS ? jpeg : null;
    }

    /**
     * How long this answer stands before the stream is grabbed again: {@link #CACHE_NANOS}, doubled for each further
     * miss in a row up to {@link #STALE_NANOS}. A stream with nothing to show (a worker reconnecting, failed)
     * is not opened every 3 s for as long as a page stays open: each failed open costs FFmpeg's connection
     * and leaks javacv's option dictionary.
     */
    long validNanos() {
      return Math.min(STALE_NANOS, CACHE_NANOS << Math.min(Math.max(0, misses - 1), 4));
    }
  }

  /** How long a picture stands in for a stream whose next grab missed (a hiccup), before the stream shows none. */
  private static final long STALE_NANOS = 10 * CACHE_NANOS;

  /**
   * @param readUrl where a path is read for its thumbnail (RTSP over TCP on MediaMTX)
   * @param hlsPort, webrtcPort the ports a browser reaches MediaMTX's HLS and WebRTC players on, for the links
   */
  public StatusPage(Function<StreamPath, String> readUrl, int hlsPort, int webrtcPort) {
    this.readUrl = readUrl;
    try (InputStream in = StatusPage.class.getResourceAsStream("/status/index.html")) {
      if (in == null) {
        throw new IllegalStateException("status page resource missing");
      }
      this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{{hlsPort}}", String.valueOf(hlsPort))
          .replace("{{webrtcPort}}", String.valueOf(webrtcPort))
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Thumbnails from {@code mediamtx}; player links on MEDIAMTX_HLS_PORT and MEDIAMTX_WEBRTC_PORT (8888, 8889). */
  public static StatusPage forMediaMtx(MediaMtxEndpoints mediamtx, Map<String, String> env) {
    return new StatusPage(mediamtx::rtspUrl, MediaMtxEndpoints.port(env, HLS_PORT_ENV, DEFAULT_HLS_PORT),
        MediaMtxEndpoints.port(env, WEBRTC_PORT_ENV, DEFAULT_WEBRTC_PORT));
  }

  public void register(Javalin app) {
    app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
    app.get(StreamsApi.STREAMS_PATH + "/{id}/thumbnail.jpg", ctx -> {
      StreamId id = StreamId.of("id", ctx.pathParam("id"));
      if (!known.test(id)) {
        throw new RequestRejected(404, "id", "no stream " + id, null);
      }
      byte[] jpeg = thumbnail(id);
      if (jpeg == null) {
        // the page asks for every listed stream every few seconds, pictures or not: routine, not a client's mistake
        throw RequestRejected.routine(404, "id", "no picture from live/" + id + "/out or /in");
      }
      ctx.contentType("image/jpeg").header("Cache-Control", "no-store").result(jpeg);
    });
  }

  /**
   * The stream's picture, or null when it has none. One grab per stream at a time (a second page, or a refresh over
   * a slow grab, gets the last picture meanwhile) and at most {@link #MAX_GRABS} at once, so pages polling many streams
   * (or a client looping) cannot take the threads hook events arrive on: past either, the last picture however old,
   * else 503.
   */
  byte[] thumbnail(StreamId id) {
    Thumbnail cached = cache.get(id.value());
    long asked = nanoTime.getAsLong();
    if (fresh(cached, asked)) {
      return cached.recent(asked);
    }
    if (!grabbing.add(id.value())) {
      return lastOrBusy(cached == null ? null : cached.recent(asked), "a picture of " + id + " is being taken");
    }
    try {
      // a grab may have ended between the first look and the claim: its answer stands
      cached = cache.get(id.value());
      asked = nanoTime.getAsLong();
      if (fresh(cached, asked)) {
        return cached.recent(asked);
      }
      byte[] last = cached == null ? null : cached.recent(asked);
      if (!grabs.tryAcquire()) {
        return lastOrBusy(last, MAX_GRABS + " thumbnails are being decoded");
      }
      byte[] jpeg;
      MDC.put("streamId", id.value());
      MDC.put("path", StreamPath.out(id).name());
      MDC.put(FfmpegLog.PURPOSE, FfmpegLog.THUMBNAIL);
      try {
        // one budget for both paths: /in is read only when /out had nothing to show (no worker yet) in time
        long deadline = System.nanoTime() + GRAB_BUDGET.toNanos();
        jpeg = ThumbnailGrab.grab(readUrl.apply(StreamPath.out(id)), deadline);
        if (jpeg == null) {
          MDC.put("path", StreamPath.in(id).name());
          jpeg = ThumbnailGrab.grab(readUrl.apply(StreamPath.in(id)), deadline);
        }
      } finally {
        MDC.remove("streamId");
        MDC.remove("path");
        MDC.remove(FfmpegLog.PURPOSE);
        grabs.release();
      }
      long now = nanoTime.getAsLong();
      // streams nobody looks at any more: twice the longest a miss is kept, so a stream backing off keeps its count
      cache.values().removeIf(t -> now - t.askedAt() > 2 * STALE_NANOS);
      Thumbnail next = jpeg != null ? new Thumbnail(jpeg, now, now, 0)
          : new Thumbnail(cached == null ? null : cached.jpeg(), cached == null ? now : cached.takenAt(), now,
              cached == null ? 1 : cached.misses() + 1);
      cache.put(id.value(), next);
      return next.recent(now);
    } finally {
      grabbing.remove(id.value());
    }
  }

  /** True when {@code cached} still answers a request at {@code now}: MediaMTX is not asked again yet. */
  private static boolean fresh(Thumbnail cached, long now) {
    return cached != null && now - cached.askedAt() < cached.validNanos();
  }

  /** The last picture, else a 503 a page sees every few seconds: no line above DEBUG. */
  private static byte[] lastOrBusy(byte[] last, String why) {
    if (last != null) {
      return last;
    }
    throw RequestRejected.routine(503, "id", "busy: " + why + "; try again");
  }

  /** How long one thumbnail may take, both paths and all of FFmpeg's waits included. */
  static final java.time.Duration GRAB_BUDGET = java.time.Duration.ofSeconds(4);
}
