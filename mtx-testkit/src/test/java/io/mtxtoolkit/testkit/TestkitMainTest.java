package io.mtxtoolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.stream.FfmpegCommands;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestkitMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return TestkitMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void mediamtxPrintsTheBinaryAnExplicitSettingNames(@TempDir Path dir) throws Exception {
    Path bin = Files.writeString(dir.resolve("mediamtx"), "#!/bin/sh\necho v1.16.3\n");
    assertThat(bin.toFile().setExecutable(true)).isTrue();
    System.setProperty("mediamtx.bin", bin.toString());
    try {
      assertThat(run("mediamtx")).as(err.toString()).isZero();
      assertThat(out.toString().strip()).isEqualTo(bin.toString());
    } finally {
      System.clearProperty("mediamtx.bin");
    }
  }

  @Test
  void test_ffmpeg_test_command_generation() {
    String url = "rtmp://localhost:1935/live/test/in";
    assertThat(run("publish", "--url", url, "--print-ffmpeg")).isZero();
    assertThat(out.toString().strip()).isEqualTo(FfmpegCommands.publish(url, TestStreamOptions.defaults()))
        .contains("-c:v libx264", "-c:a aac", "-g 25", "-f flv " + url);
    out.getBuffer().setLength(0);
    assertThat(run("publish", "--url", url, "--print-gstreamer", "--size", "640x360", "--fps", "30")).isZero();
    assertThat(out.toString()).contains("width=640,height=360,framerate=30/1", "key-int-max=30", "rtmpsink location=" + url);
  }

  @Test
  void publishesForADurationAndEnds() throws Exception {
    String url = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/cli/in";
    try (RtmpSink sink = RtmpSink.listen(url, Duration.ofSeconds(30))) {
      CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int c;
        do {
          c = run("publish", "--url", url, "--duration", "1.2", "--timecode");
        } while (c == 4 && System.nanoTime() < deadline);
        return c;
      });
      assertThat(code.get()).isZero();
      assertThat(out.toString()).contains("published 30 frames");
      // The sink learns the codecs on its own thread; wait until it has read the stream.
      sink.awaitPackets(20, Duration.ofSeconds(10));
      assertThat(sink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
    }
  }

  @Test
  void republishesAFileInALoopWithoutReencoding(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("clip.flv");
    // A one-second clip made by the test kit itself.
    org.bytedeco.javacv.FFmpegFrameRecorder rec = new org.bytedeco.javacv.FFmpegFrameRecorder(file.toString(), 320, 240, 1);
    rec.setFormat("flv");
    rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
    rec.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
    rec.setFrameRate(25);
    rec.setGopSize(25);
    rec.setSampleRate(48_000);
    rec.start();
    var pattern = new io.mtxtoolkit.testkit.stream.TestPattern(320, 240, 48_000, 1000);
    for (int i = 0; i < 25; i++) {
      rec.record(pattern.videoFrame(i), org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24);
      rec.recordSamples(48_000, 1, pattern.audioForFrame(25));
    }
    rec.close();

    String url = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/loop/in";
    try (RtmpSink sink = RtmpSink.listen(url, Duration.ofSeconds(30))) {
      int code = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline) {
        code = run("publish", "--url", url, "--source", file.toString(), "--loop", "--duration", "2.5");
        if (code == 0) {
          break;
        }
      }
      assertThat(code).as(err.toString()).isZero();
      sink.awaitPackets(100, Duration.ofSeconds(10));
      assertThat(sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO)).as("timestamps carry on across loops").isSorted();
      assertThat(sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO).size()).isGreaterThan(40);
    }
  }

  @Test
  void badInputGetsClearMessagesAndDistinctCodes(@TempDir Path dir) {
    assertThat(run("publish", "--url", "http://x/live/a/in")).isEqualTo(3);
    assertThat(err.toString()).contains("invalid URL");
    assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/a/in", "--duration", "1")).isEqualTo(4);
    assertThat(err.toString()).contains("cannot publish to");
    assertThat(run("publish", "--url", "rtmp://h/live/a/in", "--size", "big")).isEqualTo(3);
    try (java.net.ServerSocket hangsUp = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(() -> {
        try {
          hangsUp.accept().close();
        } catch (java.io.IOException ignored) {
          // the test closes the socket
        }
      });
      assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + hangsUp.getLocalPort() + "/live/a/in", "--duration", "1"))
          .as("a server that answers and hangs up refused the stream").isEqualTo(6);
      assertThat(err.toString()).contains("refused the stream");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(run("play", "--url", "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/a/in", "--timeout", "1")).isEqualTo(4);
    assertThat(err.toString()).contains("cannot read");
    assertThat(run("play", "--url", "ftp://x")).isEqualTo(3);
    assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/a/in", "--source",
        dir.resolve("missing.mp4").toString())).isIn(4, 5);
    assertThat(run()).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(run("--version")).isZero();
  }

  @Test
  void playReportsJsonAndWritesASnapshot(@TempDir Path dir) throws Exception {
    String url = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/p/in";
    Path png = dir.resolve("frame.png");
    CompletableFuture<Integer> played = CompletableFuture.supplyAsync(() -> {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int c;
      do {
        c = run("play", "--url", url, "--duration", "2", "--json", "--snapshot", png.toString(), "--timeout", "3");
      } while (c == 4 && System.nanoTime() < deadline);
      return c;
    });
    try (var server = io.mtxtoolkit.testkit.stream.TestStreamPublisher.serve(url, TestStreamOptions.defaults(), Duration.ofSeconds(20))) {
      assertThat(played.get()).as(err.toString()).isZero();
    }
    assertThat(out.toString()).contains("\"videoCodec\":\"h264\"", "\"audioCodec\":\"aac\"", "\"width\":320");
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(320);
  }
}
