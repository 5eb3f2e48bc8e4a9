package io.mtxtoolkit.orchestrator.http;


import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.api.MediaMtxApiException;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.workers.StreamView;
import io.mtxtoolkit.orchestrator.workers.WorkerManager;
import io.mtxtoolkit.worker.WorkerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code GET /v1/streams} and {@code GET /v1/streams/{id}}: each stream's worker joined with what MediaMTX
 * reports for its {@code /in} and {@code /out} paths (ready, tracks, bytes, readers, the output's
 * bitrate), so an operator sees which streams a worker processes and which sit idle.
 */
public final class StreamsApi {
  public static final String STREAMS_PATH = "/v1/streams";

  private final WorkerManager workers;
  private final MediaMtxApiClient mediamtx;
  /** Per {@code /out} path: the reading the bitrate is measured from, and the last rate measured. */
  private final Map<String, OutSample> outSamples = new ConcurrentHashMap<>();

  /** A byte count read at {@code at} (monotonic ns), and the rate measured when it was taken (null: none yet). */
  private record OutSample(long bytes, long at, Double kbps) {}

  /**
   * The shortest window a rate is measured over. Every client's request reads MediaMTX: with several polling,
   * windows of a few ms would turn one keyframe into many times the rate, and an empty window into 0.
   */
  static final long MIN_WINDOW_NANOS = 1_000_000_000L;
  private final LongSupplier nanoTime;
  /** Streams with a path in MediaMTX's last list that this API read. */
  private volatile java.util.Set<String> listed = java.util.Set.of();

  static final String UNREACHABLE = "unreachable: ";
  static final String ERROR = "error: ";

  /** @param mediamtx the Control API to join with, or null for the worker view alone */
  public StreamsApi(WorkerManager workers, MediaMtxApiClient mediamtx) {
    this(workers, mediamtx, System::nanoTime);
  }

  /** With the monotonic clock the bitrate is measured by (tests set it). */
  public StreamsApi(WorkerManager workers, MediaMtxApiClient mediamtx, LongSupplier nanoTime) {
    this.workers = workers;
    this.mediamtx = mediamtx;
    this.nanoTime = nanoTime;
  }

  public StreamsApi(WorkerManager workers) {
    this(workers, null);
  }

  /** A path as MediaMTX sees it; {@code bitrateKbps} only for {@code /out}, over a second or more of its bytes. */
  public record PathState(boolean ready, List<String> tracks, long bytesReceived, List<String> readers, Double bitrateKbps) {}

  /**
   * One stream. {@code status}: processing (worker running, /out ready), idle (/in ready, no worker),
   * or the worker's state otherwise.
   */
  public record JoinedStream(String streamId, String status, StreamView worker, PathState in, PathState out) {}

  /** The list, and whether MediaMTX answered. */
  public record StreamList(List<JoinedStream> streams, String mediamtx) {}

  public void register(Javalin app) {
    app.get(STREAMS_PATH, this::list);
    app.get(STREAMS_PATH + "/{id}", this::one);
  }

  /** The joined view (also used by {@code mtx-orchestrator status}). */
  public StreamList snapshot() {
    Map<String, ApiPath> paths = new TreeMap<>();
    String state = "not configured";
    long listedAt = 0;
    if (mediamtx != null) {
      try {
        for (ApiPath p : mediamtx.listPaths()) {
          paths.put(p.name(), p);
        }
        listedAt = nanoTime.getAsLong(); // when MediaMTX was read, not when this request got to the path
        state = "ok";
      } catch (MediaMtxApiException e) {
        // only what may clear by itself is "unreachable" (and a 503 to retry): a 401 or invalid JSON will not
        state = (transientFailure(e.status()) ? UNREACHABLE : ERROR) + e.getMessage();
      }
    }
    Map<String, StreamView> views = new TreeMap<>();
    workers.streams().forEach(v -> views.put(v.streamId(), v));
    // other paths (not live/<id>/in|out) are MediaMTX's business, not a stream of this pipeline
    paths.keySet().forEach(name -> StreamPath.find(name).ifPresent(path -> views.putIfAbsent(path.streamId().value(), null)));
    List<JoinedStream> out = new ArrayList<>();
    long at = listedAt;
    views.forEach((id, view) -> out.add(join(id, view, paths, at)));
    if (mediamtx != null && state.equals("ok")) {
      outSamples.keySet().retainAll(paths.keySet()); // paths gone from MediaMTX need no bitrate history
      listed = paths.keySet().stream().map(StreamPath::find).flatMap(Optional::stream)
          .map(path -> path.streamId().value()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
    return new StreamList(out, state);
  }

  /** True when MediaMTX had a path of {@code id} in the last list read (an idle stream has no worker to ask). */
  public boolean listed(StreamId id) {
    return listed.contains(id.value());
  }

  /** No answer, or a gateway's or MediaMTX's own "not now": worth asking again in a second. */
  private static boolean transientFailure(int status) {
    return status == 0 || status == 502 || status == 503 || status == 504;
  }

  private JoinedStream join(String id, StreamView view, Map<String, ApiPath> paths, long listedAt) {
    StreamId streamId = StreamId.of(id);
    PathState in = state(paths.get(StreamPath.in(streamId).name()), false, listedAt);
    PathState out = state(paths.get(StreamPath.out(streamId).name()), true, listedAt);
    String workerState = view == null ? "none" : view.workerState();
    String status;
    if (workerState.equals(WorkerState.RUNNING.wireName()) && out != null && out.ready()) {
      status = "processing";
    } else if (view == null || workerState.equals(WorkerState.STOPPED.wireName())) {
      status = in != null && in.ready() ? "idle" : "stopped";
    } else {
      status = workerState;
    }
    return new JoinedStream(id, status, view, in, out);
  }

  private PathState state(ApiPath p, boolean measureBitrate, long listedAt) {
    if (p == null) {
      return null;
    }
    Double kbps = measureBitrate ? bitrate(p.name(), p.bytesReceived(), listedAt) : null;
    return new PathState(p.ready(), p.tracks(), p.bytesReceived(), p.readers().stream().map(ApiPath.Reader::type).toList(), kbps);
  }

  /**
   * {@code /out}'s rate in kbit/s from the bytes since the reading it is measured from, at least
   * {@link #MIN_WINDOW_NANOS} ago; within that window the last rate measured. Atomic per path: two requests
   * must not store their readings out of order.
   */
  Double bitrate(String path, long bytes, long at) {
    return outSamples.compute(path, (name, prev) -> {
      if (prev == null) {
        return new OutSample(bytes, at, null);
      }
      if (at - prev.at() <= 0) {
        return prev; // a request that read MediaMTX before the one stored: older, not a new /out
      }
      if (bytes < prev.bytes()) {
        return new OutSample(bytes, at, null); // a counter that started over: a new /out
      }
      if (at - prev.at() < MIN_WINDOW_NANOS) {
        return prev; // too soon after the reading the rate counts from
      }
      return new OutSample(bytes, at, (bytes - prev.bytes()) * 8.0 / ((at - prev.at()) / 1e9) / 1000);
    }).kbps();
  }

  private void list(Context ctx) {
    ctx.json(snapshot());
  }

  private void one(Context ctx) {
    StreamId id = StreamId.of("id", ctx.pathParam("id"));
    StreamList all = snapshot();
    Optional<JoinedStream> stream = all.streams().stream().filter(s -> s.streamId().equals(id.value())).findFirst();
    if (stream.isEmpty() && (all.mediamtx().startsWith(UNREACHABLE) || all.mediamtx().startsWith(ERROR))) {
      // MediaMTX may well have it (idle: no worker): that it is unknown would be a guess
      throw new RequestRejected(all.mediamtx().startsWith(UNREACHABLE) ? 503 : 502, "mediamtx",
          "no worker for " + id + ", and MediaMTX cannot be asked: " + all.mediamtx(), null);
    }
    ctx.json(stream.orElseThrow(() ->
        new RequestRejected(404, "id", "no stream " + id + " (neither a worker nor a MediaMTX path live/" + id + "/…)", null)));
  }
}
