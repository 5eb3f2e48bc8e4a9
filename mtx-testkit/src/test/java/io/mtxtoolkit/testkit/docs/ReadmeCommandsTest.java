package io.mtxtoolkit.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ServiceProcess;
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

  @Test
  void withADurationBothPrintedCommandsEndOnTheirOwn(@TempDir Path dir) throws Exception {
    ReadmeCommands.requireTool("ffmpeg", "ffmpeg");
    ReadmeCommands.requireTool("gst-launch-1.0", "gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad "
        + "gstreamer1.0-plugins-ugly gstreamer1.0-libav");
    TestStreamOptions twoSeconds = TestStreamOptions.defaults().withDuration(Duration.ofMillis(2500));
    assertThat(FfmpegCommands.publish(DEFAULT_URL, twoSeconds)).contains(" -t 2.5 -f flv ");
    for (String command : new String[] {FfmpegCommands.publish(DEFAULT_URL, twoSeconds),
        FfmpegCommands.publishGstreamer(DEFAULT_URL, twoSeconds)}) {
      int port = FreePorts.tcp();
      Path log = dir.resolve("duration.log");
      try (RtmpSink sink = RtmpSink.listen("rtmp://127.0.0.1:" + port + "/live/test/in", Duration.ofSeconds(30))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Process p = ReadmeCommands.process(command, port, 0, log).start();
        while (!p.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS) || p.exitValue() != 0 && sink.packetCount() == 0) {
          if (System.nanoTime() > deadline) {
            p.destroyForcibly();
            throw new AssertionError("not done after 30 s: " + command + "\n" + Files.readString(log));
          }
          if (!p.isAlive()) {
            p = ReadmeCommands.process(command, port, 0, log).start(); // it found no listener yet (see runAgainstSink)
          }
        }
        assertThat(p.exitValue()).as("%s\n%s", command, Files.readString(log)).isZero();
        sink.awaitPackets(50, Duration.ofSeconds(5)); // 2.5 s of video and audio is well over 50 packets
      }
    }
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
        ServiceProcess.stopTree(p, Duration.ofSeconds(5)); // a bash -c command: what it started, too
      }
      assertThat(sink.videoCodec()).as("video codec").isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(sink.audioCodec()).as("audio codec").isEqualTo(avcodec.AV_CODEC_ID_AAC);
    }
  }
}
