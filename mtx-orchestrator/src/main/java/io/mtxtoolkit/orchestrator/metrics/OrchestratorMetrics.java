package io.mtxtoolkit.orchestrator.metrics;

import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.workers.LifecycleObserver;
import io.mtxtoolkit.orchestrator.workers.WorkerManager;
import io.mtxtoolkit.worker.WorkerResult;
import io.mtxtoolkit.worker.WorkerState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The orchestrator's own metrics in Prometheus format at {@code GET /metrics} (Micrometer): hook requests by
 * type and status, hook events applied by type, hook-to-worker-start latency, workers by state, worker exits by
 * outcome, launch failures, restarts, failed streams, grace-period stops and reconciliation corrections. Every
 * tag value is known up front and registered at start, so a series exists (at 0) before its first occurrence.
 */
public final class OrchestratorMetrics implements HookEventListener, LifecycleObserver {
  public static final String PATH = "/metrics";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<HookEventType, Counter> events = new EnumMap<>(HookEventType.class);
  private final Timer hookToWorkerStart;
  private final Counter restarts;
  private final Counter failures;
  private final Counter graceStops;
  private final Counter staleEvents;
  private final Counter launchFailures;
  private final Counter limitRefusals;
  private final Map<String, Counter> exits = new java.util.HashMap<>();
  private final Map<WorkerManager.Correction.Action, Counter> corrections = new EnumMap<>(WorkerManager.Correction.Action.class);
  private final Map<String, Counter> requests = new java.util.concurrent.ConcurrentHashMap<>();

  public OrchestratorMetrics() {
    for (HookEventType t : HookEventType.values()) {
      events.put(t, Counter.builder("mtx_hook_events").description("Hook events taken, duplicates aside (stale ones are also in mtx_stale_events), by type")
          .tag("event", t.wireName()).register(registry));
      for (String status : HOOK_STATUSES) {
        requests.put(t.wireName() + status, hookRequests(t.wireName(), status));
      }
    }
    hookToWorkerStart = Timer.builder("mtx_hook_to_worker_start")
        .description("From the start of the hook process reporting a ready (its event's timestamp) to its worker's launch")
        // buckets, not client-side quantiles: they aggregate across instances and time (histogram_quantile)
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
    restarts = Counter.builder("mtx_worker_restarts").description("Workers restarted after exiting on their own").register(registry);
    failures = Counter.builder("mtx_stream_failures").description("Streams marked failed: by exits that kept coming, or by the worker's verdict on their media").register(registry);
    graceStops = Counter.builder("mtx_grace_period_stops").description("Workers stopped when a grace period ran out").register(registry);
    staleEvents = Counter.builder("mtx_stale_events").description("Hook events dropped: older than one already applied to their stream")
        .register(registry);
    launchFailures = Counter.builder("mtx_worker_launch_failures").description("Workers that could not be launched at all")
        .register(registry);
    limitRefusals = Counter.builder("mtx_worker_limit_refusals")
        .description("Ready streams left waiting for a worker: --max-workers were running").register(registry);
    for (String outcome : WorkerResult.outcomes()) {
      exits.put(outcome, Counter.builder("mtx_worker_exits").description("Worker ends, by outcome (crashed: not reported by the worker)")
          .tag("outcome", outcome).register(registry));
    }
    for (WorkerManager.Correction.Action a : WorkerManager.Correction.Action.values()) {
      corrections.put(a, Counter.builder("mtx_reconcile_corrections").description("Reconciliation corrections, by action")
          .tag("action", a.wireName()).register(registry));
    }
  }

  /** The answers a hook request usually gets, registered at start; any other status gets its series when it happens. */
  private static final List<String> HOOK_STATUSES = List.of("202", "400", "401", "405", "408", "413", "415", "500");

  private Counter hookRequests(String event, String status) {
    return Counter.builder("mtx_hook_requests").description("Hook requests received, by event type and HTTP status answered")
        .tag("event", event).tag("status", status).register(registry);
  }

  /** Counts one hook request for {@code type}, answered {@code status} (duplicates and rejections included). */
  public void hookRequest(HookEventType type, int status) {
    String s = String.valueOf(status);
    requests.computeIfAbsent(type.wireName() + s, k -> hookRequests(type.wireName(), s)).increment();
  }

  /** Adds gauges of {@code workers}' states and observes its lifecycle. */
  public OrchestratorMetrics track(WorkerManager workers) {
    for (WorkerState state : WorkerState.values()) {
      Gauge.builder("mtx_workers", workers, w -> w.workersByState().get(state)).description("Streams by worker state")
          .tag("state", state.wireName()).register(registry);
    }
    workers.observe(this);
    return this;
  }

  public void register(Javalin app) {
    for (HookEventType t : HookEventType.values()) {
      // after the exception handlers: a rejected request is counted with the status it was answered
      app.after(t.endpointPath(), ctx -> hookRequest(t, ctx.statusCode()));
    }
    app.get(PATH, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
  }

  /** Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void onEvent(HookEvent event) {
    events.get(event.type()).increment();
  }

  @Override
  public void workerStarted(Duration sinceReady) {
    if (sinceReady != null) {
      hookToWorkerStart.record(sinceReady);
    }
  }

  @Override
  public void workerExited(WorkerResult result) {
    exits.get(result.outcome()).increment();
  }

  @Override
  public void workerLaunchFailed() {
    launchFailures.increment();
  }

  @Override
  public void workerRestarted() {
    restarts.increment();
  }

  @Override
  public void workerLimitReached() {
    limitRefusals.increment();
  }

  @Override
  public void streamFailed() {
    failures.increment();
  }

  @Override
  public void gracePeriodStop() {
    graceStops.increment();
  }

  @Override
  public void staleEventIgnored() {
    staleEvents.increment();
  }

  @Override
  public void reconciled(WorkerManager.Correction.Action action) {
    corrections.get(action).increment();
  }
}
