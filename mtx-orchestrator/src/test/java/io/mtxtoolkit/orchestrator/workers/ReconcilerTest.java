package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.orchestrator.OrchestratorServer;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation against MediaMTX's Control API, answered here in its documented JSON shape: missed
 * readys start workers, missed not-readys stop them, an unreachable API changes nothing. The convergence
 * tests on real MediaMTX (orchestrator down while publishing, …) belong to issue #9.
 */
class ReconcilerTest {
  private final AtomicReference<String> readyPaths = new AtomicReference<>("");
  private final PathsListStub api = PathsListStub.start().items(() -> {
    java.util.List<String> items = new java.util.ArrayList<>();
    for (String name : readyPaths.get().split(",")) {
      if (!name.isBlank()) {
        items.add("{\"name\":\"" + name + "\",\"ready\":true}");
      }
    }
    items.add("{\"name\":\"live/notready/in\",\"ready\":false}");
    return items;
  });
  private final WorkerManagerTest.Launcher launcher = new WorkerManagerTest.Launcher();
  private final WorkerManager manager = new WorkerManager(launcher,
      new LifecyclePolicy(Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofMillis(20), 2), Clock.systemUTC());

  @AfterEach
  void stop() {
    manager.close();
    api.close();
  }

  private Reconciler reconciler() {
    return new Reconciler(new MediaMtxApiClient(api.url()), manager);
  }

  @Test
  void startsWorkersForReadyPathsItMissedAndStopsWorkersWhosePathIsGone() {
    readyPaths.set("live/a/in,live/a/out,other/path,live/b/in");
    Reconciler r = reconciler();
    assertThat(r.reconcile()).isEqualTo(2);
    assertThat(launcher.launched).hasSize(2);
    assertThat(r.reconcile()).as("converged: nothing more to do").isZero();

    readyPaths.set("live/b/in");
    assertThat(r.reconcile()).isEqualTo(1);
    await("a's worker stopped after the grace period").atMost(Duration.ofSeconds(3))
        .until(() -> manager.stream(StreamId.of("a")).orElseThrow().workerState().equals("stopped"));
    assertThat(manager.stream(StreamId.of("b")).orElseThrow().ready()).isTrue();
    assertThat(manager.liveWorkers()).isEqualTo(1);
  }

  @Test
  void aReadyIngestPathWithAnInvalidIdIsWarnedAboutOnce() {
    readyPaths.set("live/cam.1/in,live/a/b/in,other/path,live/ok/in");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Reconciler.class);
    logger.addAppender(lines);
    try {
      Reconciler r = reconciler();
      assertThat(r.reconcile()).as("the valid one starts").isEqualTo(1);
      r.reconcile();
    } finally {
      logger.detachAppender(lines);
    }
    assertThat(lines.list).filteredOn(l -> l.getFormattedMessage().contains("not a pipeline path"))
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .as("once per path, across passes; other/path is not meant as one")
        .hasSize(2).anySatisfy(m -> assertThat(m).startsWith("live/cam.1/in is ready").contains("'.'"))
        .anySatisfy(m -> assertThat(m).startsWith("live/a/b/in is ready"));
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void aStartedWorkerLearnsThePublisherMediaMtxListsNotTheOneOfAnEarlierPublish() {
    manager.onEvent(io.mtxtoolkit.core.hook.HookEvent.create(io.mtxtoolkit.core.hook.HookEventType.READY,
        io.mtxtoolkit.core.path.StreamPath.parse("live/a/in"), "", "rtmpConn", "old-conn", java.time.Instant.now()));
    manager.notReady(StreamId.of("a"));
    await("stopped after the grace period").atMost(Duration.ofSeconds(3))
        .until(() -> manager.stream(StreamId.of("a")).orElseThrow().workerState().equals("stopped"));
    // The publisher came back, but its ready event was lost: only the list tells.
    PathsListStub listed = PathsListStub.start().items(
        "{\"name\":\"live/a/in\",\"ready\":true,\"source\":{\"type\":\"rtmpConn\",\"id\":\"new-conn\"}}");
    try {
      assertThat(new Reconciler(new MediaMtxApiClient(listed.url()), manager).reconcile()).isEqualTo(1);
    } finally {
      listed.close();
    }
    assertThat(manager.sourceId(StreamId.of("a"))).isEqualTo("new-conn");
    assertThat(launcher.sourceIds).as("the new worker is started for the new publisher").containsExactly("old-conn", "new-conn");
  }

  /**
   * MediaMTX pages each list request afresh: a path that goes between two page requests moves the next page's
   * first path onto the page already read, and the list misses it. A stream the list would stop is asked for
   * by name first.
   */
  @Test
  void aStreamMissingFromTheListButReadyByNameKeepsItsWorker() {
    readyPaths.set("live/a/in,live/b/in");
    Reconciler r = reconciler();
    assertThat(r.reconcile()).isEqualTo(2);
    api.byName(() -> java.util.List.of("{\"name\":\"live/a/in\",\"ready\":true}"));
    readyPaths.set("live/b/in"); // the list misses a; asked by name, it is ready

    assertThat(r.reconcile()).as("nothing to correct").isZero();
    assertThat(manager.isReady(StreamId.of("a"))).isTrue();

    api.byName(java.util.List::of); // now a is gone indeed
    assertThat(r.reconcile()).isEqualTo(1);
    assertThat(manager.isReady(StreamId.of("a"))).isFalse();
  }

  @Test
  void anUnreachableApiChangesNothing() {
    manager.ready(StreamId.of("a"));
    Reconciler r = new Reconciler(new MediaMtxApiClient("http://127.0.0.1:" + FreePorts.tcp()), manager);
    assertThat(r.reconcile()).isEqualTo(-1);
    assertThat(manager.isReady(StreamId.of("a"))).isTrue();
    assertThat(manager.liveWorkers()).isEqualTo(1);
  }

  @Test
  void anApiThatStaysAwayIsOneWarningAndItsReturnOneLine() throws Exception {
    Reconciler r = reconciler();
    var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during(Reconciler.class, () -> {
      api.fail(503);
      for (int pass = 0; pass < 3; pass++) {
        assertThat(r.reconcile()).isEqualTo(-1);
      }
      api.items(); // answering again
      assertThat(r.reconcile()).isZero();
      assertThat(r.reconcile()).isZero();
    });
    assertThat(lines).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("reconciliation skipped"));
    assertThat(lines).filteredOn(e -> e.getFormattedMessage().startsWith("reconciliation resumed")).hasSize(1);
  }

  @Test
  void periodicPassesConverge() {
    readyPaths.set("live/late/in");
    try (Reconciler r = reconciler().start(Duration.ofMillis(50))) {
      await("worker started by reconciliation").atMost(Duration.ofSeconds(3)).until(() -> launcher.launched.size() == 1);
    }
  }

  /** At shutdown the schedule is halted before the workers are closed: no pass starts after it. */
  @Test
  void aHaltedScheduleStartsNoPass() {
    readyPaths.set("live/late/in");
    try (Reconciler r = reconciler().start(Duration.ofMillis(50))) {
      await("worker started by reconciliation").atMost(Duration.ofSeconds(3)).until(() -> launcher.launched.size() == 1);
      r.halt();
      readyPaths.set("live/later/in"); // a pass would start its worker
      await("no pass after the halt").during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
          .until(() -> launcher.launched.size() == 1);
    }
  }

  @Test
  void aRepeatedEventIsAppliedOnce() {
    OrchestratorServer server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        manager, Clock.systemUTC());
    int port = server.start();
    try {
      String url = "http://127.0.0.1:" + port + "/v1/mediamtx/events/";
      String ready = "{\"eventId\":\"5f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\",\"path\":\"live/dup/in\"}";
      assertThat(Http.post(url + "ready", "application/json", ready).body()).doesNotContain("duplicate");
      Http.Reply again = Http.post(url + "ready", "application/json", ready);
      assertThat(again.status()).isEqualTo(202);
      assertThat(again.body()).contains("\"duplicate\":true");
      assertThat(server.events().total()).isEqualTo(1);
      Http.post(url + "not-ready", "application/json", "{\"eventId\":\"6f3a9b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\",\"path\":\"live/dup/in\"}");
      assertThat(Http.post(url + "ready", "application/json", ready).body()).as("an old ready replayed").contains("duplicate");
      assertThat(manager.isReady(StreamId.of("dup"))).isFalse();
      assertThat(launcher.launched).hasSize(1);
    } finally {
      server.stop();
    }
  }
}
