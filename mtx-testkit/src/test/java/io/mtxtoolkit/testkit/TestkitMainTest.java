package io.mtxtoolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ProcessRun;
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

  private static String sinkUrl(String path) {
    return "rtmp://127.0.0.1:" + FreePorts.tcp() + "/" + path;
  }

  /** An RTMP sink at {@code url}, returned once it listens. */
  private static RtmpSink listening(String url) {
    return RtmpSink.listen(url, Duration.ofSeconds(30));
  }

  /** A file with two audio tracks (and two video tracks): each published track carries one input track. */
  @Test
  void republishesAFileWithSeveralTracksOfATypeOneTrackEach(@TempDir Path dir) throws Exception {
    Path a = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("a.flv"), 0, 25, true);
    Path b = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("b.flv"), 0, 25, true, 160, 120);
    Path both = io.mtxtoolkit.testkit.stream.MultiTrack.mux(dir.resolve("both.mkv"), a, b);
    String url = sinkUrl("live/multi/in");
    try (RtmpSink sink = listening(url)) {
      assertThat(run("publish", "--url", url, "--source", both.toString())).as(err.toString()).isZero();
      assertThat(sink.awaitEnd(Duration.ofSeconds(15))).isTrue();
      assertThat(sink.error()).isNull();
      assertThat(sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO)).as("one track's 25 pictures")
          .hasSize(25).isSorted();
      java.util.List<Long> audio = sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO);
      assertThat(audio).as("one track's audio, not two interleaved").isSorted().doesNotHaveDuplicates();
      assertThat(sink.videoSize()).as("the track the output was set up from").isEqualTo("160x120");
    }
  }

  /** A one-second H.264 + AAC (or VP8) clip in {@code name}'s container, made by Debian's ffmpeg. */
  private static Path clip(Path dir, String name, String... codecs) {
    Path ffmpeg = io.mtxtoolkit.testkit.process.Tools.require("ffmpeg", "ffmpeg");
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(ffmpeg.toString(), "-v", "error",
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine", "-t", "1"));
    cmd.addAll(java.util.List.of(codecs));
    cmd.add(dir.resolve(name).toString());
    io.mtxtoolkit.testkit.process.ProcessRun.Result r = io.mtxtoolkit.testkit.process.ProcessRun.run(
        new ProcessBuilder(cmd).redirectErrorStream(true), Duration.ofSeconds(60));
    assertThat(r.exit()).as("ffmpeg: %s", r.out()).isZero();
    return dir.resolve(name);
  }

  /** MP4 and MPEG-TS name their tracks with tags FLV does not know ('avc1', stream type 27): republished all the same. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"clip.mp4", "clip.ts"})
  void republishesMp4AndMpegTsOverRtmp(String name, @TempDir Path dir) throws Exception {
    Path file = clip(dir, name, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac");
    String url = sinkUrl("live/mp4/in");
    try (RtmpSink sink = listening(url)) {
      assertThat(run("publish", "--url", url, "--source", file.toString())).as(err.toString()).isZero();
      assertThat(sink.awaitEnd(Duration.ofSeconds(15))).isTrue();
      assertThat(sink.error()).isNull();
      assertThat(sink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO)).hasSize(25);
    }
  }

  @Test
  void aCodecRtmpCannotCarryIsTheFilesMediaErrorBeforeAnyConnection(@TempDir Path dir) {
    Path file = clip(dir, "clip.webm", "-c:v", "libvpx", "-c:a", "libopus");
    assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/a/in", "--source", file.toString()))
        .isEqualTo(5);
    assertThat(err.toString()).contains("carries vp8", "which RTMP (FLV) cannot carry");
  }

  @Test
  void publishesForADurationAndEnds() throws Exception {
    String url = sinkUrl("live/cli/in");
    try (RtmpSink sink = listening(url)) {
      assertThat(run("publish", "--url", url, "--duration", "1.2", "--timecode")).as(err.toString()).isZero();
      assertThat(out.toString()).contains("published 30 frames");
      // The sink learns the codecs on its own thread; wait until it has read the stream.
      sink.awaitPackets(20, Duration.ofSeconds(10));
      assertThat(sink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
    }
  }

  /**
   * A clip that starts at 0 (video and audio), and a video-only one whose first frame is at 1.4 s, as in an
   * MPEG-TS recording: that start must become neither a first wait nor a gap at every loop.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 35})
  void republishesAFileInALoopWithoutReencoding(int firstFrame, @TempDir Path dir) throws Exception {
    boolean withAudio = firstFrame == 0;
    // A one-second clip made by the test kit itself.
    Path file = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("clip.flv"), firstFrame, 25, withAudio);

    String url = sinkUrl("live/loop/in");
    try (RtmpSink sink = listening(url)) {
      assertThat(run("publish", "--url", url, "--source", file.toString(), "--loop", "--duration", "2.5"))
          .as(err.toString()).isZero();
      sink.awaitPackets(withAudio ? 100 : 50, Duration.ofSeconds(10)); // 2.5 s: over 60 video packets, as many audio
      java.util.List<Long> video = sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO);
      assertThat(video).as("timestamps carry on across loops").isSorted();
      assertThat(video.size()).isGreaterThan(40);
      assertThat(video.get(0)).as("the first packet at the start, whatever the file's first time").isLessThan(300_000L);
      for (int i = 1; i < video.size(); i++) {
        assertThat(video.get(i) - video.get(i - 1)).as("gap before video packet %d (µs)", i).isLessThan(200_000L);
      }
    }
  }

  /**
   * An MP4 with B-frames: video's decode times start two frames ahead of audio's. Each loop must go on about one
   * frame (one audio packet) after the last, as the file would if it were longer, where the union of the tracks'
   * times used to leave 150 ms holes that `play` counted as gaps.
   */
  @Test
  void loopsOfAFileWithBFramesFollowOnWithoutAHole(@TempDir Path dir) throws Exception {
    Path file = clip(dir, "bframes.mp4", "-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac");
    String url = sinkUrl("live/bloop/in");
    try (RtmpSink sink = listening(url)) {
      assertThat(run("publish", "--url", url, "--source", file.toString(), "--loop", "--duration", "3.5"))
          .as(err.toString()).isZero();
      sink.awaitPackets(200, Duration.ofSeconds(10));
      java.util.List<Long> video = sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO);
      java.util.List<Long> audio = sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO);
      assertThat(video.size()).as("three loops and more").isGreaterThan(75);
      for (int i = 1; i < video.size(); i++) {
        // one frame; at a loop, one frame plus what the file's audio runs past its video (one AAC frame here):
        // the tracks move together, so they stay in sync loop after loop
        assertThat(video.get(i) - video.get(i - 1)).as("video step before packet %d (µs)", i).isBetween(39_000L, 65_000L);
      }
      for (int i = 1; i < audio.size(); i++) {
        assertThat(audio.get(i) - audio.get(i - 1)).as("audio step before packet %d (µs): one AAC frame", i)
            .isBetween(1_000L, 25_000L);
      }
    }
  }

  /** A printed command stands for the one given: options it cannot carry are refused, not dropped. */
  @Test
  void printedCommandsRefuseWhatTheyCannotCarry(@TempDir Path dir) throws Exception {
    String url = "rtmp://127.0.0.1:1935/live/a/in";
    Path file = Files.writeString(dir.resolve("clip.mp4"), "");
    assertThat(run("publish", "--url", url, "--source", file.toString(), "--print-ffmpeg")).isEqualTo(3);
    assertThat(err.toString()).contains("ffmpeg -re -i FILE -c copy -f flv URL");
    assertThat(run("publish", "--url", url, "--timecode", "--print-gstreamer")).isEqualTo(3);
    assertThat(err.toString()).contains("--timecode has no FFmpeg or GStreamer equivalent");
    assertThat(run("publish", "--url", url, "--print-ffmpeg", "--print-gstreamer")).isEqualTo(3);
    assertThat(run("publish", "--url", url, "--print-ffmpeg")).isZero();
  }

  /** --snapshot with no picture to take (an audio-only stream) is a failure, not a silent exit 0 without the file. */
  @Test
  void aSnapshotOfAStreamWithoutPicturesFails(@TempDir Path dir) throws Exception {
    Path ffmpeg = io.mtxtoolkit.testkit.process.Tools.require("ffmpeg", "ffmpeg");
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/sound/in";
    Process server = new ProcessBuilder(ffmpeg.toString(), "-v", "error", "-re", "-f", "lavfi", "-i", "sine=duration=20",
        "-c:a", "aac", "-f", "flv", "-listen", "1", url).redirectErrorStream(true).start();
    try {
      FreePorts.awaitListening(port, Duration.ofSeconds(10));
      Path png = dir.resolve("frame.png");
      assertThat(run("play", "--url", url, "--duration", "2", "--snapshot", png.toString())).as(err.toString()).isEqualTo(4);
      assertThat(err.toString()).contains("no picture for --snapshot", "no video frame");
      assertThat(png).doesNotExist();
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void badInputGetsClearMessagesAndDistinctCodes(@TempDir Path dir) {
    assertThat(run("publish", "--url", "http://x/live/a/in")).isEqualTo(3);
    assertThat(err.toString()).contains("invalid URL");
    assertThat(run("publish", "--url", "rtmp://127.0.0.1:70000/live/a/in")).isEqualTo(3);
    assertThat(err.toString()).contains("port 70000 is outside 1..65535");
    assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/a/in", "--duration", "1")).isEqualTo(4);
    assertThat(err.toString()).contains("cannot publish to");
    assertThat(run("publish", "--url", "rtmp://h/live/a/in", "--size", "big")).isEqualTo(3);
    try (java.net.ServerSocket hangsUp = hangingUp()) {
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
        dir.resolve("missing.mp4").toString())).as("the file's fault: a media error").isEqualTo(5);
    assertThat(err.toString()).contains("cannot read " + dir.resolve("missing.mp4"));
    assertThat(run()).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(run("--version")).isZero();
  }

  /** A server on a free loopback port that accepts one connection and closes it at once. */
  @Test
  void aPortThatAcceptsButNeverAnswersIsNoServerThatRefused() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(() -> {
        try {
          java.net.Socket kept = silent.accept(); // held open, never written to
          kept.getInputStream().readAllBytes();
        } catch (java.io.IOException ignored) {
          // the test closes the socket
        }
      });
      assertThat(run("publish", "--url", "rtmp://127.0.0.1:" + silent.getLocalPort() + "/live/a/in", "--duration", "1"))
          .as(err.toString()).isEqualTo(4);
      assertThat(err.toString()).contains("no answer from", "accepts connections but nothing there speaks RTMP")
          .doesNotContain("refused the stream", "FFmpegLogCallback");
    }
  }

  private static java.net.ServerSocket hangingUp() throws java.io.IOException {
    java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    CompletableFuture.runAsync(() -> {
      try {
        server.accept().close();
      } catch (java.io.IOException ignored) {
        // the test closes the socket
      }
    });
    return server;
  }

  /**
   * An RTSP server that answers every request with {@code status} (e.g. "404 Not Found"), on a free port, to every
   * connection (javacv opens a second time after a failed open).
   */
  private static java.net.ServerSocket rtspAnswering(String status) throws java.io.IOException {
    java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        answer(server, status);
      }
    }, "rtsp-" + status);
    t.setDaemon(true);
    t.start();
    return server;
  }

  private static void answer(java.net.ServerSocket server, String status) {
    try (java.net.Socket s = server.accept()) {
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII));
      var reply = s.getOutputStream();
      String cseq = "1";
      for (String line; (line = in.readLine()) != null; ) {
        if (line.regionMatches(true, 0, "CSeq:", 0, 5)) {
          cseq = line.substring(5).trim();
        } else if (line.isEmpty()) {
          reply.write(("RTSP/1.0 " + status + "\r\nCSeq: " + cseq + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          reply.flush();
        }
      }
    } catch (java.io.IOException ignored) {
      // the reader hung up, or the test closed the server
    }
  }

  @Test
  void playTellsARefusalFromAPathWithNoStream() throws Exception {
    try (java.net.ServerSocket refuses = rtspAnswering("401 Unauthorized")) {
      assertThat(run("play", "--url", "rtsp://127.0.0.1:" + refuses.getLocalPort() + "/live/a/in", "--timeout", "5"))
          .as("an answer other than 404: the server refused the reader").isEqualTo(6);
      assertThat(err.toString()).contains("refused the stream");
    }
    err.getBuffer().setLength(0);
    try (java.net.ServerSocket empty = rtspAnswering("404 Not Found")) {
      assertThat(run("play", "--url", "rtsp://127.0.0.1:" + empty.getLocalPort() + "/live/a/in", "--timeout", "5"))
          .as("404: nothing is published on the path, which is no media; %s", err).isEqualTo(4);
      assertThat(err.toString()).contains("no stream is published there");
    }
    err.getBuffer().setLength(0);
    try (java.net.ServerSocket hangsUp = hangingUp()) {
      assertThat(run("play", "--url", "rtmp://127.0.0.1:" + hangsUp.getLocalPort() + "/live/a/in", "--timeout", "5"))
          .as("an RTMP server that hangs up: no media, as for a path with no stream yet").isEqualTo(4);
    }
  }

  /**
   * {@code bin=$(mtx-testkit mediamtx)} in build/test.sh: standard output carries the answer alone. The search for
   * MediaMTX logs (Testcontainers looking for an engine); those lines go to standard error.
   */
  @Test
  void standardOutputIsTheAnswerAloneAndLogLinesGoToStandardError(@TempDir Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TestkitMain.class.getName(), "mediamtx");
    pb.environment().remove("MEDIAMTX_BIN");
    pb.environment().put("MTX_CACHE_DIR", dir.toString());
    pb.environment().put("PATH", dir.toString());
    pb.environment().put("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"));
    pb.environment().put("MTX_LOG_LEVEL", "DEBUG");
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(60));

    assertThat(r.exit()).as(r.err()).isEqualTo(7);
    assertThat(r.out()).as("no log line on standard output").isEmpty();
    assertThat(r.err()).contains("\"level\":\"DEBUG\"").contains("mtx-testkit: ");
  }

  /** Outside a checkout (the dist unpacked elsewhere) the version pin comes from the jar's copy of deploy/mediamtx. */
  @Test
  void mediamtxOutsideTheRepositoryUsesTheJarsVersionPin(@TempDir Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TestkitMain.class.getName(), "mediamtx").directory(dir.toFile());
    pb.environment().remove("MEDIAMTX_BIN");
    pb.environment().remove("MTX_REPO_ROOT");
    pb.environment().put("MTX_CACHE_DIR", dir.resolve("cache").toString());
    pb.environment().put("PATH", dir.toString());
    pb.environment().put("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"));
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(60));

    assertThat(r.exit()).as(r.err()).isEqualTo(7);
    String pinned = Files.readString(io.mtxtoolkit.testkit.mediamtx.RepoFiles.resolve("deploy/mediamtx/VERSIONS")).trim().split("\\s+")[0];
    assertThat(r.err()).contains("mediamtx " + pinned).doesNotContain("cannot find the mtx-toolkit repository");
  }

  /** FFmpeg's own lines, as the command logs them: JSON, event "ffmpeg", and the stream the URL names. */
  @Test
  void ffmpegsLinesNameTheirEventAndTheStream() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TestkitMain.class.getName(), "play", "--url",
        "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/cam1/in?user=x", "--timeout", "2");
    pb.environment().put("MTX_LOG_LEVEL", "INFO");
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(60));

    assertThat(r.exit()).as(r.err()).isEqualTo(4);
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.List<com.fasterxml.jackson.databind.JsonNode> ffmpeg = new java.util.ArrayList<>();
    for (String line : r.err().lines().filter(l -> l.startsWith("{")).toList()) {
      com.fasterxml.jackson.databind.JsonNode node = json.readTree(line);
      if (node.path("logger").asText().contains("FFmpegLogCallback")) {
        ffmpeg.add(node);
      }
    }
    assertThat(ffmpeg).as(r.err()).isNotEmpty().allSatisfy(node -> {
      assertThat(node.path("event").asText()).isEqualTo("ffmpeg");
      assertThat(node.path("streamId").asText()).isEqualTo("cam1");
      assertThat(node.path("path").asText()).isEqualTo("live/cam1/in");
    });
    assertThat(ffmpeg).anySatisfy(node -> assertThat(node.path("message").asText()).contains("Connection refused"));
  }

  @Test
  void optionsThatWouldBeIgnoredMisreadOrOverflowAreRefused(@TempDir Path dir) {
    String url = "rtmp://127.0.0.1:1/live/a/in";
    String[][] refused = {
        {"publish", "--url", url, "--size", "320"}, {"publish", "--url", url, "--size", "320x240x2"},
        {"publish", "--url", url, "--bitrate", "4294978"}, {"publish", "--url", url, "--bitrate", "0"},
        {"publish", "--url", url, "--duration", "1e10"}, {"publish", "--url", url, "--duration", "-1"},
        {"publish", "--url", url, "--duration", "NaN"}, {"publish", "--url", url, "--loop"},
        {"publish", "--url", url, "--source", "clip.mp4", "--size", "640x480"},
        {"publish", "--url", url, "--source", "clip.mp4", "--timecode"},
        {"publish", "--url", url, "--timecode", "--size", "64x48"},
        {"publish", "--url", "rtsp://127.0.0.1:1/live/a/in", "--print-ffmpeg"},
        {"play", "--url", url, "--timeout", "0"}, {"play", "--url", url, "--frames", "0"},
        {"play", "--url", url, "--duration", "-2"},
        {"play", "--url", url, "--snapshot", dir.resolve("no/such/dir/x.png").toString()},
        {"play", "--url", url, "--snapshot", dir.toString()},
        {"publish", "--url", url, "--size", "30000x30000"}, {"publish", "--url", url, "--size", "7682x4320"}};
    for (String[] args : refused) {
      err.getBuffer().setLength(0);
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(3);
      assertThat(err.toString()).as(String.join(" ", args)).startsWith("mtx-testkit: invalid option: ");
    }
    out.getBuffer().setLength(0);
    assertThat(run("publish", "--url", url, "--duration", "2.5", "--print-ffmpeg")).isZero();
    assertThat(out.toString()).contains(" -t 2.5 -f flv " + url);
  }

  @Test
  void playExits4WhenTheStreamEndsBeforeItsDuration() throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/p/in";
    CompletableFuture<Integer> played = FreePorts.onceListening(port,
        () -> run("play", "--url", url, "--duration", "30", "--timeout", "3"));
    try (var server = io.mtxtoolkit.testkit.stream.TestStreamPublisher.serve(url,
        TestStreamOptions.defaults().withDuration(Duration.ofSeconds(1)), Duration.ofSeconds(20))) {
      assertThat(played.get(40, java.util.concurrent.TimeUnit.SECONDS)).as(err.toString()).isEqualTo(4);
    }
    assertThat(err.toString()).contains("lost after").contains("video frames");
  }

  /** SIGTERM (as Ctrl-C's SIGINT) ends a publish: the server sees the publisher leave, and its last line is printed. */
  @Test
  void publishStoppedBySigtermClosesItsStreamAndSaysWhatItPublished(@TempDir Path dir) throws Exception {
    String url = sinkUrl("live/stop/in");
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TestkitMain.class.getName(), "publish", "--url", url)
        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    try (RtmpSink sink = listening(url)) {
      Process publisher = pb.start();
      try {
        sink.awaitPackets(50, Duration.ofSeconds(60));
        publisher.destroy();
        assertThat(publisher.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the publisher ended").isTrue();
      } finally {
        publisher.destroyForcibly();
      }
      assertThat(sink.awaitEnd(Duration.ofSeconds(15))).as("the server saw the publisher leave").isTrue();
      String err = Files.readString(dir.resolve("err"));
      assertThat(publisher.exitValue()).as(err).isEqualTo(143);
      assertThat(Files.readString(dir.resolve("out"))).containsPattern("published \\d+ frames in ");
      assertThat(err).doesNotContain("before the command could report");
    }
  }

  /** On a terminal one line, rewritten in place; otherwise a plain line every 5 s, for a log. */
  @Test
  void publishProgressIsOneLiveLineOnATerminalAndPlainLinesOtherwise() {
    StringWriter live = new StringWriter();
    TestkitMain.Progress terminal = new TestkitMain.Progress(new PrintWriter(live, true), true);
    terminal.show(50, 2.0, 500_000);
    terminal.show(75, 3.0, 500_000);
    terminal.done(80, 3.2);
    assertThat(live.toString()).isEqualTo("\rframes 50  fps 25.0  target bitrate 500 kbit/s  elapsed 2 s"
        + "\rframes 75  fps 25.0  target bitrate 500 kbit/s  elapsed 3 s\npublished 80 frames in 3.2 s" + System.lineSeparator());

    StringWriter log = new StringWriter();
    TestkitMain.Progress plain = new TestkitMain.Progress(new PrintWriter(log, true), false);
    for (double s : new double[] {1, 2, 5.2, 6, 9.9, 10.1}) {
      plain.show((long) (s * 25), s, 500_000);
    }
    plain.done(260, 10.4);
    assertThat(log.toString().lines().toList()).containsExactly(
        "frames 130  fps 25.0  target bitrate 500 kbit/s  elapsed 5 s",
        "frames 252  fps 25.0  target bitrate 500 kbit/s  elapsed 10 s",
        "published 260 frames in 10.4 s");
  }

  /** The signal's hook holds the JVM's end until the command has said its last words (closed its hook). */
  @Test
  void aStopWaitsForTheCommandsAnswer() throws Exception {
    TestkitMain.StopRequest stop = new TestkitMain.StopRequest(new PrintWriter(err, true));
    TestkitMain.StopRequest.Hook hook = stop.onShutdown(() -> { });
    CompletableFuture<Boolean> answered = CompletableFuture.supplyAsync(() -> stop.stopAndAwaitAnswer(() -> { },
        Duration.ofSeconds(30)));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> answered.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
          .as("still waiting: the command has not answered").isInstanceOf(java.util.concurrent.TimeoutException.class);
      assertThat(stop.requested()).isTrue();
    } finally {
      hook.close();
    }
    assertThat(answered.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the answer ends the wait").isTrue();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aStopWhoseCommandDoesNotAnswerInTimeSaysSo() {
    TestkitMain.StopRequest stop = new TestkitMain.StopRequest(new PrintWriter(err, true));
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    assertThat(stop.stopAndAwaitAnswer(() -> stopped.set(true), Duration.ofMillis(10))).isFalse();
    assertThat(stop.requested()).isTrue();
    assertThat(stopped).isTrue();
    assertThat(err.toString()).contains("mtx-testkit: stopped before the command could report");
  }

  /** SIGTERM (as Ctrl-C's SIGINT) ends a read early; the JVM's end waits for the report of what arrived so far. */
  @Test
  void playStoppedBySigtermPrintsItsReportSoFar(@TempDir Path dir) throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/p/in";
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TestkitMain.class.getName(), "play", "--url", url, "--duration", "120",
        "--json").redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    CompletableFuture<Process> started = FreePorts.onceListening(port, () -> {
      try {
        return pb.start();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try (var server = io.mtxtoolkit.testkit.stream.TestStreamPublisher.serve(url, TestStreamOptions.defaults(),
        Duration.ofSeconds(60))) {
      Process player = started.get(30, java.util.concurrent.TimeUnit.SECONDS);
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // 3 s of frames after the reader connected: its open and probe are over, it reads
        while (server.frames() < 75 && !server.awaitEnd(Duration.ofMillis(50)) && System.nanoTime() < deadline) {
          // polled: the publisher counts frames, it does not announce them
        }
        assertThat(server.frames()).as("frames served to the player; %s", Files.readString(dir.resolve("err")))
            .isGreaterThanOrEqualTo(75);
        player.destroy();
        assertThat(player.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the player ended").isTrue();
      } finally {
        player.destroyForcibly();
      }
      String err = Files.readString(dir.resolve("err"));
      assertThat(player.exitValue()).as(err).isEqualTo(143);
      assertThat(Files.readString(dir.resolve("out"))).contains("\"videoCodec\":\"h264\"", "\"videoFrames\":");
      assertThat(err).contains("mtx-testkit: stopped after ").doesNotContain("before the command could report");
    }
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
      assertThat(played.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(err.toString()).isZero();
    }
    assertThat(out.toString()).contains("\"videoCodec\":\"h264\"", "\"audioCodec\":\"aac\"", "\"width\":320");
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(320);
  }
}
