package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.PrometheusText;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.OrchestratorMain;
import io.mtxtoolkit.orchestrator.metrics.OrchestratorMetrics;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The orchestrator's metrics follow events and the worker lifecycle, and are served at /metrics. */
class LifecycleMetricsTest {
  /** 50 ms grace, restarts after 10 then 20 ms: the lifecycle runs through in well under a second. */
  private static LifecyclePolicy fastPolicy(int maxRestarts) {
    return new LifecyclePolicy(Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(20), maxRestarts);
  }

  /** A manager with stand-in workers, its metrics tracking it; closing it closes the manager. */
  private record Rig(WorkerManagerTest.Launcher launcher, WorkerManager manager, OrchestratorMetrics metrics)
      implements AutoCloseable {
    static Rig withRestarts(int maxRestarts) {
      WorkerManagerTest.Launcher launcher = new WorkerManagerTest.Launcher();
      WorkerManager manager = new WorkerManager(launcher, fastPolicy(maxRestarts), Clock.systemUTC());
      return new Rig(launcher, manager, new OrchestratorMetrics().track(manager));
    }

    @Override
    public void close() {
      manager.close();
    }
  }

  @Test
  void lifecycleAndEventsShowInTheExposition() {
    try (Rig rig = Rig.withRestarts(0)) {
      rig.metrics().onEvent(HookEvent.create(HookEventType.READY, StreamPath.parse("live/a/in"), "", "", "", Instant.now()));
      rig.manager().ready(StreamId.of("a"));
      rig.manager().notReady(StreamId.of("a"));
      await().atMost(Duration.ofSeconds(3)).until(() -> rig.launcher().launched.get(0).stopAsked);
      rig.manager().ready(StreamId.of("b"));
      rig.launcher().launched.get(1).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "lost"));
      await().atMost(Duration.ofSeconds(3))
          .until(() -> rig.manager().stream(StreamId.of("b")).orElseThrow().workerState().equals("failed"));
      var samples = PrometheusText.parse(rig.metrics().scrape());
      assertThat(PrometheusText.value(samples, "mtx_hook_events_total", Map.of("event", "ready"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_grace_period_stops_total", Map.of())).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_stream_failures_total", Map.of())).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_exits_total", Map.of("outcome", "source-lost"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_exits_total", Map.of("outcome", "stopped"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_exits_total", Map.of("outcome", "crashed")))
          .as("every outcome's series is there from the start").hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_reconcile_corrections_total", Map.of("action", "retry-failed"))).hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_launch_failures_total", Map.of())).hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_limit_refusals_total", Map.of())).hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_workers", Map.of("state", "failed"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_hook_to_worker_start_seconds_count", Map.of())).hasValue(2.0);
      assertThat(PrometheusText.value(samples, "mtx_hook_to_worker_start_seconds_bucket", Map.of("le", "+Inf"))).hasValue(2.0);
    }
  }

  @Test
  void restartsStaleEventsAndReconcilerCorrectionsAreCounted() {
    try (Rig rig = Rig.withRestarts(3)) {
      rig.manager().ready(StreamId.of("r"));
      rig.launcher().launched.get(0).exit.complete(WorkerResult.crashed("killed"));
      await().atMost(Duration.ofSeconds(3)).until(() -> rig.launcher().launched.size() == 2);
      rig.launcher().launchesToFail.set(1);
      rig.manager().ready(StreamId.of("f"));
      await("the failed launch retried").atMost(Duration.ofSeconds(3)).until(() -> rig.launcher().launched.size() == 3);

      Instant now = Instant.now();
      rig.manager().onEvent(HookEvent.create(HookEventType.READY, StreamPath.parse("live/s/in"), "", "", "", now));
      rig.manager().onEvent(HookEvent.create(HookEventType.NOT_READY, StreamPath.parse("live/s/in"), "", "", "", now.minusSeconds(10)));
      assertThat(rig.manager().stream(StreamId.of("s")).orElseThrow().ready()).as("the stale not-ready changed nothing").isTrue();

      assertThat(rig.manager().reconcile(java.util.Set.of(StreamId.of("r"), StreamId.of("s"), StreamId.of("t"), StreamId.of("f")), rig.manager().snapshotTime()))
          .containsExactly(new WorkerManager.Correction(StreamId.of("t"), WorkerManager.Correction.Action.START));
      assertThat(rig.manager().reconcile(java.util.Set.of(StreamId.of("r"), StreamId.of("t"), StreamId.of("f")), rig.manager().snapshotTime()))
          .containsExactly(new WorkerManager.Correction(StreamId.of("s"), WorkerManager.Correction.Action.STOP));

      var samples = PrometheusText.parse(rig.metrics().scrape());
      assertThat(PrometheusText.value(samples, "mtx_worker_restarts_total", Map.of())).as("r's and f's").hasValue(2.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_exits_total", Map.of("outcome", "crashed")))
          .as("told apart from the worker's verdict on the media, although both are exit code 5").hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_exits_total", Map.of("outcome", "media-error"))).hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_worker_launch_failures_total", Map.of())).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_stale_events_total", Map.of())).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_reconcile_corrections_total", Map.of("action", "start"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_reconcile_corrections_total", Map.of("action", "stop"))).hasValue(1.0);
    }
  }

  @Test
  void servedAtMetricsByTheOrchestrator() throws Exception {
    int port = FreePorts.tcp();
    CountDownLatch up = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> OrchestratorMain.run(
        new String[] {"--port", String.valueOf(port), "--host", "127.0.0.1", "--worker-mode", "thread"}, Map.of(),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), server -> {
          up.countDown();
          try {
            done.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
    try {
      await("the orchestrator serving, or run() ending early").atMost(Duration.ofSeconds(30))
          .until(() -> up.getCount() == 0 || code.isDone());
      assertThat(code).as("run() ended before serving").isNotDone();
      Http.Reply reply = Http.get("http://127.0.0.1:" + port + "/metrics");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.contentType()).startsWith("text/plain");
      assertThat(reply.body()).contains("mtx_hook_events_total{event=\"ready\"} 0.0", "mtx_workers{state=\"running\"} 0.0");
      assertThat(Http.get("http://127.0.0.1:" + port + "/v1/streams").body()).startsWith("{\"streams\":[],\"mediamtx\":\"unreachable");

      String ready = "http://127.0.0.1:" + port + HookEventType.READY.endpointPath();
      String event = new String(io.mtxtoolkit.core.hook.HookEventJson.write(
          HookEvent.create(HookEventType.READY, StreamPath.parse("live/m/in"), "", "rtmpConn", "c1", Instant.now())),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(Http.post(ready, "application/json", event).status()).isEqualTo(202);
      assertThat(Http.post(ready, "application/json", event).status()).as("a duplicate").isEqualTo(202);
      assertThat(Http.post(ready, "application/json", "{").status()).isEqualTo(400);
      var samples = PrometheusText.parse(Http.get("http://127.0.0.1:" + port + "/metrics").body());
      assertThat(PrometheusText.value(samples, "mtx_hook_requests_total", Map.of("event", "ready", "status", "202")))
          .as("every request received, the duplicate too").hasValue(2.0);
      assertThat(PrometheusText.value(samples, "mtx_hook_requests_total", Map.of("event", "ready", "status", "400"))).hasValue(1.0);
      assertThat(PrometheusText.value(samples, "mtx_hook_requests_total", Map.of("event", "not-ready", "status", "413"))).hasValue(0.0);
      assertThat(PrometheusText.value(samples, "mtx_hook_events_total", Map.of("event", "ready"))).as("applied once").hasValue(1.0);
    } finally {
      done.countDown();
    }
    assertThat(code.get(30, TimeUnit.SECONDS)).as("exit code after whileRunning returned").isZero();
  }
}
