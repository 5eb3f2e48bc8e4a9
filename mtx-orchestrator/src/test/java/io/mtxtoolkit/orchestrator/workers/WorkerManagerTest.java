package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.testkit.logging.CapturedLines;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import io.mtxtoolkit.worker.WorkerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle rules with a launcher whose workers the test ends by hand: one worker per stream, the grace
 * period, restarts with backoff, failure after too many. Real workers are covered by WorkerLifecycleIT.
 */
public class WorkerManagerTest { // public: other packages' tests borrow its Launcher
  private static final StreamId ID = StreamId.of("cam1");

  /** A worker the test controls. */
  public static final class Handle implements RunningWorker {
    final CompletableFuture<WorkerResult> exit = new CompletableFuture<>();
    final Consumer<WorkerState> onState;
    final int number;
    volatile boolean stopAsked;
    volatile boolean ignoresStop;
    volatile boolean killAsked;
    volatile long stopAskedNanos;
    volatile long killAskedNanos;
    volatile java.util.OptionalLong lag = java.util.OptionalLong.empty();
    final List<String> publishers = new CopyOnWriteArrayList<>();
    final List<Boolean> readiness = new CopyOnWriteArrayList<>();

    Handle(Consumer<WorkerState> onState, int number) {
      this.onState = onState;
      this.number = number;
    }

    @Override
    public void stop() {
      stopAskedNanos = System.nanoTime();
      stopAsked = true;
      if (!ignoresStop) {
        exit.complete(new WorkerResult(WorkerExit.STOPPED, "stopped on request"));
      }
    }

    @Override
    public void kill() {
      killAskedNanos = System.nanoTime();
      killAsked = true;
      exit.complete(WorkerResult.crashed("killed"));
    }

    @Override
    public CompletableFuture<WorkerResult> exit() {
      return exit;
    }

    @Override
    public void publisherChanged(String sourceId) {
      publishers.add(sourceId);
    }

    @Override
    public void publisherReady(boolean ready) {
      readiness.add(ready);
    }

    @Override
    public String handle() {
      return "test " + number;
    }

    @Override
    public java.util.OptionalLong outputLagMillis() {
      return lag;
    }
  }

  @Test
  void aStoppedWorkerIsKilledOnlyAfterItsOwnStopBudget() {
    Duration budget = io.mtxtoolkit.worker.StreamWorker.stopBudget(io.mtxtoolkit.worker.WorkerConfig.DEFAULT_STALL_TIMEOUT);

    assertThat(WorkerManager.STOP_TIMEOUT).as("a kill must not cut a close the worker is still allowed")
        .isGreaterThanOrEqualTo(budget.plusSeconds(1));
  }

  /** The worker hears of its stream's not-ready (and of a ready within the grace period), to say why its source went. */
  @Test
  void theWorkerIsToldWhenItsPublisherLeavesAndComesBack() {
    manager.ready(ID);
    Handle worker = launcher.launched.get(0);
    assertThat(worker.readiness).as("a worker starts for a ready stream: nothing to tell").isEmpty();
    manager.notReady(ID);
    manager.ready(ID);
    assertThat(worker.readiness).containsExactly(false, true);

    manager.notReady(ID); // the 300 ms grace period runs out: a publisher back later gets a new worker
    await("stopped after the grace period").atMost(Duration.ofSeconds(5)).until(() -> worker.stopAsked);
    manager.ready(ID);
    await("a new worker").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.size() == 2);
    assertThat(launcher.launched.get(1).readiness).as("a new worker's stream is ready: nothing to tell").isEmpty();
  }

  @Test
  void theViewShowsTheRunningWorkersOutputLag() {
    manager.ready(ID);
    assertThat(manager.stream(ID).orElseThrow().outLagMs()).as("not publishing yet").isNull();
    launcher.launched.get(0).lag = java.util.OptionalLong.of(140);
    assertThat(manager.stream(ID).orElseThrow().outLagMs()).isEqualTo(140L);
    launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.STOPPED, "stopped"));
    manager.notReady(ID);
    org.awaitility.Awaitility.await("the exit handled").atMost(Duration.ofSeconds(2))
        .until(() -> manager.stream(ID).orElseThrow().lastExitCode() != null);
    assertThat(manager.stream(ID).orElseThrow().outLagMs()).as("no worker, no lag").isNull();
  }

  public static final class Launcher implements WorkerLauncher {
    final List<Handle> launched = new CopyOnWriteArrayList<>();
    final AtomicInteger counter = new AtomicInteger();
    final AtomicInteger launchesToFail = new AtomicInteger();
    final List<String> sourceIds = new CopyOnWriteArrayList<>();
    volatile boolean workersIgnoreStop;

    @Override
    public LaunchMode mode() {
      return LaunchMode.THREAD;
    }

    @Override
    public RunningWorker launch(StreamId id, String sourceId, Consumer<WorkerState> onState) {
      sourceIds.add(sourceId);
      if (launchesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new OutOfMemoryError("unable to create native thread");
      }
      Handle h = new Handle(onState, counter.incrementAndGet());
      h.ignoresStop = workersIgnoreStop;
      launched.add(h);
      return h;
    }

    long alive() {
      return launched.stream().filter(h -> !h.exit.isDone()).count();
    }
  }

  private final Launcher launcher = new Launcher();
  private WorkerManager manager = new WorkerManager(launcher,
      new LifecyclePolicy(Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(80), 2), Clock.systemUTC());

  @AfterEach
  void close() {
    manager.close();
  }

  /** For a test that needs other timings: the default manager is closed first, or its scheduler would outlive the test. */
  private void replaceManager(WorkerManager replacement) {
    manager.close();
    manager = replacement;
  }

  private static HookEvent event(HookEventType type) {
    return HookEvent.create(type, StreamPath.in(ID), "", "rtmpConn", "c1", Instant.now());
  }

  private static HookEvent event(HookEventType type, Instant at) {
    return HookEvent.create(type, StreamPath.in(ID), "", "rtmpConn", "c1", at);
  }

  @Test
  void aReadyOlderThanTheAppliedNotReadyIsIgnored() {
    Instant t = Instant.now().minusSeconds(10); // stamps later than now are taken as now
    List<String> stale = new CopyOnWriteArrayList<>();
    manager.observe(new LifecycleObserver() {
      @Override
      public void staleEventIgnored() {
        stale.add("stale");
      }
    });
    manager.onEvent(event(HookEventType.READY, t));
    manager.onEvent(event(HookEventType.NOT_READY, t.plusMillis(400)));
    manager.onEvent(event(HookEventType.READY, t.plusMillis(250))); // the first publish's hook, delivered late
    assertThat(stale).hasSize(1);
    assertThat(manager.stream(ID).orElseThrow().ready()).as("the stream stays not-ready").isFalse();
    await("stop after grace").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.get(0).stopAsked);
    assertThat(launcher.launched).hasSize(1);

    manager.onEvent(event(HookEventType.READY, t.plusMillis(400).minus(WorkerManager.STALE_MARGIN))); // within the margin
    assertThat(stale).as("events closer than the margin apply in arrival order").hasSize(1);
    assertThat(manager.stream(ID).orElseThrow().ready()).isTrue();
  }

  @Test
  void anEventLetInByTheMarginDoesNotLowerTheBarForTheNext() {
    Instant t = Instant.now().minusSeconds(10);
    manager.onEvent(event(HookEventType.NOT_READY, t.plusMillis(1000)));
    manager.onEvent(event(HookEventType.READY, t.plusMillis(920))); // 80 ms older, within the margin: applied
    assertThat(manager.stream(ID).orElseThrow().ready()).isTrue();

    manager.onEvent(event(HookEventType.NOT_READY, t.plusMillis(850))); // 150 ms older than the not-ready applied

    assertThat(manager.stream(ID).orElseThrow().ready()).as("dropped: more than the margin older than the newest applied")
        .isTrue();
  }

  @Test
  void readyStartsOneWorkerHoweverOftenItRepeats() {
    for (int i = 0; i < 5; i++) {
      manager.onEvent(event(HookEventType.READY));
    }
    assertThat(launcher.launched).hasSize(1);
    launcher.launched.get(0).onState.accept(WorkerState.RUNNING);
    StreamView view = manager.stream(ID).orElseThrow();
    assertThat(view.workerState()).isEqualTo("running");
    assertThat(view.worker()).isEqualTo("test 1");
    assertThat(view.inputPath()).isEqualTo("live/cam1/in");
    assertThat(view.outputPath()).isEqualTo("live/cam1/out");
    assertThat(view.launchMode()).isEqualTo("thread");
    assertThat(view.startedAt()).isNotNull();
    assertThat(manager.liveWorkers()).isEqualTo(1);
  }

  @Test
  void notReadyStopsAfterTheGracePeriod() {
    manager.ready(ID);
    Handle worker = launcher.launched.get(0);
    long start = System.nanoTime();
    manager.onEvent(event(HookEventType.NOT_READY));
    assertThat(worker.stopAsked).isFalse();
    await("stop after grace").atMost(Duration.ofSeconds(5)).until(() -> worker.stopAsked);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    await().atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().workerState().equals("stopped"));
    assertThat(manager.stream(ID).orElseThrow().lastExitCode()).isZero();
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void aGraceTimerThatFiredWhileAReadyHeldTheLockLeavesTheNextGracePeriodWhole() {
    manager.ready(ID);
    Handle worker = launcher.launched.get(0);
    manager.notReady(ID);
    long rescheduled;
    synchronized (manager) {
      await("the 300 ms grace timer fired and waits for the manager's lock").atMost(Duration.ofSeconds(5))
          .until(() -> Thread.getAllStackTraces().keySet().stream()
              .anyMatch(t -> t.getName().equals("worker-lifecycle") && t.getState() == Thread.State.BLOCKED));
      manager.ready(ID); // cancels the grace period: too late for its timer, which already runs
      manager.notReady(ID); // a new one, 300 ms from now
      rescheduled = System.nanoTime();
    }
    await("the new grace period stops the worker").atMost(Duration.ofSeconds(5)).until(() -> worker.stopAsked);
    assertThat(Duration.ofNanos(worker.stopAskedNanos - rescheduled)).as("the old timer did not act for the new one")
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void readyWithinTheGracePeriodKeepsTheSameWorker() {
    manager.ready(ID);
    manager.notReady(ID);
    manager.ready(ID);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !launcher.launched.get(0).stopAsked);
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void churnNeverRunsTwoWorkersForOneId() {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(10), 2),
        Clock.systemUTC()));
    for (int i = 0; i < 50; i++) {
      manager.ready(ID);
      assertThat(launcher.alive()).isLessThanOrEqualTo(1);
      manager.notReady(ID);
      assertThat(launcher.alive()).isLessThanOrEqualTo(1);
    }
    manager.ready(ID);
    await().atMost(Duration.ofSeconds(2)).until(() -> launcher.alive() == 1);
  }

  @Test
  void aWorkerThatDiesIsRestartedWithBackoffThenTheStreamFails() {
    manager.ready(ID);
    for (int i = 0; i < 3; i++) {
      int n = i + 1;
      await("launch " + n).atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == n);
      launcher.launched.get(i).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "source lost #" + n));
    }
    await("stream failed").atMost(Duration.ofSeconds(2))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
    StreamView view = manager.stream(ID).orElseThrow();
    assertThat(view.restarts()).isEqualTo(2);
    assertThat(view.lastExitCode()).isEqualTo(4);
    assertThat(view.failedReason()).contains("3 times in a row").contains("source lost #3");
    assertThat(launcher.launched).hasSize(3);
    manager.ready(ID);
    assertThat(launcher.launched).as("a new ready tries again").hasSize(4);
  }

  @Test
  void aWorkersOwnMediaErrorFailsTheStreamAtOnceAndANewReadyTriesAgain() {
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.MEDIA_ERROR, "input carries vp8, which RTMP (FLV) cannot carry"));
    await("stream failed").atMost(Duration.ofSeconds(2))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
    StreamView view = manager.stream(ID).orElseThrow();
    assertThat(view.restarts()).as("no futile restarts").isZero();
    assertThat(view.lastExitCode()).isEqualTo(5);
    assertThat(view.failedReason()).contains("cannot process this stream", "vp8");
    manager.ready(ID);
    assertThat(launcher.launched).as("the publisher came back: try again").hasSize(2);
  }

  @Test
  void aCrashedWorkerIsRestarted() {
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("worker process died with exit code 134 (signal 6)"));
    await("restarted").atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 2);
    assertThat(manager.stream(ID).orElseThrow().restarts()).isEqualTo(1);
  }

  @Test
  void aWorkerThatRanForTheHealthyRunIsRestartedWithoutCountingAsAFailure() {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(300), Duration.ofMillis(20),
        Duration.ofMillis(80), 2).withHealthyRun(Duration.ZERO), Clock.systemUTC()));
    manager.ready(ID);
    endAfterRunning(5, new WorkerResult(WorkerExit.SOURCE_LOST, "lost after running"), () -> { });
    await().atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 6);
    assertThat(manager.stream(ID).orElseThrow().restarts()).isEqualTo(5);
    assertThat(manager.stream(ID).orElseThrow().failedReason()).isNull();
  }

  @Test
  void aWorkerThatKeepsDyingSoonAfterRunningStillEndsFailed() {
    manager.ready(ID); // the default healthy run: 30 s
    endAfterRunning(3, WorkerResult.crashed("died after its first packets"), () -> { });
    await("stream failed").atMost(Duration.ofSeconds(2))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
    assertThat(manager.stream(ID).orElseThrow().failedReason()).contains("3 times in a row");
  }

  @Test
  void aWallClockSetForwardDoesNotMakeAShortRunHealthy() {
    HandClock clock = new HandClock();
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(300), Duration.ofMillis(20),
        Duration.ofMillis(80), 2), clock)); // healthy run: 30 s
    manager.ready(ID);
    // NTP steps the wall clock while each worker runs for moments
    endAfterRunning(3, WorkerResult.crashed("died after its first packets"), () -> clock.advance(Duration.ofHours(1)));
    await("stream failed").atMost(Duration.ofSeconds(5))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
  }

  /** {@code times} workers in turn, each reaching RUNNING, then {@code meanwhile}, then ending with {@code end}. */
  private void endAfterRunning(int times, WorkerResult end, Runnable meanwhile) {
    for (int i = 0; i < times; i++) {
      int n = i + 1;
      await("launch " + n).atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == n);
      Handle h = launcher.launched.get(i);
      h.onState.accept(WorkerState.RUNNING);
      meanwhile.run();
      h.exit.complete(end);
    }
  }

  @Test
  void eventsForNewStreamsPastTheStreamLimitAreRefusedUntilIdleOnesAreForgotten() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    LifecyclePolicy policy = new LifecyclePolicy(Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(80), 2)
        .withMaxWorkers(2);
    replaceManager(new WorkerManager(launcher, policy, Clock.systemUTC(), nanos::get));
    int limit = policy.maxStreams();
    assertThat(limit).as("10 per worker slot, at least 1000").isEqualTo(1000);
    manager.onEvent(limitEvent(HookEventType.READY, "running"));
    manager.onEvent(limitEvent(HookEventType.READY, "failed"));
    launcher.launched.get(1).exit.complete(new WorkerResult(WorkerExit.MEDIA_ERROR, "no video or audio track"));
    manager.onEvent(limitEvent(HookEventType.READY, "running2"));
    manager.onEvent(limitEvent(HookEventType.READY, "waiting")); // both slots taken
    for (int i = 4; i < limit; i++) {
      manager.onEvent(limitEvent(HookEventType.NOT_READY, "gone" + i));
    }
    HookEvent newcomer = limitEvent(HookEventType.READY, "new");

    assertThatThrownBy(() -> manager.onEvent(newcomer)).isInstanceOf(StreamLimitReached.class)
        .hasMessageContaining("1000 streams are tracked").hasMessageContaining("HOOK_SECRET");
    manager.onEvent(limitEvent(HookEventType.NOT_READY, "gone4")); // a known stream's events still apply
    assertThat(manager.stream(StreamId.of("new"))).isEmpty();

    nanos.addAndGet(WorkerManager.IDLE_RETENTION.toNanos() + 1); // the idle streams are idle long enough
    manager.onEvent(newcomer);
    assertThat(manager.stream(StreamId.of("new"))).isPresent();
    assertThat(manager.stream(StreamId.of("gone5"))).as("a stream past its not-ready is forgotten").isEmpty();
    assertThat(manager.stream(StreamId.of("failed"))).as("at the limit, a failed stream too, ready or not").isEmpty();
    for (String kept : new String[] {"running", "running2", "waiting"}) {
      assertThat(manager.stream(StreamId.of(kept))).as(kept).isPresent();
    }
  }

  private static HookEvent limitEvent(HookEventType type, String id) {
    return HookEvent.create(type, StreamPath.in(StreamId.of(id)), "", "rtmpConn", "c", Instant.now());
  }

  @Test
  void aLaunchThatThrowsIsRetriedWithBackoff() {
    launcher.launchesToFail.set(1);
    manager.ready(ID); // the caller (a hook request) sees no exception
    await("the retry launches").atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 1);
    StreamView view = manager.stream(ID).orElseThrow();
    assertThat(view.restarts()).isEqualTo(1);
    assertThat(view.lastExitReason()).contains("cannot launch the worker", "unable to create native thread");
    assertThat(manager.liveWorkers()).isEqualTo(1);
  }

  @Test
  void aLateStateReportFromAnEarlierWorkerIsIgnored() {
    manager.ready(ID);
    Handle first = launcher.launched.get(0);
    first.exit.complete(WorkerResult.crashed("died"));
    await().atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 2);
    launcher.launched.get(1).onState.accept(WorkerState.RUNNING);
    first.onState.accept(WorkerState.STOPPED); // e.g. its thread ended long after it was reported gone
    assertThat(manager.stream(ID).orElseThrow().workerState()).isEqualTo("running");
  }

  @Test
  void anEventStampedInTheFutureDoesNotHoldLaterEventsOff() {
    manager.onEvent(event(HookEventType.READY, Instant.now().plus(Duration.ofHours(1)))); // a clock that runs ahead
    manager.onEvent(event(HookEventType.NOT_READY, Instant.now()));
    assertThat(manager.stream(ID).orElseThrow().ready()).isFalse();
  }

  @Test
  void reconcileLeavesAStreamAnEventChangedAfterTheListAlone() {
    manager.ready(ID);
    long taken = manager.snapshotTime();
    manager.notReady(ID); // newer than the list, which still shows the stream ready
    assertThat(manager.reconcile(java.util.Set.of(ID), taken)).isEmpty();
    assertThat(manager.stream(ID).orElseThrow().ready()).isFalse();
    assertThat(manager.reconcile(java.util.Set.of(ID), manager.snapshotTime()))
        .extracting(WorkerManager.Correction::action).containsExactly(WorkerManager.Correction.Action.START);
    assertThat(manager.stream(ID).orElseThrow().ready()).isTrue();
  }

  @Test
  void aStreamIdleForTheRetentionIsForgotten() {
    StreamId other = StreamId.of("cam2");
    manager.ready(ID);
    manager.ready(other);
    manager.notReady(ID);
    await("stopped after grace").atMost(Duration.ofSeconds(5))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("stopped"));
    assertThat(manager.prune(System.nanoTime())).as("idle only just now").isZero();
    assertThat(manager.prune(System.nanoTime() + WorkerManager.IDLE_RETENTION.toNanos() + 1)).isEqualTo(1);
    assertThat(manager.streams()).extracting(StreamView::streamId).containsExactly("cam2");
  }

  @Test
  void theWorkerLearnsItsPublishersSourceId() {
    manager.onEvent(HookEvent.create(HookEventType.READY, StreamPath.in(ID), "", "rtmpConn", "2222c5b5", Instant.now()));
    assertThat(launcher.sourceIds).containsExactly("2222c5b5");
  }

  /** A clock the test moves by hand, for rules that compare instants exactly. */
  private static final class HandClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-24T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    /** This clock as a monotonic time, for a manager whose ages it should drive too. */
    long nanos() {
      return java.util.concurrent.TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** A worker whose stream went not-ready with no grace period, under a manager with {@code stopTimeout}. */
  private Handle stoppedAtOnce(Duration stopTimeout) {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(80), 2),
        Clock.systemUTC(), stopTimeout));
    manager.ready(ID);
    Handle worker = launcher.launched.get(0);
    manager.notReady(ID);
    return worker;
  }

  @Test
  void aWorkerThatIgnoresTheGracePeriodStopIsKilledAfterTheStopTimeout() {
    launcher.workersIgnoreStop = true;
    Handle stuck = stoppedAtOnce(Duration.ofMillis(300));
    await("killed after the stop timeout").atMost(Duration.ofSeconds(3)).until(() -> stuck.killAsked);
    assertThat(Duration.ofNanos(stuck.killAskedNanos - stuck.stopAskedNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    await().atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().workerState().equals("stopped"));
    assertThat(manager.stream(ID).orElseThrow().lastExitReason()).isEqualTo("killed");
  }

  @Test
  void aWorkerThatStopsInTimeIsNotKilled() {
    Handle worker = stoppedAtOnce(Duration.ofMillis(100));
    await("stopped").atMost(Duration.ofSeconds(2)).until(() -> worker.exit.isDone());
    await("past the stop timeout, no kill").during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> !worker.killAsked);
  }

  @Test
  void aReadyWhileTheWorkerStopsStartsItsReplacementOnlyOnceItHasExited() {
    launcher.workersIgnoreStop = true;
    Handle old = stoppedAtOnce(Duration.ofSeconds(30));
    await("stop asked").atMost(Duration.ofSeconds(2)).until(() -> old.stopAsked);

    manager.ready(ID);
    assertThat(launcher.launched).as("never two workers for one stream").hasSize(1);
    old.exit.complete(new WorkerResult(WorkerExit.STOPPED, "stopped on request"));

    await("the replacement").atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 2);
    assertThat(manager.liveWorkers()).isEqualTo(1);
    assertThat(manager.stream(ID).orElseThrow().workerState()).isEqualTo("starting");
  }

  @Test
  void aPublisherThatChangedUnseenIsNamedByTheStreamsNextWorker() {
    manager.onEvent(event(HookEventType.READY)); // publisher c1
    assertThat(launcher.sourceIds).containsExactly("c1");

    assertThat(manager.reconcile(java.util.Map.of(ID, "c2"), manager.snapshotTime())).as("no correction").isEmpty();
    assertThat(manager.sourceId(ID)).isEqualTo("c2");
    assertThat(launcher.launched.get(0).publishers).as("the running worker's lines name it from now on").containsExactly("c2");
    assertThat(manager.reconcile(java.util.Map.of(ID, ""), manager.snapshotTime())).as("a list naming nobody").isEmpty();
    assertThat(manager.sourceId(ID)).as("keeps the last name known").isEqualTo("c2");

    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("the restart").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.size() == 2);
    assertThat(launcher.sourceIds).containsExactly("c1", "c2");
  }

  /** A flood of readies for new ids: no more workers than the limit; a stream beyond it waits, marked failed. */
  @Test
  void noMoreWorkersThanTheLimitRun() throws Exception {
    limitedTo(2, Duration.ofMillis(20), 2);
    StreamId a = StreamId.of("a");
    StreamId c = StreamId.of("c");
    var lines = CapturedLines.during(WorkerManager.class, () -> {
      manager.ready(a);
      manager.ready(StreamId.of("b"));
      manager.ready(c);
    });

    assertThat(launcher.launched).hasSize(2);
    assertThat(manager.liveWorkers()).isEqualTo(2);
    assertThat(manager.stream(c).orElseThrow().failedReason()).startsWith("worker limit reached: waiting for one of the 2 worker slots");
    assertThat(manager.stream(c).orElseThrow().workerState()).as("waiting, not failed").isEqualTo("stopped");
    assertThat(lines).extracting(CapturedLines::arguments).filteredOn(args -> args.contains("event=worker-limit-reached"))
        .hasSize(1);
    assertThat(lines).extracting(CapturedLines::arguments).noneMatch(args -> args.contains("event=stream-failed"));
    var again = CapturedLines.during(WorkerManager.class, () -> manager.ready(c));
    assertThat(again).as("a repeated ready while waiting: no new line").isEmpty();

    manager.notReady(a); // a's publisher leaves: after the grace period its worker stops, and c takes its slot
    await("c started in a's slot").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.size() == 3);
    assertThat(manager.liveWorkers()).isEqualTo(2);
    assertThat(manager.stream(c).orElseThrow().failedReason()).isNull();
    assertThatThrownBy(() -> LifecyclePolicy.defaults().withMaxWorkers(0)).hasMessageContaining("1..10000");
  }

  /** A manager that runs at most {@code maxWorkers}, restarting after {@code restart}, {@code maxRestarts} times. */
  private void limitedTo(int maxWorkers, Duration restart, int maxRestarts) {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(300), restart, restart, maxRestarts)
        .withMaxWorkers(maxWorkers), Clock.systemUTC()));
  }

  /**
   * At a limit of one: {@link #ID}'s worker crashes (the next {@code launchesToFail} launches failing), and stream b,
   * ready while its restart waits, waits for the slot.
   */
  private StreamId waitingBehindARestart(int launchesToFail) {
    StreamId b = StreamId.of("b");
    manager.ready(ID);
    launcher.launchesToFail.set(launchesToFail);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("the exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.liveWorkers() == 0);
    manager.ready(b);
    assertThat(manager.stream(b).orElseThrow().failedReason()).as("the slot is the restart's").startsWith("worker limit reached");
    return b;
  }

  /** A restart waiting out its backoff holds its slot: a newcomer cannot take it and leave the restart refused. */
  @Test
  void aPendingRestartHoldsItsSlotAtTheLimit() {
    limitedTo(1, Duration.ofMillis(200), 3);
    StreamId b = waitingBehindARestart(0); // in 200 ms
    await("the restart").atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 2);
    assertThat(manager.stream(ID).orElseThrow().restarts()).isEqualTo(1);

    manager.notReady(ID);
    await("b starts in the freed slot").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.size() == 3);
  }

  /** A restart whose launch fails for good (the stream fails) hands its slot to the stream waiting for one. */
  @Test
  void aRestartThatFailsForGoodFreesItsSlotForTheWaitingStream() {
    limitedTo(1, Duration.ofMillis(800), 1);
    StreamId b = waitingBehindARestart(1); // the restart's launch, 800 ms after the exit, fails

    await("cam1 failed, b started").atMost(Duration.ofSeconds(5))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed") && launcher.launched.size() == 2);
    assertThat(manager.stream(b).orElseThrow().failedReason()).isNull();
  }

  /** A publisher back within the grace period under a new connection: the worker runs on, naming the new one. */
  @Test
  void aReadyNamingAnotherPublisherIsPassedToTheWorkerThatRunsOn() {
    manager.onEvent(event(HookEventType.READY)); // publisher c1
    Handle worker = launcher.launched.get(0);
    manager.onEvent(HookEvent.create(HookEventType.READY, StreamPath.in(ID), "", "rtmpConn", "c1", Instant.now()));
    assertThat(worker.publishers).as("the same publisher again: nothing to tell").isEmpty();

    manager.onEvent(HookEvent.create(HookEventType.READY, StreamPath.in(ID), "", "rtmpConn", "c9", Instant.now()));

    assertThat(launcher.launched).as("the worker runs on").hasSize(1);
    assertThat(worker.publishers).containsExactly("c9");
    assertThat(manager.sourceId(ID)).isEqualTo("c9");

    manager.onEvent(HookEvent.create(HookEventType.READY, StreamPath.in(ID), "", "rtmpConn", "", Instant.now()));
    assertThat(worker.publishers).as("a ready naming nobody keeps the name known").containsExactly("c9");
    assertThat(manager.sourceId(ID)).isEqualTo("c9");
  }

  @Test
  void aWorkerReportingRunningAfterItWasAskedToStopStaysStopping() {
    launcher.workersIgnoreStop = true;
    Handle worker = stoppedAtOnce(Duration.ofSeconds(30));
    await("stop asked").atMost(Duration.ofSeconds(2)).until(() -> worker.stopAsked);
    worker.onState.accept(WorkerState.RUNNING); // its loop had not seen the stop yet
    assertThat(manager.stream(ID).orElseThrow().workerState()).isEqualTo("stopping");
    worker.exit.complete(new WorkerResult(WorkerExit.STOPPED, "stopped on request"));
  }

  @Test
  void streamsAreListedInIdOrder() {
    List<String> ids = List.of("zulu", "cam10", "alpha", "Cam2", "cam1", "b_2", "b-1", "x", "mid", "cam9");
    ids.forEach(id -> manager.ready(StreamId.of(id)));
    assertThat(manager.streams()).extracting(StreamView::streamId).containsExactlyElementsOf(ids.stream().sorted().toList());
  }

  @Test
  void everyLaunchCountsAsAStartAndOnlyTheFirstHasATimeSinceReady() {
    List<Duration> starts = new CopyOnWriteArrayList<>();
    manager.observe(new LifecycleObserver() {
      @Override
      public void workerStarted(Duration sinceReady) {
        starts.add(sinceReady == null ? Duration.ofDays(-1) : sinceReady);
      }
    });
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("restarted").atMost(Duration.ofSeconds(2)).until(() -> starts.size() == 2);
    assertThat(starts.get(0)).isGreaterThanOrEqualTo(Duration.ZERO);
    assertThat(starts.get(1)).as("a restart follows no ready event").isEqualTo(Duration.ofDays(-1));
  }

  @Test
  void anUnaskedEndIsAWarningAndACancelledRestartAndTheShutdownAreSaid() throws Exception {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1), 2),
        Clock.systemUTC()));
    var lines = CapturedLines.during(WorkerManager.class, () -> {
      manager.ready(ID);
      launcher.launched.get(0).exit.complete(WorkerResult.crashed("killed"));
      await("the exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().lastExitCode() != null);
      manager.notReady(ID);
      manager.ready(StreamId.of("other"));
      manager.close();
    });
    var exited = CapturedLines.withEvent(lines, "worker-exited");
    assertThat(exited).hasSize(2);
    assertThat(exited.get(0).getLevel()).as("a crash").isEqualTo(ch.qos.logback.classic.Level.WARN);
    assertThat(exited.get(1).getLevel()).as("stopped by the shutdown").isEqualTo(ch.qos.logback.classic.Level.INFO);
    assertThat(CapturedLines.withEvent(lines, "worker-restart-cancelled")).hasSize(1);
    assertThat(CapturedLines.withEvent(lines, "shutdown-stopping")).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo("shutting down: stopping 1 workers"));
  }

  @Test
  void aSourceLostAfterItsNotReadyIsThePublisherLeavingNoWarning() throws Exception {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), 2),
        Clock.systemUTC()));
    var lines = CapturedLines.during(WorkerManager.class, () -> {
      manager.ready(ID);
      manager.notReady(ID); // the grace period runs; the worker notices the source gone first
      launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "source lost: 3 reconnect attempts failed"));
      await("the exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().lastExitCode() != null);
    });
    assertThat(CapturedLines.withEvent(lines, "worker-exited")).singleElement()
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO));
  }

  @Test
  void theTimeToAStartedWorkerCountsFromTheHooksStart() {
    Heard heard = heard(new LifecyclePolicy(Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(80), 2));
    manager.onEvent(event(HookEventType.READY, Instant.now().minusMillis(1500)));
    assertThat(heard.starts).hasSize(1);
    assertThat(heard.starts.get(0)).as("the hook's JVM start and its request are part of it")
        .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(30));
    manager.onEvent(HookEvent.create(HookEventType.READY, StreamPath.in(StreamId.of("late")), "", "rtmpConn", "c2",
        Instant.now().minus(Duration.ofHours(3))));
    assertThat(heard.starts.get(1)).as("a clock hours behind is timed from the receipt").isLessThan(Duration.ofSeconds(5));
  }

  /** What the metrics hear: only what happened (a started worker, a restart made, an exit of a worker that ran). */
  private static final class Heard implements LifecycleObserver {
    final List<Duration> starts = new CopyOnWriteArrayList<>();
    final List<Integer> exits = new CopyOnWriteArrayList<>();
    final List<WorkerManager.Correction.Action> reconciled = new CopyOnWriteArrayList<>();
    final AtomicInteger restarts = new AtomicInteger();

    @Override
    public void workerStarted(Duration sinceReady) {
      starts.add(sinceReady == null ? Duration.ofDays(-1) : sinceReady);
    }

    @Override
    public void workerExited(WorkerResult result) {
      exits.add(result.exit().code());
    }

    @Override
    public void workerRestarted() {
      restarts.incrementAndGet();
    }

    @Override
    public void reconciled(WorkerManager.Correction.Action action) {
      reconciled.add(action);
    }
  }

  /** A manager with {@code policy} (replacing the default one), observed by the returned {@link Heard}. */
  private Heard heard(LifecyclePolicy policy) {
    replaceManager(new WorkerManager(launcher, policy, Clock.systemUTC()));
    Heard heard = new Heard();
    manager.observe(heard);
    return heard;
  }

  @Test
  void aReadyThatKeepsTheWorkerStartsNoClockForALaterRestart() {
    Heard heard = heard(new LifecyclePolicy(Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(80), 2));
    manager.ready(ID);
    manager.notReady(ID);
    manager.ready(ID); // within the grace period: the worker is kept, nothing starts
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("restarted").atMost(Duration.ofSeconds(2)).until(() -> heard.starts.size() == 2);
    assertThat(heard.starts.get(1)).as("the restart is not timed from the ready that kept the worker")
        .isEqualTo(Duration.ofDays(-1));
    assertThat(heard.restarts).hasValue(1);
  }

  @Test
  void aRestartCancelledBeforeItHappenedIsNotCounted() {
    Heard heard = heard(new LifecyclePolicy(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(300), 2));
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    manager.notReady(ID); // before the 300 ms restart delay ran out
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 1);
    assertThat(heard.restarts).hasValue(0);
    assertThat(manager.stream(ID).orElseThrow().restarts()).isZero();
    assertThat(heard.exits).containsExactly(WorkerResult.crashed("died").exit().code());
  }

  @Test
  void aLaunchThatFailedCountsNoExitAndReconciliationNamesItsAction() {
    Heard heard = heard(new LifecyclePolicy(Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1), 2));
    launcher.launchesToFail.set(1);
    manager.ready(ID);
    assertThat(heard.exits).as("no worker ran, so none exited").isEmpty();
    assertThat(manager.reconcile(java.util.Set.of(ID, StreamId.of("cam2")), manager.snapshotTime()))
        .extracting(WorkerManager.Correction::action).containsExactly(WorkerManager.Correction.Action.START);
    assertThat(heard.reconciled).containsExactly(WorkerManager.Correction.Action.START);
    assertThat(heard.starts).as("reconciliation's start follows no hook").containsExactly(Duration.ofDays(-1));
  }

  @Test
  void aRunOfExactlyTheHealthyRunResetsTheFailureCount() {
    HandClock clock = new HandClock();
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(80), 0)
        .withHealthyRun(Duration.ofSeconds(30)), clock, clock::nanos));
    manager.ready(ID);
    Handle first = launcher.launched.get(0);
    first.onState.accept(WorkerState.RUNNING);
    clock.advance(Duration.ofSeconds(30));
    first.exit.complete(WorkerResult.crashed("died after 30 s"));
    await("restarted, not failed: no restarts are allowed after an unhealthy run").atMost(Duration.ofSeconds(2))
        .until(() -> launcher.launched.size() == 2);
    Handle second = launcher.launched.get(1);
    second.onState.accept(WorkerState.RUNNING);
    clock.advance(Duration.ofSeconds(30).minusMillis(1));
    second.exit.complete(WorkerResult.crashed("died 1 ms short of the healthy run"));
    await("failed").atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
  }

  @Test
  void aReadyWithinTheGracePeriodIsNewerThanAListTakenBeforeIt() {
    manager.ready(ID);
    manager.notReady(ID);
    long taken = manager.snapshotTime(); // MediaMTX listed the stream gone (the publisher had dropped)
    manager.ready(ID); // it came back within the grace period: same worker, no launch
    assertThat(manager.reconcile(java.util.Set.of(), taken)).as("the ready is newer than the list").isEmpty();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !launcher.launched.get(0).stopAsked);
  }

  @Test
  void aStoppedStreamIsKeptForTheRetentionCountedFromItsWorkersExit() {
    manager.ready(ID);
    manager.notReady(ID);
    long notReadyAt = System.nanoTime();
    await("stopped after the 300 ms grace period").atMost(Duration.ofSeconds(5))
        .until(() -> manager.stream(ID).orElseThrow().workerState().equals("stopped"));
    assertThat(manager.prune(notReadyAt + WorkerManager.IDLE_RETENTION.toNanos() + Duration.ofMillis(100).toNanos()))
        .as("its last exit stays visible for the retention after the exit, not after the not-ready").isZero();
  }

  @Test
  void reconcileRestartsAStreamLeftWithNoWorkerAndNothingPending() throws Exception {
    var lines = CapturedLines.during(WorkerManager.class, this::restartFailsAndReconcileRestarts);
    assertThat(CapturedLines.withEvent(lines, "lifecycle-task-failed")).singleElement().satisfies(line -> {
      assertThat(line.getFormattedMessage()).startsWith("restart of " + ID.value() + " failed: java.lang.OutOfMemoryError");
      assertThat(CapturedLines.arguments(line)).contains("streamId=" + ID.value());
    });
  }

  private void restartFailsAndReconcileRestarts() {
    List<WorkerManager.Correction.Action> reconciled = new CopyOnWriteArrayList<>();
    manager.observe(new LifecycleObserver() {
      @Override
      public void workerRestarted() {
        // an Error, which the manager does not contain: it fails the restart before its launch
        throw new OutOfMemoryError("no heap left for the metrics registry");
      }

      @Override
      public void reconciled(WorkerManager.Correction.Action action) {
        reconciled.add(action);
      }
    });
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.liveWorkers() == 0);
    assertThat(manager.isReady(ID)).isTrue();
    assertThat(launcher.launched).as("no restart was scheduled").hasSize(1);

    await("the restart failed").atMost(Duration.ofSeconds(2)).until(() -> manager.stream(ID).orElseThrow().restarts() == 1);
    assertThat(manager.reconcile(java.util.Set.of(ID), manager.snapshotTime()))
        .containsExactly(new WorkerManager.Correction(ID, WorkerManager.Correction.Action.RESTART));
    assertThat(reconciled).as("counted under its own action").containsExactly(WorkerManager.Correction.Action.RESTART);
    assertThat(launcher.launched).hasSize(2);
  }

  @Test
  void anObserverThatThrowsStopsNeitherARestartNorAGracePeriodStop() throws Exception {
    var lines = CapturedLines.during(WorkerManager.class, this::observerThrowsThroughARestartAndAGracePeriodStop);
    assertThat(CapturedLines.withEvent(lines, "observer-failed")).as("two exits, a restart and a grace period stop").hasSize(4)
        .allSatisfy(line -> assertThat(CapturedLines.arguments(line))
            .as("the stream's correlation fields").contains("streamId=" + ID.value(), "path=live/" + ID.value() + "/in"));
  }

  private void observerThrowsThroughARestartAndAGracePeriodStop() {
    manager.observe(new LifecycleObserver() {
      @Override
      public void workerExited(WorkerResult result) {
        throw new IllegalStateException("metrics registry closed");
      }

      @Override
      public void workerRestarted() {
        throw new IllegalStateException("metrics registry closed");
      }

      @Override
      public void gracePeriodStop() {
        throw new IllegalStateException("metrics registry closed");
      }
    });
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("the restart").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.size() == 2);

    manager.notReady(ID);
    await("the grace period's stop").atMost(Duration.ofSeconds(5)).until(() -> launcher.launched.get(1).stopAsked);
    await("stopped").atMost(Duration.ofSeconds(5)).until(() -> manager.liveWorkers() == 0);
    assertThat(manager.stream(ID).orElseThrow().workerState()).isEqualTo("stopped");
  }

  @Test
  void aReadyDuringARestartBackoffStartsTheWorkerAtOnce() {
    manager.close();
    manager = new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(300), Duration.ofHours(1), Duration.ofHours(1), 5),
        Clock.systemUTC());
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(WorkerResult.crashed("died"));
    await("exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.liveWorkers() == 0);
    assertThat(launcher.launched).as("the restart waits out its hour").hasSize(1);

    manager.onEvent(event(HookEventType.READY));

    assertThat(launcher.launched).as("the publisher's ready starts it now").hasSize(2);
    assertThat(manager.pendingTimers()).as("the idle prune only: the hour's restart is gone").isEqualTo(1);
  }

  @Test
  void aWorkerThatEndedDuringTheGracePeriodLeavesNoStopPending() {
    manager.close();
    manager = new WorkerManager(launcher, new LifecyclePolicy(Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(80), 2),
        Clock.systemUTC());
    manager.ready(ID);
    manager.notReady(ID);
    assertThat(manager.pendingTimers()).as("the grace period and the idle prune").isEqualTo(2);

    launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "source lost: 3 reconnect attempts failed"));
    await("exit handled").atMost(Duration.ofSeconds(2)).until(() -> manager.liveWorkers() == 0);

    assertThat(manager.pendingTimers()).as("no worker is left to keep or stop").isEqualTo(1);
    manager.ready(ID);
    assertThat(launcher.launched).as("a ready later in the grace period starts a new worker").hasSize(2);
  }

  @Test
  void aStreamFailedByRepeatedExitsIsRetriedByReconciliationAfterAMinuteButNotOneTheWorkerJudged() {
    manager.close();
    manager = new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(80), 0),
        Clock.systemUTC());
    StreamId judged = StreamId.of("vp8");
    manager.ready(ID);
    manager.ready(judged);
    launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "source lost"));
    launcher.launched.get(1).exit.complete(new WorkerResult(WorkerExit.MEDIA_ERROR, "input carries vp8"));
    await("both failed").atMost(Duration.ofSeconds(2)).until(() ->
        manager.streams().stream().allMatch(v -> v.workerState().equals("failed")));

    java.util.Set<StreamId> listed = java.util.Set.of(ID, judged);
    assertThat(manager.reconcile(listed, manager.snapshotTime())).as("too soon").isEmpty();
    long aMinuteLater = manager.snapshotTime() + WorkerManager.FAILED_RETRY_AFTER.toNanos();
    assertThat(manager.reconcile(listed, aMinuteLater))
        .containsExactly(new WorkerManager.Correction(ID, WorkerManager.Correction.Action.RETRY_FAILED));
    assertThat(launcher.launched).hasSize(3);
    assertThat(manager.stream(ID).orElseThrow().failedReason()).isNull();
    assertThat(manager.stream(judged).orElseThrow().failedReason()).contains("vp8");
  }

  @Test
  void aFlappingPublisherLeavesNoCancelledTimersBehind() {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(80), 2),
        Clock.systemUTC()));
    manager.ready(ID);
    for (int i = 0; i < 1000; i++) {
      manager.notReady(ID);
      manager.ready(ID);
    }
    assertThat(manager.pendingTimers()).as("the idle prune only; 1,000 cancelled grace periods are gone").isEqualTo(1);
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void nothingStartsAfterClose() {
    manager.close();
    manager.ready(ID);
    manager.onEvent(event(HookEventType.READY));
    assertThat(manager.reconcile(java.util.Set.of(ID), manager.snapshotTime())).isEmpty();
    assertThat(launcher.launched).isEmpty();
  }

  @Test
  void notReadyCancelsAPendingRestart() {
    replaceManager(new WorkerManager(launcher, new LifecyclePolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMillis(500), 2),
        Clock.systemUTC()));
    manager.ready(ID);
    launcher.launched.get(0).exit.complete(new WorkerResult(WorkerExit.SOURCE_LOST, "lost"));
    manager.notReady(ID);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> launcher.launched.size() == 1);
    assertThat(manager.stream(ID).orElseThrow().workerState()).isEqualTo("stopped");
  }

  @Test
  void closeStopsEveryWorker() {
    manager.ready(ID);
    manager.ready(StreamId.of("cam2"));
    assertThat(manager.streams()).extracting(StreamView::streamId).containsExactly("cam1", "cam2");
    manager.close();
    assertThat(launcher.launched).allMatch(h -> h.stopAsked);
    assertThat(manager.liveWorkers()).isZero();
  }

  @Test
  void closeKillsStuckWorkersAfterOneStopTimeout() {
    Launcher stuck = new Launcher();
    stuck.workersIgnoreStop = true;
    WorkerManager stuckManager = new WorkerManager(stuck, LifecyclePolicy.defaults(), Clock.systemUTC(), Duration.ofMillis(400));
    for (String id : List.of("a", "b", "c")) {
      stuckManager.ready(StreamId.of(id));
    }
    stuckManager.close();

    assertThat(stuck.launched).hasSize(3).allMatch(h -> h.stopAsked)
        .allMatch(h -> h.exit.isDone() && h.exit.join().reason().equals("killed"));
    assertThat(stuck.launched).as("each killed only after the 400 ms stop timeout")
        .allMatch(h -> h.killAskedNanos - h.stopAskedNanos >= Duration.ofMillis(400).toNanos());
    // One timeout shared by all: with one per worker in turn, the kills would come 400 ms apart.
    LongSummaryStatistics kills = stuck.launched.stream().mapToLong(h -> h.killAskedNanos).summaryStatistics();
    assertThat(Duration.ofNanos(kills.getMax() - kills.getMin())).as("from the first kill to the last")
        .isLessThan(Duration.ofMillis(400));
  }

  @Test
  void closeKillsStuckWorkersWithinItsOwnBudgetWhenTheStopTimeoutIsLonger() {
    Launcher stuck = new Launcher();
    stuck.workersIgnoreStop = true;
    // As in production: a 10 s stop timeout, a shorter shutdown budget (6 s there)
    WorkerManager stuckManager = new WorkerManager(stuck, LifecyclePolicy.defaults(), Clock.systemUTC(),
        Duration.ofSeconds(10), Duration.ofMillis(300));
    stuckManager.ready(StreamId.of("a"));
    long start = System.nanoTime();

    stuckManager.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the close budget, not the stop timeout")
        .isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    assertThat(stuck.launched).hasSize(1).allMatch(h -> h.killAsked);
  }

  @Test
  void policyDefaultsAndBackoff() {
    LifecyclePolicy p = LifecyclePolicy.defaults();
    assertThat(p.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.restartDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.restartDelay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.restartDelay(10)).isEqualTo(Duration.ofSeconds(30));
    LifecyclePolicy exact = new LifecyclePolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(4), 3);
    assertThat(java.util.stream.IntStream.rangeClosed(0, 5).mapToObj(exact::restartDelay).map(Duration::toSeconds))
        .as("1 s, 2 s, 4 s: the cap itself is reached, then held").containsExactly(1L, 1L, 2L, 4L, 4L, 4L);
    assertThat(p.withGracePeriod(Duration.ofSeconds(2)).gracePeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.withGracePeriod(Duration.ofSeconds(2)).restartDelay(2)).isEqualTo(p.restartDelay(2));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.withGracePeriod(Duration.ofSeconds(-1)))
        .hasMessageContaining("invalid lifecycle timings");
    assertThat(LaunchMode.parse("m", "thread")).isEqualTo(LaunchMode.THREAD);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LaunchMode.parse("m", "fork")).hasMessageContaining("process or thread");
  }
}
