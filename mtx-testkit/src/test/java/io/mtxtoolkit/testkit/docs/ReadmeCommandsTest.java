package io.mtxtoolkit.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.stream.FfmpegCommands;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's publish commands, run as printed (port changed) against a real RTMP peer: FFmpeg's own
 * listener. The reading and bypass commands need MediaMTX and live in ReadmeCommandsMediaMtxTest.
 */
class ReadmeCommandsTest {
  private static final String DEFAULT_URL = "rtmp://localhost:1935/live/test/in";
  private final Map<String, String> commands = ReadmeCommands.load();

  @Test
  void everyDocumentedCommandIsThere() {
    assertThat(commands).containsKeys("publish-ffmpeg", "publish-gstreamer", "publish-testkit", "read-ffplay",
        "read-ffprobe", "read-ffmpeg", "read-gstreamer", "play-testkit", "bypass-gstreamer");
    assertThat(commands.get("read-ffplay")).isEqualTo("ffplay rtsp://localhost:8554/live/test/in");
    assertThat(commands.get("read-gstreamer")).contains("protocols=tcp");
  }

  @Test
  void test_ffmpeg_test_command_generation_readmeShowsWhatTheTestKitPrints() {
    assertThat(commands.get("publish-ffmpeg")).isEqualTo(FfmpegCommands.publish(DEFAULT_URL, TestStreamOptions.defaults()));
    assertThat(commands.get("publish-gstreamer"))
        .isEqualTo(FfmpegCommands.publishGstreamer(DEFAULT_URL, TestStreamOptions.defaults()));
  }

  @Test
  void ffmpegPublishCommandSendsH264AndAac(@TempDir Path dir) throws Exception {
    ReadmeCommands.requireTool("ffmpeg", "ffmpeg");
    runAgainstSink(commands.get("publish-ffmpeg"), dir);
  }

  @Test
  void gstreamerPublishCommandSendsH264AndAac(@TempDir Path dir) throws Exception {
    ReadmeCommands.requireTool("gst-launch-1.0", "gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad "
        + "gstreamer1.0-plugins-ugly gstreamer1.0-libav");
    runAgainstSink(commands.get("publish-gstreamer"), dir);
  }

  private static void runAgainstSink(String command, Path dir) throws Exception {
    int port = FreePorts.tcp();
    Path log = dir.resolve("command.log");
    try (RtmpSink sink = RtmpSink.listen("rtmp://127.0.0.1:" + port + "/live/test/in", Duration.ofSeconds(30))) {
      // The listener binds a moment after it is created, and a publisher that finds no listener exits:
      // start the command again until the sink has the stream (bounded by the deadline).
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Process p = ReadmeCommands.process(command, port, 0, log).start();
      try {
        while (sink.packetCount() < 50) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the command delivered " + sink.packetCount() + " packets in 30 s; its output:\n"
                + Files.readString(log));
          }
          if (!p.isAlive() && sink.packetCount() == 0) {
            p = ReadmeCommands.process(command, port, 0, log).start();
          }
          p.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      } finally {
        p.destroy();
        p.waitFor();
      }
      assertThat(sink.videoCodec()).as("video codec").isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(sink.audioCodec()).as("audio codec").isEqualTo(avcodec.AV_CODEC_ID_AAC);
    }
  }
}
