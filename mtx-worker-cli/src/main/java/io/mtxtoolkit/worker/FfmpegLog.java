package io.mtxtoolkit.worker;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private FfmpegLog() {}

  /** From now on FFmpeg's errors (and worse) of the whole process go to SLF4J; lesser messages are dropped. */
  public static synchronized void install() {
    if (!installed) {
      avutil.setLogCallback(INSTANCE);
      installed = true;
    }
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
  }

  @Override
  public void call(int level, BytePointer message) {
    String text = message.getString(StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return;
    }
    if (level <= avutil.AV_LOG_ERROR) {
      LOG.error(text, kv("event", "ffmpeg"), kv("ffmpegLevel", level));
    } else if (level <= avutil.AV_LOG_WARNING) {
      LOG.warn(text, kv("event", "ffmpeg"), kv("ffmpegLevel", level));
    } else {
      LOG.info(text, kv("event", "ffmpeg"), kv("ffmpegLevel", level));
    }
  }
}
