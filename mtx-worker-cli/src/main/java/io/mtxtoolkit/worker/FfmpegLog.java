package io.mtxtoolkit.worker;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import net.logstash.logback.argument.StructuredArguments;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * FFmpeg's own messages (av_log) as log lines of this process. Left alone, FFmpeg writes plain text to
 * stderr: in the orchestrator (in-process workers, status-page thumbnails) that is neither JSON nor tied
 * to a stream. Routed here, each message is a JSON line carrying the calling thread's correlation fields
 * (a worker's streamId, path and sourceId), with event {@code ffmpeg}.
 */
public final class FfmpegLog extends LogCallback {
  private static final Logger LOG = LoggerFactory.getLogger("ffmpeg");
  /** MDC key naming what the calling thread's FFmpeg work is for; see {@link #THUMBNAIL}. */
  public static final String PURPOSE = "purpose";
  /**
   * {@link #PURPOSE} of a status-page thumbnail grab: its failures are expected (a stream with no {@code /out}
   * yet) and would otherwise put an ERROR line in the orchestrator's log each time a page asks; they go to DEBUG.
   */
  public static final String THUMBNAIL = "thumbnail";
  /**
   * {@link #PURPOSE} of a worker opening its source: FFmpeg's failures there ("Connection refused" twice per attempt,
   * javacv opening twice) are the worker's reconnect and verdict lines' causes, which say how it went; WARN, not ERROR.
   */
  public static final String CONNECTING = "connecting";
  /**
   * A decoder on a lossy input reports an error per frame: at most this many lines of one shape (digits aside)
   * per stream and {@link #WINDOW}; the next line of that shape after the window says how many were left out.
   */
  static final int BURST = 5;
  static final Duration WINDOW = Duration.ofSeconds(10);
  /** Shapes remembered at most; past it the memory starts over (a burst more, never unbounded). */
  private static final int MAX_SHAPES = 1024;
  /** Held here: the native side keeps only a pointer to the callback. */
  private static final FfmpegLog INSTANCE = new FfmpegLog(System::nanoTime);
  private static boolean installed;
  /** Fields for a line from a thread with none of its own: FFmpeg's own threads (a decoder's) in a worker process. */
  private static volatile Map<String, String> processFields = Map.of();

  private final LongSupplier nanoTime;
  private final Map<String, Burst> bursts = new ConcurrentHashMap<>();

  /** Lines of one shape in the current window. */
  private static final class Burst {
    long start;
    int lines;
    int leftOut;
  }

  FfmpegLog(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** From now on FFmpeg's errors (and worse) of the whole process go to SLF4J; lesser messages are dropped. */
  public static synchronized void install() {
    if (!installed) {
      avutil.setLogCallback(INSTANCE);
      installed = true;
    }
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
  }

  /** For a process that serves one stream (a worker process): its fields, for lines from threads without any. */
  public static void processFields(Map<String, String> fields) {
    processFields = Map.copyOf(fields);
  }

  @Override
  public void call(int level, BytePointer message) {
    String text = message.getString(StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return;
    }
    Map<String, String> own = MDC.getCopyOfContextMap();
    Map<String, String> fields = own == null || own.isEmpty() ? processFields : own;
    int leftOut = admit(fields.getOrDefault("streamId", "") + '\n' + text.replaceAll("0x[0-9a-fA-F]+|\\d+", "#"));
    if (leftOut < 0) {
      return;
    }
    List<Object> args = new ArrayList<>(List.of(text, kv("event", "ffmpeg"), kv("ffmpegLevel", level),
        StructuredArguments.entries(fields == own ? Map.of() : processFields)));
    if (leftOut > 0) {
      args.add(kv("similarLeftOut", leftOut));
    }
    Level as = THUMBNAIL.equals(fields.get(PURPOSE)) ? Level.DEBUG
        : level <= avutil.AV_LOG_ERROR ? (CONNECTING.equals(fields.get(PURPOSE)) ? Level.WARN : Level.ERROR)
        : level <= avutil.AV_LOG_WARNING ? Level.WARN : Level.INFO;
    // FFmpeg's text is an argument, never the pattern: a "{}" in it would swallow the fields.
    LOG.atLevel(as).log("{}", args.toArray());
  }

  /**
   * Whether a line of {@code shape} is logged now: -1 to leave it out, else how many lines of its shape the
   * window before left out (0 usually).
   */
  private int admit(String shape) {
    long now = nanoTime.getAsLong();
    if (bursts.size() > MAX_SHAPES) {
      bursts.clear();
    }
    Burst b = bursts.computeIfAbsent(shape, s -> {
      Burst fresh = new Burst();
      fresh.start = now;
      return fresh;
    });
    synchronized (b) {
      int reported = 0;
      if (now - b.start >= WINDOW.toNanos()) {
        reported = b.leftOut;
        b.start = now;
        b.lines = 0;
        b.leftOut = 0;
      }
      if (b.lines >= BURST) {
        b.leftOut++;
        return -1;
      }
      b.lines++;
      return reported;
    }
  }
}
