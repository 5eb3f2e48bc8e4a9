package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mtxtoolkit.core.path.StreamId;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** FFmpeg's messages as log lines: the calling thread's fields, or the worker process's on FFmpeg's own threads. */
class FfmpegLogTest {
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger ffmpeg = (Logger) LoggerFactory.getLogger("ffmpeg");

  @AfterEach
  void detach() {
    ffmpeg.detachAppender(lines);
    FfmpegLog.processFields(Map.of());
  }

  /** The callback FFmpeg calls, with this test's appender listening. */
  private FfmpegLog listenedCallback() throws ReflectiveOperationException {
    lines.start();
    ffmpeg.addAppender(lines);
    java.lang.reflect.Field instance = FfmpegLog.class.getDeclaredField("INSTANCE");
    instance.setAccessible(true);
    return (FfmpegLog) instance.get(null);
  }

  /** Logs {@code text} through the callback on a fresh thread, which has no MDC (as FFmpeg's own threads). */
  private ILoggingEvent logFromAThreadWithoutFields(String text) throws Exception {
    FfmpegLog callback = listenedCallback();
    Thread decoder = new Thread(() -> callback.call(avutil.AV_LOG_ERROR, new BytePointer(text)));
    decoder.start();
    decoder.join(5000);
    return lines.list.stream().filter(e -> e.getFormattedMessage().equals(text)).findFirst().orElseThrow();
  }

  private static String arguments(ILoggingEvent line) {
    return Arrays.toString(line.getArgumentArray());
  }

  @Test
  void aLineFromFfmpegsOwnThreadCarriesTheWorkerProcesssFields() throws Exception {
    FfmpegLog.processFields(StreamWorker.fields(StreamId.of("cam7"), "conn-3"));
    ILoggingEvent line = logFromAThreadWithoutFields("non-existing PPS 0 referenced");
    assertThat(arguments(line)).contains("event=ffmpeg", "streamId=cam7", "path=live/cam7/in", "sourceId=conn-3");
    assertThat(line.getLevel().toString()).isEqualTo("ERROR");
  }

  @Test
  void aThreadWithItsOwnFieldsKeepsThemAlone() throws Exception {
    FfmpegLog.processFields(StreamWorker.fields(StreamId.of("cam7"), ""));
    MDC.put("streamId", "other");
    try {
      listenedCallback().call(avutil.AV_LOG_WARNING, new BytePointer("mine"));
    } finally {
      MDC.remove("streamId");
    }
    ILoggingEvent line = lines.list.stream().filter(e -> e.getFormattedMessage().equals("mine")).findFirst().orElseThrow();
    assertThat(arguments(line)).doesNotContain("cam7");
    assertThat(line.getMDCPropertyMap()).containsEntry("streamId", "other");
  }
}
