package io.mtxtoolkit.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxExtension;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxServer;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** README.md's commands against the real MediaMTX, as printed but for the ports (user story 5, SC-008). */
@Tag("mediamtx")
class ReadmeCommandsMediaMtxIT {
  @RegisterExtension
  MediaMtxExtension mediamtx = MediaMtxExtension.create(b -> b.env("ORCHESTRATOR_URL", "http://127.0.0.1:9"));

  private final Map<String, String> commands = ReadmeCommands.load();

  private static boolean ready(MediaMtxServer m, String path) {
    return new MediaMtxApiClient(m.apiBaseUrl()).listPaths().stream().anyMatch(p -> p.name().equals(path) && p.ready());
  }

  private int runToEnd(MediaMtxServer m, String name, Path log) throws Exception {
    Process p = ReadmeCommands.process(commands.get(name), m.rtmpPort(), m.rtspPort(), log).start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", name).isTrue();
      return p.exitValue();
    } finally {
      ServiceProcess.stopTree(p, Duration.ofSeconds(2)); // one that overran, too
    }
  }

  private Process start(MediaMtxServer m, String name, Path log) throws Exception {
    return ReadmeCommands.process(commands.get(name), m.rtmpPort(), m.rtspPort(), log).start();
  }

  /**
   * gst-launch-1.0 and the plugins the README's pipelines use, or a failure naming the packages: a missing plugin
   * would otherwise show only as a 20 s wait for a path that never becomes ready.
   */
  private static void requireGstreamer() throws Exception {
    ReadmeCommands.requireTool("gst-launch-1.0", "gstreamer1.0-tools");
    // one element per call: given several, gst-inspect-1.0 (1.22) looks up only the last
    Map<String, String> packages = Map.of("x264enc", "gstreamer1.0-plugins-ugly", "avenc_aac", "gstreamer1.0-libav",
        "flvmux", "gstreamer1.0-plugins-good", "rtmpsink", "gstreamer1.0-plugins-bad", "rtspsrc", "gstreamer1.0-plugins-good");
    for (Map.Entry<String, String> element : packages.entrySet()) {
      io.mtxtoolkit.testkit.process.ProcessRun.Result r = io.mtxtoolkit.testkit.process.ProcessRun.run(
          new ProcessBuilder("gst-inspect-1.0", element.getKey()).redirectErrorStream(true), java.time.Duration.ofSeconds(30));
      assertThat(r.exit()).as("GStreamer element %s (Debian package %s)", element.getKey(), element.getValue()).isZero();
    }
  }

  @Test
  void publishCommandsMakeThePathReady(MediaMtxServer m, @TempDir Path dir) throws Exception {
    requireGstreamer();
    for (String name : new String[] {"publish-ffmpeg", "publish-gstreamer", "publish-testkit"}) {
      Process p = start(m, name, dir.resolve(name + ".log"));
      try {
        await(name + " makes live/test/in ready").atMost(Duration.ofSeconds(20)).until(() -> ready(m, "live/test/in"));
        // the README promises a test stream with picture and sound: a command that lost its audio must fail here
        await(name + " publishes H.264 and AAC").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(new MediaMtxApiClient(m.apiBaseUrl()).getPath("live/test/in").orElseThrow().tracks())
                .containsExactlyInAnyOrder("H264", "MPEG-4 Audio"));
      } finally {
        ServiceProcess.stopTree(p, Duration.ofSeconds(5)); // a bash -c command: what it started, too
      }
      await("live/test/in idle again").atMost(Duration.ofSeconds(20)).until(() -> !ready(m, "live/test/in"));
    }
  }

  @Test
  void readingCommandsReadTheStream(MediaMtxServer m, @TempDir Path dir) throws Exception {
    ReadmeCommands.requireTool("ffprobe", "ffmpeg");
    requireGstreamer();
    try (TestStreamPublisher ignored = TestStreamPublisher.start(m.rtmpUrl("live/test/in"), TestStreamOptions.defaults())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> ready(m, "live/test/in"));
      Path probe = dir.resolve("probe.log");
      assertThat(runToEnd(m, "read-ffprobe", probe)).isZero();
      assertThat(Files.readString(probe)).contains("h264", "aac");
      assertThat(runToEnd(m, "read-ffmpeg", dir.resolve("ffmpeg.log"))).isZero();
      assertThat(runToEnd(m, "read-gstreamer", dir.resolve("gst.log"))).isZero();
      Path play = dir.resolve("play.log");
      assertThat(runToEnd(m, "play-testkit", play)).isZero();
      assertThat(Files.readString(play)).contains("video h264 320x240", "audio aac");
    }
  }

  @Test
  void gstreamerBypassMakesOutReady(MediaMtxServer m, @TempDir Path dir) throws Exception {
    requireGstreamer();
    try (TestStreamPublisher ignored = TestStreamPublisher.start(m.rtmpUrl("live/test/in"), TestStreamOptions.defaults())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> ready(m, "live/test/in"));
      Process bypass = start(m, "bypass-gstreamer", dir.resolve("bypass.log"));
      try {
        await("bypass makes live/test/out ready").atMost(Duration.ofSeconds(20)).until(() -> ready(m, "live/test/out"));
      } finally {
        ServiceProcess.stopTree(bypass, Duration.ofSeconds(5)); // a bash -c command: what it started, too
      }
    }
  }

  @Test
  void ffplayShowsAPictureUnderXvfb(MediaMtxServer m, @TempDir Path dir) throws Exception {
    ReadmeCommands.requireTool("xvfb-run", "xvfb");
    ReadmeCommands.requireTool("ffplay", "ffmpeg");
    try (TestStreamPublisher ignored = TestStreamPublisher.start(m.rtmpUrl("live/test/in"), TestStreamOptions.defaults())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> ready(m, "live/test/in"));
      Path shot = dir.resolve("shot.png");
      Path stop = dir.resolve("stop");
      String ffplay = commands.get("read-ffplay").replace("localhost:8554", "127.0.0.1:" + m.rtspPort());
      // ffplay in a virtual display (it never ends by itself on a live stream); x11grab screenshots the display
      // every half second until the test has seen a picture, then ffplay is stopped.
      String script = "xvfb-run -a -s '-screen 0 640x480x24' sh -c '" + ffplay + " >/dev/null 2>&1 & player=$!; "
          + "for i in $(seq 60); do [ -e " + stop + " ] && break; sleep 0.5; ffmpeg -loglevel error -f x11grab "
          + "-video_size 640x480 -i $DISPLAY -frames:v 1 -y " + dir.resolve("next.png") + " && mv -f "
          + dir.resolve("next.png") + " " + shot + "; done; kill $player; wait $player'";
      Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).redirectOutput(dir.resolve("x.log").toFile()).start();
      try {
        await("a screenshot with a picture in it").atMost(Duration.ofSeconds(30))
            .until(() -> Files.exists(shot) && colours(ImageIO.read(shot.toFile())) > 3);
        Files.createFile(stop);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("ffplay stopped; log: %s", Files.readString(dir.resolve("x.log"))).isTrue();
      } finally {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
      }
    }
  }

  /** Distinct colours across the middle row: a blank screen has one. */
  private static long colours(BufferedImage image) {
    if (image == null) {
      return 0;
    }
    return java.util.stream.IntStream.range(0, 64)
        .map(i -> image.getRGB(i * image.getWidth() / 64, image.getHeight() / 2)).distinct().count();
  }
}
