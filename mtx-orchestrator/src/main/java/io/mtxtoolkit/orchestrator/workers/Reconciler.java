package io.mtxtoolkit.orchestrator.workers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.api.MediaMtxApiException;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.events.RecentKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heals what a lost hook leaves behind (the hook never retries): at start-up and then periodically,
 * the ready {@code live/<id>/in} paths that MediaMTX reports are compared with the workers; a ready path
 * without a worker gets one, and a worker whose path is gone is stopped after the grace period.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final MediaMtxApiClient mediamtx;
  private final WorkerManager workers;
  /** Paths already warned about; bounded, since path names come from publishers. */
  private final RecentKeys warnedPaths = new RecentKeys(1000);
  /** The last pass could not reach MediaMTX (only the reconciler's own thread, or a caller in its place, touches it). */
  private volatile boolean mediamtxAway;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "reconciler");
    t.setDaemon(true);
    return t;
  });

  public Reconciler(MediaMtxApiClient mediamtx, WorkerManager workers) {
    this.mediamtx = mediamtx;
    this.workers = workers;
  }

  /** Reconciles now and then every {@code interval}. */
  public Reconciler start(Duration interval) {
    timer.scheduleWithFixedDelay(this::reconcileQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (Throwable e) { // anything escaping would end the schedule for good, silently
      LOG.error("reconciliation failed", net.logstash.logback.argument.StructuredArguments.kv("event", "reconcile-failed"), e);
    }
  }

  /** One pass; returns the number of corrections, or -1 when MediaMTX could not be asked. */
  public int reconcile() {
    long takenAt = workers.snapshotTime();
    Map<StreamId, String> ready = new HashMap<>();
    try {
      for (ApiPath p : mediamtx.listPaths()) {
        if (!p.ready()) {
          continue;
        }
        try {
          StreamPath path = StreamPath.parse(p.name());
          if (path.direction() == StreamPath.Direction.IN) {
            ready.put(path.streamId(), sourceId(p));
          }
        } catch (IllegalArgumentException notOurs) {
          warnOnceIfMeantAsIngest(p.name(), notOurs.getMessage());
        }
      }
      // MediaMTX pages each list request afresh: a path that goes between two page requests moves the next
      // page's first path onto the page already read, and the list misses it. So each stream the list would
      // stop is asked for by name (one request per stream that is really gone, once).
      for (StreamView v : workers.streams()) {
        StreamId id = StreamId.of(v.streamId());
        if (v.ready() && !ready.containsKey(id)) {
          mediamtx.getPath(StreamPath.in(id).name()).filter(ApiPath::ready)
              .ifPresent(p -> ready.put(id, sourceId(p)));
        }
      }
    } catch (MediaMtxApiException e) {
      // Said once when MediaMTX goes away, not every period while it stays away; its return is said too.
      LOG.atLevel(mediamtxAway ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.WARN)
          .log("reconciliation skipped: {}", e.getMessage(), kv("event", "reconcile-skipped"));
      mediamtxAway = true;
      return -1;
    }
    if (mediamtxAway) {
      mediamtxAway = false;
      LOG.info("reconciliation resumed: MediaMTX's API answers again", kv("event", "reconcile-resumed"));
    }
    List<WorkerManager.Correction> corrections = workers.reconcile(ready, takenAt);
    for (WorkerManager.Correction c : corrections) {
      StreamId id = c.streamId();
      String why = switch (c.action()) {
        case START -> "live/{}/in is ready in MediaMTX but no ready event arrived; starting its worker";
        case RESTART -> "live/{}/in is ready but its worker is missing; starting it";
        case RETRY_FAILED -> "live/{}/in is still ready after its stream failed; trying its worker again";
        case STOP -> "live/{}/in is gone from MediaMTX; stopping its worker after the grace period";
      };
      LOG.warn("reconcile: " + why, id, WorkerManager.fields(id, workers.sourceId(id), "reconcile-" + c.action().wireName()));
    }
    return corrections.size();
  }

  /**
   * A ready path shaped like an ingest path whose id is not a valid stream id ({@code live/cam.1/in}) gets no
   * hook from our MediaMTX configuration and no worker: said once per path, so the operator learns why.
   */
  private void warnOnceIfMeantAsIngest(String name, String problem) {
    if (name.startsWith(StreamPath.PREFIX) && name.endsWith("/" + StreamPath.Direction.IN.segment()) && warnedPaths.firstTime(name)) {
      LOG.warn("{} is ready in MediaMTX but is not a pipeline path, so no worker processes it: {}", name, problem,
          kv("event", "reconcile-invalid-path"), kv("path", name));
    }
  }

  /** The path's publisher id, or "" when MediaMTX names none. */
  private static String sourceId(ApiPath p) {
    return p.source() == null || p.source().id() == null ? "" : p.source().id();
  }

  /** Stops the schedule without waiting: no pass starts after this (a pass under way is interrupted). */
  public void halt() {
    timer.shutdownNow();
  }

  /**
   * Stops the schedule and waits (bounded) for a pass under way to end. A pass acts through the manager, which does
   * nothing once closed: the orchestrator halts this, closes the workers, then closes this, so the wait cannot hold
   * up their stop.
   */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
