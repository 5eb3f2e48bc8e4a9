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
import io.mtxtoolkit.worker.WorkerState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The orchestrator's own metrics in Prometheus format at {@code GET /metrics} (Micrometer): hook events by
 * type, hook-to-worker-start latency, workers by state, worker exits, restarts, failed streams and
 * grace-period stops.
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

  public OrchestratorMetrics() {
    for (HookEventType t : HookEventType.values()) {
      events.put(t, Counter.builder("mtx_hook_events").description("Hook events accepted, by type")
          .tag("event", t.wireName()).register(registry));
    }
    hookToWorkerStart = Timer.builder("mtx_hook_to_worker_start").description("From a ready event to its worker's launch")
        .publishPercentiles(0.5, 0.95, 0.99).register(registry);
    restarts = Counter.builder("mtx_worker_restarts").description("Workers restarted after exiting on their own").register(registry);
    failures = Counter.builder("mtx_stream_failures").description("Streams marked failed after too many restarts").register(registry);
    graceStops = Counter.builder("mtx_grace_period_stops").description("Workers stopped when a grace period ran out").register(registry);
    staleEvents = Counter.builder("mtx_stale_events").description("Hook events dropped: older than one already applied to their stream")
        .register(registry);
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
  public void workerExited(int exitCode) {
    registry.counter("mtx_worker_exits", "code", String.valueOf(exitCode)).increment();
  }

  @Override
  public void workerRestarted() {
    restarts.increment();
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
  public void reconciled(String action) {
    registry.counter("mtx_reconcile_corrections", "action", action).increment();
  }
}
