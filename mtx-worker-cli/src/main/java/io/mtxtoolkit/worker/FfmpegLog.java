package io.mtxtoolkit.worker;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.logstash.logback.argument.StructuredArguments;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * FFmpeg's own messages (av_log) as log lines of this process. Left alone, FFmpeg writes plain text to
 * stderr: in the orchestrator (in-process workers, status-page thumbnails) that is neither JSON nor tied
 * to a stream. Routed here, each message is a JSON line carrying the calling thread's correlation fields
 * (a worker's streamId, path and sourceId), with event {@code ffmpeg}.
 */
public final class FfmpegLog extends LogCallback {
  private static final Logger LOG = LoggerFactory.getLogger("ffmpeg");
  /** Held here: the native side keeps only a pointer to the callback. */
  private static final FfmpegLog INSTANCE = new FfmpegLog();
  private static boolean installed;
  /** Fields for a line from a thread with none of its own: FFmpeg's own threads (a decoder's) in a worker process. */
  private static volatile Map<String, String> processFields = Map.of();

  private FfmpegLog() {}

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
    Object[] args = {kv("event", "ffmpeg"), kv("ffmpegLevel", level),
        StructuredArguments.entries(own == null || own.isEmpty() ? processFields : Map.of())};
    if (level <= avutil.AV_LOG_ERROR) {
      LOG.error(text, args);
    } else if (level <= avutil.AV_LOG_WARNING) {
      LOG.warn(text, args);
    } else {
      LOG.info(text, args);
    }
  }
}
