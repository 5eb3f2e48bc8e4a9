package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mtxtoolkit.core.path.StreamId;
import java.util.Arrays;
import java.util.List;
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

  @Test
  void ffmpegsTextIsNeverTheLinesPattern() throws Exception {
    ILoggingEvent line = logFromAThreadWithoutFields("bad {} placeholder");
    assertThat(line.getFormattedMessage()).isEqualTo("bad {} placeholder");
    assertThat(arguments(line)).contains("event=ffmpeg");
  }

  @Test
  void aPerFrameErrorIsLoggedAFewTimesPerWindowAndTheNextLineCountsWhatWasLeftOut() throws Exception {
    listenedCallback();
    long[] now = {0};
    FfmpegLog callback = new FfmpegLog(() -> now[0]);
    MDC.put("streamId", "cam7");
    try {
      for (int mb = 0; mb < 40; mb++) {
        // each decoder thread's own context: another address in the prefix, the same message
        callback.call(avutil.AV_LOG_ERROR, new BytePointer("[h264 @ 0x7f3a4c0" + Integer.toHexString(0xa0 + mb % 4)
            + "] error while decoding MB " + mb + " 17"));
      }
      callback.call(avutil.AV_LOG_ERROR, new BytePointer("another message"));
      MDC.put("streamId", "cam8");
      callback.call(avutil.AV_LOG_ERROR, new BytePointer("[h264 @ 0x7f3a4c0a0] error while decoding MB 3 4"));
      MDC.put("streamId", "cam7");
      now[0] = FfmpegLog.WINDOW.toNanos();
      callback.call(avutil.AV_LOG_ERROR, new BytePointer("[h264 @ 0x55d0beef] error while decoding MB 99 1"));
    } finally {
      MDC.remove("streamId");
    }
    List<ILoggingEvent> decoding = lines.list.stream()
        .filter(e -> e.getFormattedMessage().contains("error while decoding")).toList();
    assertThat(decoding).as("a burst per stream and window, then the next window's first line").hasSize(FfmpegLog.BURST + 2);
    assertThat(arguments(decoding.get(decoding.size() - 1))).contains("similarLeftOut=" + (40 - FfmpegLog.BURST));
    assertThat(arguments(decoding.get(0))).doesNotContain("similarLeftOut");
    assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().equals("another message"));
  }

  @Test
  void aThumbnailsFailuresAreDebugLines() throws Exception {
    FfmpegLog callback = listenedCallback();
    ffmpeg.setLevel(ch.qos.logback.classic.Level.DEBUG);
    MDC.put(FfmpegLog.PURPOSE, FfmpegLog.THUMBNAIL);
    try {
      callback.call(avutil.AV_LOG_ERROR, new BytePointer("method DESCRIBE failed: 404 Not Found"));
    } finally {
      MDC.remove(FfmpegLog.PURPOSE);
      ffmpeg.setLevel(null);
    }
    ILoggingEvent line = lines.list.stream().filter(e -> e.getFormattedMessage().startsWith("method DESCRIBE")).findFirst().orElseThrow();
    assertThat(line.getLevel().toString()).isEqualTo("DEBUG");
  }

  /** A worker opening its source: FFmpeg's "Connection refused" is the cause its own reconnect line gives, at WARN. */
  @Test
  void failuresWhileASourceOpensAreWarnings() throws Exception {
    FfmpegLog callback = listenedCallback();
    MDC.put(FfmpegLog.PURPOSE, FfmpegLog.CONNECTING);
    try {
      callback.call(avutil.AV_LOG_ERROR, new BytePointer("Connection to tcp://127.0.0.1:1 failed: Connection refused"));
    } finally {
      MDC.remove(FfmpegLog.PURPOSE);
    }
    callback.call(avutil.AV_LOG_ERROR, new BytePointer("Connection to tcp://127.0.0.1:2 failed: Connection refused"));
    assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().startsWith("Connection to"))
        .extracting(e -> e.getLevel().toString()).containsExactly("WARN", "ERROR");
  }
}
