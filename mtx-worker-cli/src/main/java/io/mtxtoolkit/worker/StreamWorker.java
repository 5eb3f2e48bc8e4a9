package io.mtxtoolkit.worker;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import net.logstash.logback.argument.StructuredArguments;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One stream's worker: reads the input, publishes the output, and on loss applies the reconnect
 * policy (spec FR-021): 1 s, 2 s, 4 s, then gives up with {@link WorkerExit#SOURCE_LOST} (or {@link WorkerExit#OUTPUT_LOST}
 * when the last attempt failed on /out). Usable
 * in-process (the orchestrator's thread mode) or from {@link WorkerMain}.
 */
public final class StreamWorker {
  private static final Logger LOG = LoggerFactory.getLogger(StreamWorker.class);
  private static final Logger LIFECYCLE = LoggerFactory.getLogger(WorkerEvents.LIFECYCLE_LOGGER);

  private final WorkerConfig config;
  private final Consumer<WorkerState> stateListener;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final AtomicLong packets = new AtomicLong();
  private final OutputLag outputLag = new OutputLag();
  private volatile WorkerState state = WorkerState.STARTING;
  /** True from the moment /out is being opened until it is closed; guarded by this. */
  private boolean publishing;
  /** stopBeforePublishing has said the worker stopped: run()'s own end, maybe seconds later, must not say it again. */
  private volatile boolean stopAnnounced;

  /** The publisher's id, for the sourceId correlation field of every line; empty when unknown. */
  private volatile String sourceId;
  /** The stream's not-ready came (see {@link #publisherReady}). */
  private volatile boolean publisherLeft;
  /** The sourceId the running thread's MDC carries; run's thread only. */
  private String loggedSourceId;

  /** A worker whose publisher is not known (its lines carry no sourceId). */
  public StreamWorker(WorkerConfig config, Consumer<WorkerState> stateListener) {
    this(config, null, stateListener);
  }

  /** A worker for the publisher {@code sourceId} (MediaMTX's source id, named in every line; null or empty: unknown). */
  public StreamWorker(WorkerConfig config, String sourceId, Consumer<WorkerState> stateListener) {
    this.config = config;
    this.sourceId = sourceId == null ? "" : sourceId;
    this.stateListener = stateListener;
    loadNatives();
  }

  /**
   * Loads javacv's FFmpeg libraries in the constructing thread, one caller at a time: JavaCPP deadlocks when
   * two threads (e.g. in-process workers started together) load its natives for the first time at once. The
   * lock is a javacv class, which javacv itself never locks, so that the test kit's loader (another module that
   * cannot see this one, in the same JVM in tests) takes turns with this one.
   */
  public static void loadNatives() {
    synchronized (FFmpegFrameGrabber.class) {
      try {
        FFmpegFrameGrabber.tryLoad();
        FFmpegFrameRecorder.tryLoad();
      } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
        throw new IllegalStateException("cannot load javacv's FFmpeg libraries: " + e.getMessage(), e);
      }
    }
  }

  /** Result of one connect-and-pump session. */
  private record Session(boolean delivered, String cause, boolean mediaError, boolean outputSide) {
    /** Nothing was published; another attempt may do better. */
    static Session failed(String cause) {
      return new Session(false, cause, false, false);
    }

    /** Nothing was published because /out refused the worker; another attempt may do better. */
    static Session outputRefused(String cause) {
      return new Session(false, cause, false, true);
    }

    /** The media (or the processing step) cannot be handled: another attempt would fail alike. */
    static Session unusable(String cause) {
      return new Session(false, cause, true, false);
    }

    /** Publishing ran until the input ended or stalled; {@code delivered} when anything was published. */
    static Session ended(boolean delivered, Ending ending) {
      return new Session(delivered, ending == null ? null : ending.cause(), false, ending != null && ending.outputSide());
    }
  }

  /** A stream's correlation fields: streamId, path and, when known, sourceId. */
  public static Map<String, String> fields(StreamId id, String sourceId) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("streamId", id.value());
    fields.put("path", StreamPath.in(id).toString());
    if (sourceId != null && !sourceId.isEmpty()) {
      fields.put("sourceId", sourceId);
    }
    return fields;
  }

  /**
   * The stream's publisher is now {@code sourceId} (a ready named another while this worker ran, its reconnect
   * reading the new one): the lines that follow carry it. Null or empty: unknown.
   */
  public void publisherChanged(String sourceId) {
    this.sourceId = sourceId == null ? "" : sourceId;
  }

  /**
   * Whether the stream is ready, as its orchestrator last heard from the hooks. Once its publisher has left, losing
   * the source is what comes next, not a failure: the verdict is then logged at WARN, not ERROR.
   */
  public void publisherReady(boolean ready) {
    this.publisherLeft = !ready;
  }

  /** Brings the running thread's sourceId field up to {@link #publisherChanged}; a reference test per packet. */
  private void followPublisher() {
    String now = sourceId;
    if (now != loggedSourceId) {
      loggedSourceId = now;
      if (now.isEmpty()) {
        MDC.remove("sourceId");
      } else {
        MDC.put("sourceId", now);
      }
    }
  }

  /** Runs until stopped or until the reconnect attempts are used up. */
  public WorkerResult run() {
    loggedSourceId = sourceId;
    Map<String, String> fields = fields(config.streamId(), loggedSourceId);
    // restored afterwards, not cleared: the caller's thread may carry the same fields (mtx-worker's main thread
    // does, for its crash line after an Error ends this run)
    Map<String, String> callers = MDC.getCopyOfContextMap();
    fields.forEach(MDC::put);
    try {
      FfmpegLog.install();
      int attempt = 0;
      while (!stopRequested()) {
        followPublisher();
        Session session;
        try {
          session = pump();
          followPublisher(); // the lines about how the session ended
        } catch (RuntimeException | LinkageError e) {
          // e.g. a processing step failing on a frame, or missing a class it needs: end with a reason (exit 5)
          // rather than an unlogged crash
          session = Session.unusable("processing failed: " + e);
        }
        if (stopRequested()) {
          break;
        }
        if (session.mediaError()) {
          return finish(WorkerState.FAILED, new WorkerResult(WorkerExit.MEDIA_ERROR, session.cause()));
        }
        if (session.delivered()) {
          attempt = 0;
        }
        attempt++;
        var delay = config.reconnect().delayBefore(attempt);
        if (delay.isEmpty()) {
          // The last attempt's side names the verdict: /out refusing the worker (its credentials, MediaMTX's path
          // settings) is not a lost source, and an operator looks in another place for it.
          WorkerExit verdict = session.outputSide() ? WorkerExit.OUTPUT_LOST : WorkerExit.SOURCE_LOST;
          String reason = (session.outputSide() ? "output lost: " : "source lost: ") + config.reconnect().maxAttempts()
              + " reconnect attempts failed; last cause: " + session.cause();
          // WARN: the worker-failed line that follows is the verdict, at ERROR; one error line per failure
          LOG.warn(reason, kv("event", "worker-gave-up"), kv("attempts", config.reconnect().maxAttempts()),
              kv("cause", session.cause()));
          return finish(WorkerState.FAILED, new WorkerResult(verdict, reason));
        }
        setState(WorkerState.RECONNECTING);
        LIFECYCLE.warn("reconnect attempt {}/{} in {} ms: {}", attempt, config.reconnect().maxAttempts(), delay.get().toMillis(),
            session.cause(), kv("event", WorkerEvents.RECONNECT), kv("attempt", attempt), kv("delayMs", delay.get().toMillis()),
            kv("cause", session.cause()));
        if (awaitStop(delay.get())) {
          break;
        }
      }
      return finish(WorkerState.STOPPED, new WorkerResult(WorkerExit.STOPPED, "stopped on request"));
    } finally {
      if (callers == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(callers);
      }
    }
  }

  private WorkerResult finish(WorkerState end, WorkerResult result) {
    followPublisher();
    setState(end);
    if (end == WorkerState.STOPPED && stopAnnounced) {
      return result;
    }
    boolean publisherLeaving = publisherLeft && result.exit() == WorkerExit.SOURCE_LOST;
    LIFECYCLE.atLevel(end != WorkerState.FAILED ? org.slf4j.event.Level.INFO
            : publisherLeaving ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.ERROR)
        .log("worker {}: {}", end.wireName(), result.reason() + (publisherLeaving ? " (its publisher had left)" : ""),
            kv("event", WorkerEvents.ended(end)),
            kv("exitCode", result.exit().code()), kv("packets", packets.get()));
    return result;
  }

  /** Time allowed to close /out (the FLV trailer, the RTMP goodbye) once a stop is seen. */
  private static final Duration CLOSE_ALLOWANCE = Duration.ofSeconds(5);

  /**
   * How long {@link #run} may take to return after {@link #stop}: a read blocked on a silent source sees the
   * stop only when the stall timeout ends it, and /out is closed after that. At least 10 s.
   */
  public Duration stopWithin() {
    return stopBudget(config.stallTimeout());
  }

  /** {@link #stopWithin} of a worker with this stall timeout: what whoever stops it must wait before a kill. */
  public static Duration stopBudget(Duration stallTimeout) {
    Duration bound = stallTimeout.plus(CLOSE_ALLOWANCE);
    return bound.compareTo(MIN_STOP_WITHIN) > 0 ? bound : MIN_STOP_WITHIN;
  }

  private static final Duration MIN_STOP_WITHIN = Duration.ofSeconds(10);

  /** Asks the worker to stop; it closes its output cleanly and {@link #run} returns. */
  public void stop() {
    synchronized (this) {
      if (stopSignal.getCount() == 0 || ended()) {
        return;
      }
      stopSignal.countDown();
    }
    setState(WorkerState.STOPPING);
  }

  /**
   * Stops a worker that is not publishing yet and returns true: it has no output to close, so its process may
   * end at once rather than wait out FFmpeg's open of a silent source, which cannot be interrupted. Returns
   * false, doing nothing, while the worker publishes.
   */
  public boolean stopBeforePublishing() {
    synchronized (this) {
      if (publishing) {
        return false;
      }
      if (stopSignal.getCount() == 0 || ended()) {
        return true;
      }
      stopAnnounced = true; // before the signal: a run() that ends at once must not say it again
      stopSignal.countDown(); // under the lock, so beginPublishing sees it; listeners are called outside
    }
    setState(WorkerState.STOPPING);
    LOG.info("worker stopped: stopped on request while not publishing (" + packets.get() + " packets published)", kv("event", "worker-stopped"),
        kv("exitCode", WorkerExit.STOPPED.code()), StructuredArguments.entries(fields(config.streamId(), sourceId)));
    return true;
  }

  /** run() has returned: a late stop must not turn STOPPED or FAILED back into STOPPING. */
  private boolean ended() {
    return state == WorkerState.STOPPED || state == WorkerState.FAILED;
  }

  /** True once {@link #run} has reached its verdict (stopped or failed). */
  public boolean hasEnded() {
    return ended();
  }

  public WorkerState state() {
    return state;
  }

  /** Packets (or frames, when transcoding) published so far. */
  public long packets() {
    return packets.get();
  }

  /**
   * The delay {@code /out} has gained behind its live input, in milliseconds (see {@link OutputLag}): a stall or a
   * worker that cannot keep up shows here; empty while no session publishes.
   */
  public java.util.OptionalLong outputLagMillis() {
    return outputLag.millis(System.nanoTime());
  }

  private boolean stopRequested() {
    return stopSignal.getCount() == 0;
  }

  private boolean awaitStop(Duration d) {
    try {
      return stopSignal.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * Moves to {@code next} unless that would undo an end or a stop: once STOPPING only STOPPED or FAILED
   * follow, and nothing follows those (a session reaching RUNNING as a stop arrives must not hide the stop).
   */
  private void setState(WorkerState next) {
    synchronized (this) {
      boolean allowed = !ended()
          && (state != WorkerState.STOPPING || next == WorkerState.STOPPED || next == WorkerState.FAILED);
      if (!allowed) {
        return;
      }
      state = next;
    }
    stateListener.accept(next); // outside the lock: the listener may take the orchestrator's
  }

  private Session pump() {
    FFmpegFrameGrabber grabber = openInput();
    try {
      MDC.put(FfmpegLog.PURPOSE, FfmpegLog.CONNECTING);
      try {
        // startUnsafe: start() holds javacv's process-wide codec lock while it waits for the server,
        // which would stall every other in-process worker's start behind one slow source.
        grabber.startUnsafe();
      } catch (FFmpegFrameGrabber.Exception e) {
        if (hasOnlyUnusableTracks(grabber, e)) {
          // Opened, with tracks, none of them video or audio FFmpeg can decode: reconnecting cannot help.
          return Session.unusable("input " + shown(config.inputUrl()) + " has no video or audio track the worker can read: "
              + firstLine(e));
        }
        return Session.failed("cannot read " + shown(config.inputUrl()) + ": " + firstLine(e));
      } finally {
        MDC.remove(FfmpegLog.PURPOSE);
      }
      String foreign = config.mode() == WorkerConfig.Mode.PASSTHROUGH ? codecsRtmpCannotCarry(grabber) : null;
      if (foreign != null) {
        // e.g. VP8 from a WebRTC publisher: reconnecting cannot help, so this is a media error, not a lost source.
        return Session.unusable("input " + shown(config.inputUrl()) + " carries " + foreign + ", which RTMP (FLV) cannot carry; "
            + "run the worker with --mode transcode to re-encode to H.264 + AAC");
      }
      if (!beginPublishing()) {
        // Stopped while the open blocked (and perhaps already replaced): never publish to /out now.
        return Session.failed("stopped while opening the source");
      }
      try {
        return publish(grabber);
      } finally {
        endPublishing();
      }
    } finally {
      close(grabber, "the source");
    }
  }

  /** One session's output: opens /out on the opened input and pumps until the input ends or a stop. */
  private Session publish(FFmpegFrameGrabber grabber) {
    if (config.mode() != WorkerConfig.Mode.PASSTHROUGH) {
      return publish(grabber, null);
    }
    try (ChosenTracks tracks = new ChosenTracks(grabber.getFormatContext(), grabber.getVideoStream(),
        grabber.getAudioStream())) {
      return publish(grabber, tracks);
    }
  }

  /** {@link #publish(FFmpegFrameGrabber)} with the passthrough muxer set up from {@code tracks} (null to transcode). */
  private Session publish(FFmpegFrameGrabber grabber, ChosenTracks tracks) {
    FFmpegFrameRecorder recorder = new UnlockedRecorder(config.outputUrl(), grabber.getImageWidth(),
        grabber.getImageHeight(), grabber.getAudioChannels());
    FrameProcessor processor = null;
    try {
      try {
        recorder.setFormat("flv");
        // The muxer orders the tracks' packets by time (FLV refuses a packet older than the first one written), and
        // waits for a packet of each track to do it. For a source whose audio stopped, or never came, FFmpeg's
        // default bound on that wait holds the pictures back until 10 s of them have piled up.
        Duration interleave = tracks != null ? MAX_INTERLEAVE_DELTA : MAX_INTERLEAVE_DELTA_TRANSCODE;
        recorder.setOption("max_interleave_delta", String.valueOf(interleave.toNanos() / 1000));
        recorder.setOption("rw_timeout", String.valueOf(config.stallTimeout().toNanos() / 1000));
        if (tracks != null) {
          recorder.start(tracks.context());
        } else {
          processor = processor(config.step());
          processor.open(grabber.getImageWidth(), grabber.getImageHeight(), grabber.getFrameRate());
          configureEncoder(recorder, grabber);
          recorder.start();
        }
      } catch (FFmpegFrameRecorder.Exception e) {
        close(recorder, "/out");
        if (!onOutput(e)) {
          // the encoder or the muxer's streams could not be set up for this input: another attempt fails alike
          return Session.unusable("cannot set up " + shown(config.outputUrl()) + " for this input: " + firstLine(e));
        }
        return Session.outputRefused("cannot publish to " + shown(config.outputUrl()) + ": " + firstLine(e));
      } catch (RuntimeException | LinkageError e) { // an unknown step, or one that cannot start: a restart fails alike
        close(recorder, "/out");
        return Session.unusable(e instanceof IllegalArgumentException ? e.getMessage() : "processing step failed: " + e);
      }
      followPublisher(); // a ready of a publisher back within the grace period comes while its source opens
      setState(WorkerState.RUNNING);
      LIFECYCLE.info("worker running: {} -> {}", shown(config.inputUrl()), shown(config.outputUrl()), kv("event", WorkerEvents.RUNNING),
          kv("mode", config.mode().name().toLowerCase(java.util.Locale.ROOT)), kv("videoCodec", grabber.getVideoCodecName()),
          kv("audioCodec", grabber.getAudioCodecName()), kv("width", grabber.getImageWidth()),
          kv("height", grabber.getImageHeight()));
      long before = packets.get();
      Ending ending;
      try {
        outputLag.reset();
        try {
          ending = tracks != null ? remux(grabber, recorder, tracks) : transcode(grabber, recorder, processor);
        } finally {
          outputLag.reset(); // no /out between sessions, so no lag to show
        }
      } finally {
        close(recorder, "/out");
      }
      return Session.ended(packets.get() > before, ending);
    } finally {
      if (processor != null) {
        processor.close(); // opened for this attempt; the next one opens its own
      }
    }
  }

  /** Marks the start of publishing unless a stop came first; {@link #stopBeforePublishing} and this exclude each other. */
  private synchronized boolean beginPublishing() {
    if (stopRequested()) {
      return false;
    }
    publishing = true;
    return true;
  }

  private synchronized void endPublishing() {
    publishing = false;
  }

  /**
   * True when javacv's open failed on the tracks, not on the source: the input opened with tracks, but none is
   * video or audio (a data or subtitle track alone), or one has no decoder. A source still starting up has none.
   */
  static boolean hasOnlyUnusableTracks(FFmpegFrameGrabber grabber, Exception e) {
    String m = String.valueOf(e.getMessage());
    org.bytedeco.ffmpeg.avformat.AVFormatContext opened = grabber.getFormatContext();
    return opened != null && !opened.isNull() && opened.nb_streams() > 0
        && (m.startsWith("Did not find a video or audio stream") || m.startsWith("avcodec_find_decoder() error"));
  }

  /** The input's codecs that FFmpeg's FLV muxer refuses (as {@code avformat_query_codec} answers), or null. */
  static String codecsRtmpCannotCarry(FFmpegFrameGrabber grabber) {
    AVOutputFormat flv = avformat.av_guess_format("flv", null, null);
    StringBuilder foreign = new StringBuilder();
    for (int codec : new int[] {grabber.getVideoCodec(), grabber.getAudioCodec()}) {
      if (codec != avcodec.AV_CODEC_ID_NONE && avformat.avformat_query_codec(flv, codec, avcodec.FF_COMPLIANCE_NORMAL) != 1) {
        foreign.append(foreign.length() == 0 ? "" : " and ").append(avcodec.avcodec_get_name(codec).getString());
      }
    }
    return foreign.length() == 0 ? null : foreign.toString();
  }

  private FFmpegFrameGrabber openInput() {
    FFmpegFrameGrabber grabber = new UnlockedGrabber(config.inputUrl());
    inputOptions(config).forEach(grabber::setOption);
    return grabber;
  }

  /**
   * FFmpeg's options for the source: RTSP over TCP (FR-019: no UDP loss, one port through any firewall), and
   * the stall timeout as the socket timeout, so a silent source ends a read within it.
   */
  static Map<String, String> inputOptions(WorkerConfig config) {
    return inputOptions(config.inputUrl(), config.stallTimeout());
  }

  /** {@link #inputOptions(WorkerConfig)} for any reader of {@code url}, giving up on silence after {@code timeout}. */
  public static Map<String, String> inputOptions(String url, Duration timeout) {
    String micros = String.valueOf(timeout.toNanos() / 1000);
    return url.startsWith("rtsp://") ? Map.of("rtsp_transport", "tcp", "timeout", micros) : Map.of("rw_timeout", micros);
  }

  /** One read from the source: a packet or a frame, or null when it ended or stalled. */
  interface Read<T> {
    T next() throws FFmpegFrameGrabber.Exception;
  }

  /** Publishes one packet or frame. */
  interface Write<T> {
    void accept(T item) throws FFmpegFrameRecorder.Exception;
  }

  /**
   * True when javacv failed on /out itself (opening its connection, the RTMP handshake and header, writing a packet),
   * not on encoding or setting up the streams: javacv's exceptions say which only in their messages, which name the
   * FFmpeg call.
   */
  static boolean onOutput(FFmpegFrameRecorder.Exception e) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith("av_interleaved_write_frame") || m.startsWith("av_write_frame")) {
      // the muxer refusing a packet (out of order, no PTS: EINVAL, or invalid data) is the media's fault, not /out's
      java.util.regex.Matcher code = WRITE_ERROR.matcher(m);
      return !code.find() || !REFUSED_PACKET.contains(Integer.parseInt(code.group(1)));
    }
    return m.startsWith("avio_open2") || m.startsWith("avformat_write_header");
  }

  private static final java.util.regex.Pattern WRITE_ERROR = java.util.regex.Pattern.compile("\\(\\) error (-\\d+)");
  /** AVERROR(EINVAL) and AVERROR_INVALIDDATA (-MKTAG('I','N','D','A')), as numbers: avutil's class loads FFmpeg. */
  private static final java.util.Set<Integer> REFUSED_PACKET = java.util.Set.of(-22, -0x41444E49);

  /** Why a session's pump ended, and whether on /out's side. */
  record Ending(String cause, boolean outputSide) {
  }

  /**
   * Reads and publishes until the source ends or stalls, publishing fails or a stop; returns why, null for a stop.
   * A read that took the stall timeout ends the session after its item: javacv's grab() answers a failed read with
   * the pictures still in the decoder, one per call, and each call reads the source again, which an RTSP source
   * that went silent makes wait the whole timeout anew: seconds per buffered picture before the loss was seen.
   */
  <T> Ending forward(Read<T> read, Write<T> write) {
    return forward(read, write, () -> true);
  }

  /**
   * {@link #forward(Read, Write)}, sparing reads from the stall rule until something was published and {@code primed}
   * says so: in transcode the reads up to the first picture wait for the first decodable one (the next keyframe, the
   * decoder's threads filling), which a healthy source of long keyframe intervals or few pictures a second may take
   * long to give.
   */
  <T> Ending forward(Read<T> read, Write<T> write, java.util.function.BooleanSupplier primed) {
    String stalled = "source stalled (no data for " + config.stallTimeout().toMillis() + " ms)";
    // a read that came back empty before the stall timeout: the source's end (its connection closed), not a stall
    long stallNanos = config.stallTimeout().toNanos();
    boolean first = true;
    while (!stopRequested()) {
      followPublisher();
      T item;
      long asked = System.nanoTime();
      try {
        item = read.next();
      } catch (FFmpegFrameGrabber.Exception e) {
        return new Ending("read failed: " + firstLine(e), false);
      }
      if (item == null) {
        // FFmpeg's timeouts fire at their time or a little after: nine tenths of it tells them from an end
        return new Ending(System.nanoTime() - asked >= stallNanos * 9 / 10 ? stalled : "source ended (its connection closed)",
            false);
      }
      boolean waitedOut = !first && System.nanoTime() - asked >= stallNanos;
      try {
        write.accept(item);
      } catch (FFmpegFrameRecorder.Exception e) {
        return onOutput(e) ? new Ending("publish failed: " + firstLine(e), true)
            : new Ending("encoding failed: " + firstLine(e), false); // a new session sets the encoders up afresh
      }
      if (waitedOut) {
        return new Ending(stalled, false);
      }
      first = !primed.getAsBoolean();
    }
    return null;
  }

  private Ending remux(FFmpegFrameGrabber grabber, FFmpegFrameRecorder recorder, ChosenTracks tracks) {
    // FLV carries one video and one audio track: those the grabber chose, which the recorder was set up from
    // each input stream's time base, read once: a JavaCPP wrapper per packet would be garbage on the hot path
    int streams = grabber.getFormatContext().nb_streams();
    int[][] timeBases = new int[streams][];
    for (int i = 0; i < streams; i++) {
      org.bytedeco.ffmpeg.avutil.AVRational tb = grabber.getFormatContext().streams(i).time_base();
      timeBases[i] = new int[] {tb.num(), tb.den()};
    }
    MonotonicTimestamps timestamps = new MonotonicTimestamps(timeBases,
        (grabber.getVideoStream() >= 0 ? 1 : 0) + (grabber.getAudioStream() >= 0 ? 1 : 0), grabber.getAudioStream(),
        MAX_INTERLEAVE_DELTA);
    SourceClock clock = sourceClock();
    try {
      return forward(grabber::grabPacket, packet -> {
        try {
          int stream = packet.stream_index();
          int chosen = tracks.indexOf(stream);
          if (chosen < 0) {
            return; // a data track, or a second video or audio track
          }
          // /out's lag is timed on the source's own clock, read before mending: mended timestamps never go back, so
          // a source clock jumping back would stall them, look like lag, and never re-base OutputLag
          long micros = stream < streams
              ? micros(packet.dts() != avutil.AV_NOPTS_VALUE ? packet.dts() : packet.pts(), timeBases[stream][0], timeBases[stream][1])
              : avutil.AV_NOPTS_VALUE;
          long now = System.nanoTime();
          // jumps are told on DTS, which never steps back; a PTS steps back wherever B-frames reorder
          long session = packet.dts() != avutil.AV_NOPTS_VALUE ? clock.toSession(stream, micros, now)
              : clock.shifted(stream, micros, now);
          long shift = micros == avutil.AV_NOPTS_VALUE ? 0 : ticks(session - micros, timeBases[stream][0], timeBases[stream][1]);
          long[] mended = timestamps.mend(stream, shifted(packet.pts(), shift), shifted(packet.dts(), shift));
          if (mended == null) {
            return; // audio older than /out's first packet, which the muxer would refuse
          }
          packet.pts(mended[0]);
          packet.dts(mended[1]);
          packet.stream_index(chosen);
          recorder.recordPacket(packet);
          packets.incrementAndGet();
          if (micros != avutil.AV_NOPTS_VALUE) {
            outputLag.published(micros, now);
          }
        } finally {
          // grabPacket reads every packet into one AVPacket without releasing the last; recordPacket releases
          // only what it writes. Releasing an already released packet does nothing.
          avcodec.av_packet_unref(packet);
        }
      });
    } finally {
      clockJumps(clock);
      if (timestamps.mended() > 0) {
        LOG.warn("{} packets had timestamps out of order and were mended", timestamps.mended(),
            kv("event", "worker-timestamps-mended"), kv("packets", timestamps.mended()));
      }
      if (timestamps.dropped() > 0) {
        LOG.warn("{} audio packets older than /out's first were left out", timestamps.dropped(),
            kv("event", "worker-late-audio-dropped"), kv("packets", timestamps.dropped()));
      }
    }
  }

  /** A session's bridge over its source's clock jumps (see {@link SourceClock}). */
  private SourceClock sourceClock() {
    return new SourceClock(config.stallTimeout().toNanos() / 1000);
  }

  /** Logs the jumps of the source's clock that {@code clock} bridged in a session that has ended. */
  private static void clockJumps(SourceClock clock) {
    if (clock.jumps() > 0) {
      LOG.warn("the source's clock jumped ({} in the session, the last by {} ms); /out's time went on as time passed",
          clock.jumps(), clock.lastJumpMicros() / 1000, kv("event", "worker-clock-jumped"), kv("jumps", clock.jumps()));
    }
  }

  /** {@code micros} in ticks of time base {@code num/den}, rounded toward zero. */
  static long ticks(long micros, int num, int den) {
    if (micros == 0 || num == 0) {
      return 0;
    }
    try {
      return Math.multiplyExact(micros, (long) den) / (num * 1_000_000L);
    } catch (ArithmeticException overflow) { // a clock jumping between an epoch-based time and 0
      return java.math.BigInteger.valueOf(micros).multiply(java.math.BigInteger.valueOf(den))
          .divide(java.math.BigInteger.valueOf(num * 1_000_000L)).longValueExact();
    }
  }

  private static long shifted(long timestamp, long shift) {
    return timestamp == avutil.AV_NOPTS_VALUE ? timestamp : timestamp + shift;
  }

  /** A packet timestamp in microseconds from its time base {@code num/den}, in Java: no native call per packet. */
  static long micros(long timestamp, int num, int den) {
    if (timestamp == avutil.AV_NOPTS_VALUE || den == 0) {
      return avutil.AV_NOPTS_VALUE;
    }
    return timestamp * 1_000_000L / den * num;
  }

  private Ending transcode(FFmpegFrameGrabber grabber, FFmpegFrameRecorder recorder, FrameProcessor processor) {
    long[] firstVideoMicros = {Long.MIN_VALUE};
    AudioClock audioClock = new AudioClock(grabber.hasVideo());
    // /out has an audio track when the source declared one (configureEncoder). Silence takes the layout of the
    // source's audio once it came (a change would rebuild the recorder's resampler), planar float before.
    boolean audioOut = grabber.getAudioChannels() > 0;
    Frame[] audioLayout = {audioOut ? AudioClock.silence(grabber.getSampleRate(), grabber.getAudioChannels(), 0) : null};
    boolean[] audioCame = {false};
    SourceClock clock = sourceClock();
    try {
      return forward(grabber::grab, frame -> {
        long now = System.nanoTime();
        if (frame.image != null) {
          long source = frame.timestamp; // before the step or the recorder can touch the frame
          long session = clock.toSession(0, source, now);
          // Video time counts from the session's first frame, as the encoded audio's does from its first sample
          // (a live source's clock starts anywhere).
          if (firstVideoMicros[0] == Long.MIN_VALUE) {
            firstVideoMicros[0] = session;
          }
          long at = placePicture(session - firstVideoMicros[0], recorder.getTimestamp(), recorder.getFrameRate());
          if (at < 0) {
            return;
          }
          Frame out = processor.processVideo(frame);
          if (at > recorder.getTimestamp()) {
            recorder.setTimestamp(at);
          }
          recorder.record(out);
          packets.incrementAndGet();
          outputLag.published(source, now);
          if (audioOut) {
            // audio that stopped, or has not come yet, is kept up with silence (see AudioClock.LAG_MICROS)
            recordSilence(recorder, audioClock, audioClock.behind(at, grabber.getSampleRate()), audioLayout[0]);
          }
        } else if (frame.samples != null) {
          long source = frame.timestamp; // before the recorder consumes the frame
          long session = clock.toSession(1, source, now);
          // The encoded audio's time counts its samples from the first one recorded. A reader joins a live
          // path between keyframes, and audio decodes at once while video waits for the next keyframe: audio
          // from before the first picture would lead the video by up to a keyframe interval, for the session.
          boolean beforeFirstPicture = grabber.hasVideo()
              && (firstVideoMicros[0] == Long.MIN_VALUE || session < firstVideoMicros[0]);
          long silence = beforeFirstPicture ? -1
              : audioClock.place(session - (grabber.hasVideo() ? firstVideoMicros[0] : 0), frame.sampleRate);
          if (!beforeFirstPicture) {
            audioClock.came();
          }
          if (silence >= 0) {
            if (!audioCame[0]) {
              audioCame[0] = true;
              audioLayout[0] = AudioClock.silence(frame, 0); // its layout only: the recorder consumes the frame's buffers
            }
            recordSilence(recorder, audioClock, silence, frame);
            audioClock.written(frame); // counted before the recorder consumes the buffers
            recorder.record(frame);
            // only what was published: a session that published nothing must not start its reconnects afresh
            packets.incrementAndGet();
            outputLag.published(source, now);
          }
        }
      }, () -> firstVideoMicros[0] != Long.MIN_VALUE || !grabber.hasVideo());
    } finally {
      clockJumps(clock);
      if (audioClock.dropped() > 0) {
        LOG.warn("{} audio frames behind the audio already written were left out", audioClock.dropped(),
            kv("event", "worker-late-audio-dropped"), kv("frames", audioClock.dropped()));
      }
    }
  }

  /** Records {@code perChannel} samples of silence in the layout of {@code like}, in pieces, counted on {@code clock}. */
  private static void recordSilence(FFmpegFrameRecorder recorder, AudioClock clock, long perChannel, Frame like)
      throws FFmpegFrameRecorder.Exception {
    while (perChannel > 0) {
      Frame quiet = AudioClock.silence(like, (int) Math.min(perChannel, AudioClock.MAX_PIECE));
      perChannel -= AudioClock.samplesPerChannel(quiet);
      clock.written(quiet);
      recorder.record(quiet);
    }
  }

  /**
   * Where a picture of source time {@code micros} goes on the encoder's grid of 1/fps slots, whose next free slot
   * is at {@code nextSlot}: its own time when the source is ahead (a gap), the next slot when it is within one
   * slot, or -1 to drop it when it is a whole slot behind. The encoder's rate comes from the source's nominal
   * one (or 25 when unknown); below the real rate, pictures stepped one slot on each would run ahead of the audio,
   * which keeps real time, by seconds a minute. Dropping, as ffmpeg's constant-frame-rate output does, keeps both.
   */
  static long placePicture(long micros, long nextSlot, double fps) {
    if (micros > nextSlot) {
      return micros;
    }
    return nextSlot - micros >= Math.round(1_000_000 / fps) ? -1 : nextSlot;
  }

  private static void configureEncoder(FFmpegFrameRecorder recorder, FFmpegFrameGrabber grabber) {
    double fps = grabber.getFrameRate() > 0 && grabber.getFrameRate() < 121 ? grabber.getFrameRate() : 25;
    recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
    recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
    recorder.setFrameRate(fps);
    recorder.setGopSize((int) Math.round(fps));
    recorder.setVideoBitrate(Math.max(grabber.getVideoBitrate(), 1_000_000));
    recorder.setVideoOption("preset", "veryfast");
    recorder.setVideoOption("tune", "zerolatency");
    if (grabber.getAudioChannels() > 0) {
      recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
      recorder.setSampleRate(grabber.getSampleRate());
      recorder.setAudioBitrate(128_000);
    }
  }

  /** The processing step named {@code name}, from the classpath's {@link FrameProcessor} services. */
  static FrameProcessor processor(String name) {
    StringBuilder known = new StringBuilder();
    java.util.Iterator<FrameProcessor> steps = ServiceLoader.load(FrameProcessor.class).iterator();
    // Bounded: after a broken entry the loader goes on to the next one, but a loop must not depend on it.
    for (int entries = 0; entries < MAX_STEP_ENTRIES; entries++) {
      FrameProcessor p;
      try {
        if (!steps.hasNext()) {
          break;
        }
        p = steps.next();
      } catch (java.util.ServiceConfigurationError broken) {
        // One jar's broken step (a class missing, a constructor failing) must not take the others down.
        LOG.warn("a processing step cannot be loaded and is left out: {}", broken.getMessage(),
            kv("event", "worker-step-broken"));
        continue;
      }
      if (p.name().equals(name)) {
        return p;
      }
      known.append(known.length() == 0 ? "" : ", ").append(p.name());
      // made only to be asked its name: what its constructor took (a native context) goes back now, not never
      close(p, "processing step " + p.name());
    }
    throw new IllegalArgumentException("unknown processing step '" + name + "' (available: " + known + ")");
  }

  /**
   * How far the muxer lets one track run ahead while it waits for the other's packets. Above the gaps between
   * a live source's audio packets, far below FFmpeg's 10 s: what a source with silent audio adds to /out's latency.
   */
  static final Duration MAX_INTERLEAVE_DELTA = Duration.ofMillis(200);

  /**
   * The same bound when transcoding, longer: the encoders' output is not floored like a remux's packets
   * (MonotonicTimestamps), so the muxer's ordering must absorb a source whose audio comes late; an encoder adds its
   * own delay there anyway.
   */
  static final Duration MAX_INTERLEAVE_DELTA_TRANSCODE = Duration.ofSeconds(1);

  /** More step entries than any classpath holds: the bound of {@link #processor}'s loop. */
  private static final int MAX_STEP_ENTRIES = 1000;

  /** The first line of javacv's message, without FFmpeg's hint, and with the URLs it quotes shown without credentials. */
  private String firstLine(Exception e) {
    String line = io.mtxtoolkit.core.Texts.mediaError(e.getMessage());
    for (String url : new String[] {config.inputUrl(), config.outputUrl()}) {
      line = line.replace(url, shown(url));
    }
    return line;
  }

  /** A URL as lines and reasons show it: a {@code user:password@} (MediaMTX's authInternalUsers) left out. */
  private static String shown(String url) {
    return io.mtxtoolkit.core.Urls.withoutUserInfo(url);
  }

  /*
   * javacv runs start and release under one process-wide lock (avcodec.class), kept from FFmpeg before 4,
   * whose codec open was not thread-safe. Both do network I/O (connect and RTMP handshake, the trailer, the
   * RTSP TEARDOWN), so in-process workers would queue behind one slow peer: a stalled /out would hold up
   * every other stream's start and stop. These take the unlocked paths; the grabber's open already does.
   */

  /** A recorder whose start (also {@code start(AVFormatContext)}) and release skip javacv's global lock. */
  static final class UnlockedRecorder extends FFmpegFrameRecorder {
    UnlockedRecorder(String url, int width, int height, int audioChannels) {
      super(url, width, height, audioChannels);
    }

    @Override
    public void start() throws FFmpegFrameRecorder.Exception {
      startUnsafe();
    }

    @Override
    public void release() throws FFmpegFrameRecorder.Exception {
      releaseUnsafe();
    }
  }

  /** A grabber whose release (so close and stop) skips javacv's global lock. */
  public static final class UnlockedGrabber extends FFmpegFrameGrabber {
    public UnlockedGrabber(String url) {
      super(url);
    }

    @Override
    public void release() throws FFmpegFrameGrabber.Exception {
      releaseUnsafe();
    }
  }

  /** Closes {@code c}, named {@code what} in the line a failure gets (a peer gone at close is common: WARN, not more). */
  private static void close(AutoCloseable c, String what) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", what, io.mtxtoolkit.core.Texts.mediaError(e.getMessage()), kv("event", "worker-close-failed"));
    }
  }
}
