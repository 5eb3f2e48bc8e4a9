package io.mtxtoolkit.orchestrator.workers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.worker.StreamWorker;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import io.mtxtoolkit.worker.WorkerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import net.logstash.logback.argument.StructuredArgument;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One worker per stream. ready starts it (or cancels a pending stop); not-ready stops it after the grace
 * period; a worker that exits on its own while the stream is ready is restarted with a doubling wait,
 * until too many restarts in a row mark the stream failed. All transitions run under one lock, and a
 * new worker is only launched once the previous one has exited, so two workers never share an id.
 * Timers and worker callbacks carry the token of what scheduled them, so a late one cannot act on a
 * newer worker or wait; a stream idle for {@link #IDLE_RETENTION} is forgotten.
 */
public final class WorkerManager implements HookEventListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerManager.class);
  /**
   * How long a worker asked to stop gets before it is killed: its own stop budget (workers run with the default
   * stall timeout) and 2 s for its JVM to end, so a kill never cuts a close the worker was still allowed.
   */
  static final Duration STOP_TIMEOUT = io.mtxtoolkit.worker.StreamWorker.stopBudget(
      io.mtxtoolkit.worker.WorkerConfig.DEFAULT_STALL_TIMEOUT).plusSeconds(2);
  /** Closer than this, two events count as simultaneous and apply in arrival order (the hook's clock reads to ~20 ms). */
  static final Duration STALE_MARGIN = Duration.ofMillis(100);
  /**
   * Events are only compared with one received this recently: MediaMTX's reordering spans the start-up of
   * a few JVMs, and a stamp from a clock that stepped back (or ahead) must not hold a stream's events off.
   */
  static final Duration STALE_WINDOW = Duration.ofSeconds(30);
  /** A stream with no worker, no timer and no ready for this long is dropped from memory and from /v1/streams. */
  static final Duration IDLE_RETENTION = Duration.ofMinutes(5);
  /** Shutdown's whole budget for workers to stop (then they are killed), inside the orchestrator's 8 s. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(6);
  /**
   * A stream failed by restarts that kept failing, while its publisher stays on, is tried again by the first
   * reconciliation this long after: the cause (MediaMTX's RTSP server restarting, its reader limit, the network
   * to it) is usually outside the stream, and no ready will come to retry it while the publisher stays.
   */
  static final Duration FAILED_RETRY_AFTER = Duration.ofMinutes(1);
  /** A hook's stamp older than this at receipt is not used to time its worker's start (the hook's own bound on its age). */
  static final Duration HOOK_STAMP_PLAUSIBLE = Duration.ofSeconds(60);

  private final WorkerLauncher launcher;
  private final LifecyclePolicy policy;
  /**
   * Wall-clock instants: what the API shows and what a hook's timestamp is compared with. Ages (stale window,
   * retention, retry-after) use System.nanoTime instead, which a wall clock set back or forward cannot move.
   */
  private final Clock clock;
  /** The source of those ages. */
  private final LongSupplier nanoTime;
  private final Duration stopTimeout;
  private final Duration closeTimeout;
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "worker-lifecycle");
    t.setDaemon(true);
    return t;
  });
  private final Map<StreamId, Entry> streams = new HashMap<>();
  private volatile LifecycleObserver observer = LifecycleObserver.NONE;
  private boolean closed;

  /** Mutable per-stream state, only touched under the manager's lock. */
  private static final class Entry {
    final StreamId id;
    boolean ready;
    RunningWorker worker;
    WorkerState workerState = WorkerState.STOPPED;
    Instant startedAt;
    boolean stopping;
    boolean reachedRunning;
    int restarts;
    int failuresInARow;
    Integer lastExitCode;
    String lastExitReason;
    String failedReason;
    /** Ready, but refused a worker at --max-workers: started when a slot frees, oldest first (waitingSince). */
    boolean waitingForSlot;
    long waitingSince;
    /** The failure is the worker's verdict on the media or its configuration: only a new ready retries it. */
    boolean failedByVerdict;
    long failedNanos;
    /** The grace period's stop, pending after a not-ready. */
    final Timer graceStop = new Timer();
    /** The restart after an exit, pending its backoff. */
    final Timer restart = new Timer();
    Instant readyAt;
    Instant lastEventAt;
    /** The publisher named by the last ready or reconciliation, for its worker's log lines; empty when unknown. */
    String sourceId = "";
    long lastEventReceivedNanos;
    /** System.nanoTime when its worker first reported RUNNING; meaningful while reachedRunning. */
    long runningSinceNanos;
    /** The number of its current worker, from the manager's count of launches; a state callback from another is ignored. */
    long generation;
    long changedNanos;

    Entry(StreamId id, long now) {
      this.id = id;
      this.changedNanos = now;
    }

    /** This stream's correlation fields for a line about {@code event}. */
    StructuredArgument fields(String event) {
      return WorkerManager.fields(id, sourceId, event);
    }

    /**
     * Stamps a change that a Control API list taken earlier cannot know of (a ready or not-ready), or the
     * end of a worker: reconcile leaves the stream alone for a list older than the stamp, and prune counts
     * its idle time from it, so the last exit stays visible for the whole retention.
     */
    void changed(long now) {
      changedNanos = now;
    }
  }

  /**
   * One timer of a stream, pending or not. cancel() cannot stop a timer that already fired and waits for the
   * manager's lock, so each one carries the token it was scheduled with and acts only while that is current.
   */
  private static final class Timer {
    private ScheduledFuture<?> pending;
    private long token;

    boolean pending() {
      return pending != null;
    }

    /** Schedules {@code task(token)} after {@code delay}, replacing nothing: the caller has checked none is pending. */
    void schedule(ScheduledThreadPoolExecutor scheduler, Duration delay, java.util.function.LongFunction<Runnable> task) {
      long t = ++token;
      pending = scheduler.schedule(task.apply(t), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True for the timer of {@code t} while it is the pending one, which it then no longer is: it may act. */
    boolean fire(long t) {
      if (pending == null || token != t) {
        return false;
      }
      pending = null;
      return true;
    }

    /** Cancels the pending timer; false when none was. */
    boolean cancel() {
      if (pending == null) {
        return false;
      }
      pending.cancel(false);
      pending = null;
      return true;
    }
  }

  public WorkerManager(WorkerLauncher launcher, LifecyclePolicy policy, Clock clock) {
    this(launcher, policy, clock, STOP_TIMEOUT);
  }

  WorkerManager(WorkerLauncher launcher, LifecyclePolicy policy, Clock clock, Duration stopTimeout) {
    this(launcher, policy, clock, stopTimeout, CLOSE_TIMEOUT);
  }

  WorkerManager(WorkerLauncher launcher, LifecyclePolicy policy, Clock clock, Duration stopTimeout, Duration closeTimeout) {
    this(launcher, policy, clock, System::nanoTime, stopTimeout, closeTimeout);
  }

  /**
   * The stream a hook event names, tracked from now on if new; refused with {@link StreamLimitReached} when that
   * would pass {@link LifecyclePolicy#maxStreams()} even after forgetting the idle ones. Reconciliation is not
   * bounded: what MediaMTX lists is real.
   */
  private Entry entryForEvent(StreamId id) {
    Entry e = streams.get(id);
    if (e != null) {
      return e;
    }
    long now = nanoTime.getAsLong();
    // at most once a second: a flood past the limit must not pay a scan of every stream per event
    if (streams.size() >= policy.maxStreams() && now - lastPressurePrune >= PRESSURE_PRUNE_EVERY.toNanos()) {
      lastPressurePrune = now;
      prune(now, true);
    }
    if (streams.size() >= policy.maxStreams()) {
      throw new StreamLimitReached("stream limit reached: " + policy.maxStreams() + " streams are tracked (10 per "
          + "--max-workers slot, at least 1000), so a new one is refused until idle ones are forgotten, 5 min after "
          + "their not-ready; if these events are not MediaMTX's, set HOOK_SECRET on both sides");
    }
    return streams.computeIfAbsent(id, this::newEntry);
  }

  /** How often a hook event past the stream limit may make room by forgetting idle streams. */
  private static final Duration PRESSURE_PRUNE_EVERY = Duration.ofSeconds(1);
  private long lastPressurePrune;
  /** Launches so far, which number the workers (see Entry.generation). */
  private long launches;

  private Entry newEntry(StreamId id) {
    return new Entry(id, nanoTime.getAsLong());
  }

  /** With ages read from {@code nanoTime} instead of {@link System#nanoTime()}: for tests. */
  WorkerManager(WorkerLauncher launcher, LifecyclePolicy policy, Clock clock, LongSupplier nanoTime) {
    this(launcher, policy, clock, nanoTime, STOP_TIMEOUT, CLOSE_TIMEOUT);
  }

  private WorkerManager(WorkerLauncher launcher, LifecyclePolicy policy, Clock clock, LongSupplier nanoTime,
                        Duration stopTimeout, Duration closeTimeout) {
    this.nanoTime = nanoTime;
    this.lastPressurePrune = nanoTime.getAsLong() - PRESSURE_PRUNE_EVERY.toNanos();
    this.launcher = launcher;
    this.policy = policy;
    this.clock = clock;
    this.stopTimeout = stopTimeout;
    this.closeTimeout = closeTimeout;
    // A cancelled grace period or restart leaves the queue at once: a flapping publisher under a long grace
    // period would otherwise pile up dead timers until each one's delay ran out.
    scheduler.setRemoveOnCancelPolicy(true);
    long every = Math.max(1, IDLE_RETENTION.toSeconds() / 5);
    scheduler.scheduleWithFixedDelay(() -> prune(nanoTime.getAsLong()), every, every, TimeUnit.SECONDS);
  }

  /** The correlation fields every lifecycle line carries: streamId, path, sourceId (when known) and event. */
  public static StructuredArgument fields(StreamId id, String sourceId, String event) {
    Map<String, String> fields = new LinkedHashMap<>(StreamWorker.fields(id, sourceId));
    fields.put("event", event);
    return StructuredArguments.entries(fields);
  }

  /** Reports lifecycle actions to {@code o} (metrics). */
  public void observe(LifecycleObserver o) {
    this.observer = o;
  }

  /** How many streams are in each worker state, for gauges. */
  public synchronized Map<WorkerState, Long> workersByState() {
    Map<WorkerState, Long> counts = new java.util.EnumMap<>(WorkerState.class);
    for (WorkerState s : WorkerState.values()) {
      counts.put(s, 0L);
    }
    streams.values().forEach(e -> counts.merge(e.workerState, 1L, Long::sum));
    return counts;
  }

  /**
   * Applies a hook event unless an event of a later time has already been applied to its stream.
   * MediaMTX starts one hook process per event and does not wait for it, so under fast publish/stop
   * churn a ready can arrive after the not-ready that followed it; applied, it would start a worker
   * for a stream that is gone. The hook stamps each event with its process's start, so the stamps
   * follow the order in which MediaMTX ran the hooks, however long each JVM took to start.
   */
  @Override
  public synchronized void onEvent(HookEvent event) {
    Entry e = entryForEvent(event.streamId());
    long now = nanoTime.getAsLong();
    // A hook stamps its process's start, before it could be received; a later stamp comes from a clock
    // that runs ahead, and counts as received now.
    Instant received = clock.instant();
    Instant stamp = event.timestamp().isAfter(received) ? received : event.timestamp();
    boolean recent = e.lastEventAt != null && now - e.lastEventReceivedNanos < STALE_WINDOW.toNanos();
    if (recent && stamp.isBefore(e.lastEventAt.minus(STALE_MARGIN))) {
      LOG.info("stale {} event for {} ignored: a later event ({}) was already applied", event.type(), event.path().name(),
          e.lastEventAt, fields(event.streamId(), event.sourceId(), "stale-event-ignored"), kv("eventId", event.eventId()));
      tell(e, LifecycleObserver::staleEventIgnored);
      return;
    }
    // The newest stamp applied, not the last: an event let in by the margin must not lower the bar for the next.
    if (!recent || stamp.isAfter(e.lastEventAt)) {
      e.lastEventAt = stamp;
    }
    e.lastEventReceivedNanos = now;
    if (event.type() == HookEventType.READY) {
      publisher(e, event.sourceId());
      // Timed from the hook's start unless its stamp is implausibly old (a clock behind, or a hand-sent event):
      // then from the receipt, so one bad clock cannot put minutes into the latency's sum and maximum.
      boolean plausible = Duration.between(stamp, received).compareTo(HOOK_STAMP_PLAUSIBLE) <= 0;
      ready(event.streamId(), plausible ? stamp : received);
    } else {
      notReady(event.streamId());
    }
  }

  /**
   * {@code e}'s publisher is {@code sourceId}. A worker that runs on (a publisher back within the grace period is
   * read by the worker's reconnect) is told, so its lines stop naming the publisher that left.
   */
  private static void publisher(Entry e, String sourceId) {
    if (sourceId.isEmpty() || sourceId.equals(e.sourceId)) {
      return; // a ready or a list naming nobody: the last name known stays
    }
    if (io.mtxtoolkit.core.Texts.controlCharacter(sourceId) >= 0) {
      return; // no id (hook events refuse one; a Control API answer is not checked so): never on a command line
    }
    if (e.worker != null && !e.stopping) {
      e.worker.publisherChanged(sourceId);
    }
    e.sourceId = sourceId;
  }

  /** A ready for {@code id} reported now. */
  public synchronized void ready(StreamId id) {
    ready(id, clock.instant());
  }

  /**
   * {@code reportedAt}: when the hook reporting it started, from which the time to its started worker is
   * measured; null for a reconciliation's ready, which no hook reported.
   */
  private void ready(StreamId id, Instant reportedAt) {
    if (closed) {
      return;
    }
    Entry e = streams.computeIfAbsent(id, this::newEntry);
    e.changed(nanoTime.getAsLong());
    e.ready = true;
    if (e.worker != null && !e.stopping) {
      e.worker.publisherReady(true);
    }
    // Only a ready that starts a worker (now, or as the replacement of one stopping) starts the clock: a ready
    // that keeps a running worker would otherwise time a later crash's restart from it.
    boolean starts = e.stopping || e.worker == null;
    e.readyAt = starts ? reportedAt : null;
    e.failedReason = null;
    e.failuresInARow = 0;
    if (e.graceStop.cancel()) {
      LOG.info("ready within the grace period: keeping the worker for {}", id, e.fields("grace-cancelled"));
    }
    if (e.worker == null) {
      // A restart waiting out its backoff starts now: a publisher that came back (or a missed ready found)
      // should not wait up to the longest backoff for its worker.
      cancelRestart(e);
      launch(e);
    }
    // A worker that is stopping is replaced when it has exited (see exited()).
  }

  public synchronized void notReady(StreamId id) {
    if (closed) {
      return;
    }
    Entry e = streams.computeIfAbsent(id, this::newEntry);
    e.changed(nanoTime.getAsLong());
    e.ready = false;
    if (e.worker != null) {
      e.worker.publisherReady(false);
    }
    if (e.waitingForSlot) {
      e.waitingForSlot = false; // its publisher left before a slot freed
      e.failedReason = null;
    }
    if (cancelRestart(e)) {
      LOG.info("not-ready: the pending restart of the worker for {} is cancelled", id, e.fields("worker-restart-cancelled"));
      startWaiting(); // the restart held a slot
    }
    if (e.worker == null || e.stopping || e.graceStop.pending()) {
      return;
    }
    LOG.info("not-ready: stopping the worker for {} in {} ms unless it becomes ready again", id,
        policy.gracePeriod().toMillis(), e.fields("grace-started"),
        kv("gracePeriodMs", policy.gracePeriod().toMillis()));
    e.graceStop.schedule(scheduler, policy.gracePeriod(), token -> logged(e, "grace period", () -> graceExpired(id, token)));
  }

  private synchronized void graceExpired(StreamId id, long token) {
    Entry e = streams.get(id);
    if (e == null || !e.graceStop.fire(token)) {
      return;
    }
    if (!e.ready && e.worker != null) {
      LOG.info("grace period over: stopping the worker for {}", id, e.fields("grace-expired"));
      stop(e);
      tell(e, LifecycleObserver::gracePeriodStop);
    }
  }

  /** Launches {@code e}'s worker; false when none was launched or attempted (closing, or at the worker limit). */
  private boolean launch(Entry e) {
    if (closed) {
      e.workerState = WorkerState.STOPPED;
      return false;
    }
    if (slotsTaken() >= policy.maxWorkers()) {
      // Not a verdict on the stream: it starts when a worker ends (startWaiting), oldest waiting first.
      e.workerState = WorkerState.STOPPED;
      e.failedReason = "worker limit reached: waiting for one of the " + policy.maxWorkers() + " worker slots (--max-workers)";
      // the hook-to-worker-start latency is the orchestrator's own reaction, not a wait for capacity
      e.readyAt = null;
      if (!e.waitingForSlot) {
        e.waitingForSlot = true;
        e.waitingSince = nanoTime.getAsLong();
        LOG.warn("worker limit reached: all {} worker slots are taken (running, or restarting); {} waits for one",
            policy.maxWorkers(), e.id, e.fields("worker-limit-reached"), kv("maxWorkers", policy.maxWorkers()));
        tell(e, LifecycleObserver::workerLimitReached);
      }
      return false;
    }
    if (e.waitingForSlot) {
      e.waitingForSlot = false;
      e.failedReason = null;
    }
    e.stopping = false;
    e.reachedRunning = false;
    e.workerState = WorkerState.STARTING;
    e.startedAt = clock.instant();
    // numbered across the manager: a stream forgotten and tracked again must not reuse an old worker's number
    long generation = ++launches;
    e.generation = generation;
    RunningWorker worker;
    try {
      worker = launcher.launch(e.id, e.sourceId, state -> stateChanged(e.id, generation, state));
    } catch (Throwable t) { // an Error too: the stream must not be left ready with no worker and no restart
      LOG.error("cannot launch the worker for {}: {}", e.id, t.toString(), e.fields("worker-launch-failed"));
      tell(e, LifecycleObserver::workerLaunchFailed);
      afterExit(e, WorkerResult.crashed("cannot launch the worker: " + t), false, false);
      return true;
    }
    e.worker = worker;
    try {
      Duration sinceReady = e.readyAt == null ? null : Duration.between(e.readyAt, clock.instant());
      e.readyAt = null;
      tell(e, o -> o.workerStarted(sinceReady));
      LOG.info("worker started for {} ({})", e.id, worker.handle(), e.fields("worker-started"),
          kv("launchMode", launcher.mode().wireName()), kv("worker", worker.handle()));
    } finally {
      // Watched whatever failed above (a metrics registry), and after the start's line: a worker that has
      // already ended is handled at once, and its end must not be told before its start.
      worker.exit().whenComplete((result, error) -> logged(e, "exit of the worker", () -> exited(e.id, worker,
          result != null ? result : WorkerResult.crashed("worker failed: " + error))).run());
    }
    return true;
  }

  /** Workers running, and restarts waiting out their backoff (each will run one): what --max-workers bounds. */
  private int slotsTaken() {
    int taken = 0;
    for (Entry e : streams.values()) {
      if (e.worker != null || e.restart.pending()) {
        taken++;
      }
    }
    return taken;
  }

  /** Starts streams left waiting at the worker limit, oldest first, while slots are free. */
  private void startWaiting() {
    while (!closed && slotsTaken() < policy.maxWorkers()) {
      Entry next = null;
      for (Entry e : streams.values()) {
        if (e.waitingForSlot && e.ready && e.worker == null && !e.restart.pending()
            && (next == null || e.waitingSince - next.waitingSince < 0)) {
          next = e;
        }
      }
      if (next == null || !launch(next)) {
        return;
      }
    }
  }

  private synchronized void stateChanged(StreamId id, long generation, WorkerState state) {
    Entry e = streams.get(id);
    if (e == null || e.worker == null || e.generation != generation) {
      return;
    }
    if (state == WorkerState.RUNNING && !e.reachedRunning) {
      e.reachedRunning = true;
      e.runningSinceNanos = nanoTime.getAsLong();
    }
    if (!e.stopping || state == WorkerState.STOPPING) {
      e.workerState = state;
    }
  }

  private void stop(Entry e) {
    e.stopping = true;
    e.workerState = WorkerState.STOPPING;
    RunningWorker worker = e.worker;
    worker.stop();
    scheduler.schedule(logged(e, "stop timeout", () -> {
      if (!worker.exit().isDone()) {
        LOG.warn("worker for {} did not stop within {} ms; killing it", e.id, stopTimeout.toMillis(),
            e.fields("worker-killed"));
        worker.kill();
      }
    }), stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void exited(StreamId id, RunningWorker worker, WorkerResult result) {
    Entry e = streams.get(id);
    if (e == null || e.worker != worker) {
      return;
    }
    e.worker = null;
    boolean requested = e.stopping;
    e.stopping = false;
    // An end nobody asked for is what an operator looks for. A stop on request is routine, and so is a source lost
    // after its not-ready: the publisher left, and the worker noticed before the grace period ran out.
    boolean expected = requested || result.exit() == WorkerExit.STOPPED && !result.crashed()
        || !e.ready && result.exit() == WorkerExit.SOURCE_LOST && !result.crashed();
    boolean unasked = !expected;
    LOG.atLevel(unasked ? Level.WARN : Level.INFO).log("worker for {} exited with {}: {}", id, result.exit().code(),
        result.reason(), e.fields("worker-exited"), kv("exitCode", result.exit().code()), kv("outcome", result.outcome()),
        kv("requested", requested));
    afterExit(e, result, requested, true);
    startWaiting(); // a slot may be free now
  }

  /**
   * What follows a worker's end (or a launch that failed, {@code ran} false: no worker, so no exit counted):
   * nothing, a replacement, a restart, or failed.
   */
  private void afterExit(Entry e, WorkerResult result, boolean requested, boolean ran) {
    StreamId id = e.id;
    e.changed(nanoTime.getAsLong());
    e.lastExitCode = result.exit().code();
    e.lastExitReason = result.reason();
    if (ran) {
      tell(e, o -> o.workerExited(result));
    }
    if (!e.ready || closed) {
      e.workerState = WorkerState.STOPPED;
      // Nothing is left for a grace period to stop; a ready after this starts a worker, it keeps none.
      e.graceStop.cancel();
      return;
    }
    if (requested) {
      // Stopped for a not-ready that a ready has since overtaken: start the replacement now.
      launch(e);
      return;
    }
    if (result.streamUnusable()) {
      // The worker's own verdict on this publisher's media or on its configuration: a restart would
      // fail the same way. A new ready (the publisher came back) tries again.
      fail(e, "the worker cannot process this stream: " + result.reason(), true);
      return;
    }
    boolean healthy = e.reachedRunning && nanoTime.getAsLong() - e.runningSinceNanos >= policy.healthyRun().toNanos();
    e.failuresInARow = healthy ? 0 : e.failuresInARow + 1;
    if (e.failuresInARow > policy.maxRestarts()) {
      fail(e, "worker failed " + e.failuresInARow + " times in a row; last: " + result.reason(), false);
      return;
    }
    e.workerState = WorkerState.STARTING;
    Duration delay = policy.restartDelay(Math.max(1, e.failuresInARow));
    LOG.warn("restarting the worker for {} in {} ms (restart {})", id, delay.toMillis(), e.restarts + 1,
        e.fields("worker-restart"), kv("delayMs", delay.toMillis()), kv("restarts", e.restarts + 1));
    e.restart.schedule(scheduler, delay, token -> logged(e, "restart", () -> restart(id, token)));
  }

  private void fail(Entry e, String reason, boolean byVerdict) {
    e.workerState = WorkerState.FAILED;
    e.failedReason = reason;
    e.failedByVerdict = byVerdict;
    e.failedNanos = nanoTime.getAsLong();
    LOG.error("stream {} failed: {}", e.id, reason, e.fields("stream-failed"));
    tell(e, LifecycleObserver::streamFailed);
  }

  private synchronized void restart(StreamId id, long token) {
    Entry e = streams.get(id);
    if (e == null || !e.restart.fire(token)) {
      return;
    }
    if (e.ready && e.worker == null) {
      // counted when it happens: a restart that a not-ready or a shutdown cancelled never did. The slot its backoff
      // held is free again, so the limit does not refuse it.
      e.restarts++;
      tell(e, LifecycleObserver::workerRestarted);
      launch(e);
    }
    startWaiting(); // a launch that failed for good (the stream failed) left its slot free
  }

  /** Cancels a pending restart, which leaves the stream without a worker; false when none was pending. */
  private static boolean cancelRestart(Entry e) {
    if (!e.restart.cancel()) {
      return false;
    }
    e.workerState = WorkerState.STOPPED;
    return true;
  }

  /**
   * Reports to the observer (metrics). Its failure is logged and goes no further: a lifecycle step must not be
   * left half done because a counter could not be moved.
   */
  private void tell(Entry e, java.util.function.Consumer<LifecycleObserver> report) {
    try {
      report.accept(observer);
    } catch (RuntimeException failure) {
      LOG.warn("lifecycle observer failed for {}: {}", e.id, failure.toString(), e.fields("observer-failed"));
    }
  }

  /** A timer's task for {@code e}; anything it throws is logged, where the scheduler would swallow it. */
  private Runnable logged(Entry e, String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        LOG.error("{} of {} failed: {}", what, e.id, t.toString(), e.fields("lifecycle-task-failed"));
        throw t;
      }
    };
  }

  /** True when the last word on {@code id} was ready (from an event or a reconciliation). */
  public synchronized boolean isReady(StreamId id) {
    Entry e = streams.get(id);
    return e != null && e.ready;
  }

  /** A reading of the manager's monotonic time ({@link System#nanoTime()}) to pass to {@link #reconcile} for a list taken after it. */
  public long snapshotTime() {
    return nanoTime.getAsLong();
  }

  /** One reconciliation correction. */
  public record Correction(StreamId streamId, Action action) {
    /** What reconciliation did to a stream. */
    public enum Action {
      /** Ready in MediaMTX, but no ready event arrived: its worker is started. */
      START,
      /** Known as ready, but its worker is missing with nothing pending (a launch that failed): started again. */
      RESTART,
      /** Failed by repeated exits, still ready a while later: tried again. */
      RETRY_FAILED,
      /** Gone from MediaMTX, but no not-ready arrived: its worker stops after the grace period. */
      STOP;

      /** The name in logs and metrics: {@code retry-failed}. */
      public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      }
    }
  }

  /** {@link #reconcile(Map, long)} for a list that names no publishers. */
  public List<Correction> reconcile(java.util.Set<StreamId> readyInMediaMtx, long takenAt) {
    Map<StreamId, String> unnamed = new HashMap<>();
    readyInMediaMtx.forEach(id -> unnamed.put(id, ""));
    return reconcile(unnamed, takenAt);
  }

  /**
   * Brings the workers in line with {@code readyInMediaMtx}, MediaMTX's ready {@code /in} streams (each with
   * its publisher's source id, or "") as listed after {@code takenAt}, in one step under the lock. A stream
   * an event changed since then is left alone: the event is newer than the list. Starts a worker for a
   * ready stream we did not know as ready, or whose worker is missing with nothing pending (a launch that
   * failed); stops, after the grace period, the worker of a stream that is no longer listed.
   */
  public synchronized List<Correction> reconcile(Map<StreamId, String> readyInMediaMtx, long takenAt) {
    List<Correction> done = new java.util.ArrayList<>();
    if (closed) {
      return done;
    }
    readyInMediaMtx.forEach((id, sourceId) -> {
      Entry e = streams.get(id);
      if (e != null && e.changedNanos - takenAt > 0) {
        return;
      }
      // a stream waiting for a slot is started when one frees, not by reconciliation
      boolean idle = e != null && e.ready && e.worker == null && !e.restart.pending() && !e.waitingForSlot;
      boolean orphaned = idle && e.failedReason == null;
      boolean retry = idle && e.failedReason != null && !e.failedByVerdict
          && takenAt - e.failedNanos >= FAILED_RETRY_AFTER.toNanos();
      if (e == null || !e.ready || orphaned || retry) {
        Correction.Action action = e == null || !e.ready ? Correction.Action.START
            : retry ? Correction.Action.RETRY_FAILED : Correction.Action.RESTART;
        // The publisher MediaMTX lists now, not the one of the last event we saw: that event was missed.
        Entry missed = streams.computeIfAbsent(id, this::newEntry);
        publisher(missed, sourceId);
        tell(missed, o -> o.reconciled(action));
        done.add(new Correction(id, action));
        ready(id, null);
      } else if (!sourceId.isEmpty() && !sourceId.equals(e.sourceId)) {
        // Another publisher took the stream over while both its events were lost: the stream's lines and its
        // worker's name the one MediaMTX lists.
        LOG.info("live/{}/in has another publisher than its last ready named: {}", id, sourceId,
            fields(id, sourceId, "reconcile-publisher"), kv("previousSourceId", e.sourceId));
        publisher(e, sourceId);
      }
    });
    for (Entry e : List.copyOf(streams.values())) {
      if (e.ready && !readyInMediaMtx.containsKey(e.id) && e.changedNanos - takenAt <= 0) {
        tell(e, o -> o.reconciled(Correction.Action.STOP));
        done.add(new Correction(e.id, Correction.Action.STOP));
        notReady(e.id);
      }
    }
    return done;
  }

  /**
   * The publisher last named for {@code id}, by a ready or a reconciliation, or "" when unknown: the one its worker's
   * lines name.
   */
  public synchronized String sourceId(StreamId id) {
    Entry e = streams.get(id);
    return e == null ? "" : e.sourceId;
  }

  /** Forgets streams idle (not ready, no worker, no timer) since before {@code now - IDLE_RETENTION}. */
  synchronized int prune(long now) {
    return prune(now, false);
  }

  /**
   * {@link #prune(long)}; {@code atLimit}, when the streams tracked reach their limit, forgets failed streams too,
   * ready or not: with reconciliation off nothing else would ever forget the ready events of made-up ids.
   */
  private int prune(long now, boolean atLimit) {
    int before = streams.size();
    streams.values().removeIf(e -> (!e.ready || atLimit && e.failedReason != null && !e.waitingForSlot)
        && e.worker == null && !e.graceStop.pending() && !e.restart.pending()
        && now - e.changedNanos > IDLE_RETENTION.toNanos());
    return before - streams.size();
  }

  /** Timers waiting in the scheduler (grace periods, restarts, stop timeouts and the idle prune). */
  int pendingTimers() {
    return scheduler.getQueue().size();
  }

  /** Number of streams with a live worker (running, reconnecting, starting or stopping). */
  public synchronized int liveWorkers() {
    return (int) streams.values().stream().filter(e -> e.worker != null).count();
  }

  public synchronized List<StreamView> streams() {
    return streams.values().stream().sorted(Comparator.comparing(e -> e.id.value())).map(this::view).toList();
  }

  public synchronized Optional<StreamView> stream(StreamId id) {
    return Optional.ofNullable(streams.get(id)).map(this::view);
  }

  private StreamView view(Entry e) {
    return new StreamView(e.id.value(), StreamPath.in(e.id).name(), StreamPath.out(e.id).name(), e.ready,
        e.workerState.wireName(), launcher.mode().wireName(), e.worker == null ? null : e.worker.handle(), e.startedAt == null ? null : e.startedAt.toString(),
        e.restarts, e.lastExitCode, e.lastExitReason, e.failedReason, outLag(e.worker));
  }

  /** The worker's last word on its /out's lag, null when it has none. */
  private static Long outLag(RunningWorker worker) {
    java.util.OptionalLong ms = worker == null ? java.util.OptionalLong.empty() : worker.outputLagMillis();
    return ms.isPresent() ? ms.getAsLong() : null;
  }

  /**
   * Stops every worker and waits for them to exit, killing what still runs after {@link #CLOSE_TIMEOUT}
   * (or the stop timeout, if shorter; the stop timer alone would kill later) in all; nothing is started afterwards.
   */
  @Override
  public void close() {
    List<RunningWorker> running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      streams.values().forEach(e -> {
        e.ready = false;
        cancelRestart(e);
        e.graceStop.cancel();
      });
      running = streams.values().stream().filter(e -> e.worker != null).map(e -> {
        RunningWorker w = e.worker;
        stop(e);
        return w;
      }).toList();
    }
    if (!running.isEmpty()) {
      LOG.info("shutting down: stopping {} workers", running.size(), kv("event", "shutdown-stopping"),
          kv("workers", running.size()));
    }
    long deadline = System.nanoTime() + (stopTimeout.compareTo(closeTimeout) < 0 ? stopTimeout : closeTimeout).toNanos();
    for (RunningWorker w : running) {
      try {
        w.exit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        w.kill();
      } catch (Exception e) {
        w.kill();
      }
    }
    // One second for all the killed ones together: the shutdown's own budget (OrchestratorMain) is counted in seconds.
    long killedDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (RunningWorker w : running) {
      try {
        w.exit().get(Math.max(0, killedDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception gone) {
        // killed: its exit may not be reported in time, and nothing more can be done
      }
    }
    scheduler.shutdownNow();
  }
}
