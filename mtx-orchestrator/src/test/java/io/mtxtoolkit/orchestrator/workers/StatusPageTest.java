package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.orchestrator.OrchestratorServer;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.StatusPage;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ProcessRun;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import io.mtxtoolkit.worker.WorkerState;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in headless Chromium (Debian's chromium): it loads, shows the stream's row, and the
 * row's thumbnail is a real decoded picture. The picture comes from an RTMP test source standing in for
 * MediaMTX's RTSP read URL, which StatusPage takes as a function.
 */
class StatusPageTest {
  static final List<String> CHROMIUM_FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

  static Path chromium() {
    return io.mtxtoolkit.testkit.process.Tools.require("chromium", "chromium", "chromium-browser");
  }

  @Test
  void pageShowsTheStreamRowWithANonBlankThumbnail(@TempDir Path dir) throws Exception {
    Path chromium = chromium();
    String source = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/cam1/out";
    WorkerManagerTest.Launcher launcher = new WorkerManagerTest.Launcher();
    WorkerManager manager = new WorkerManager(launcher, LifecyclePolicy.defaults(), Clock.systemUTC());
    OrchestratorServer server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        HookEventListener.NONE, Clock.systemUTC(), app -> {
          new StreamsApi(manager).register(app);
          new StatusPage(path -> source, 18888, 18889).only(id -> manager.stream(id).isPresent()).register(app);
        });
    int port = server.start();
    CompletableFuture<TestStreamPublisher> served = CompletableFuture.supplyAsync(
        () -> TestStreamPublisher.serve(source, TestStreamOptions.defaults().withSize(320, 180), Duration.ofSeconds(40)));
    try {
      manager.ready(StreamId.of("cam1"));
      launcher.launched.get(0).onState.accept(WorkerState.RUNNING);
      launcher.launched.get(0).lag = java.util.OptionalLong.of(35);
      String url = "http://127.0.0.1:" + port + "/";
      assertThat(Http.get(url).body()).contains("<title>mtx-toolkit streams</title>");
      assertThat(Http.get(url + "v1/streams/bad;id/thumbnail.jpg").status()).isEqualTo(400);
      assertThat(Http.get(url + "v1/streams/made_up/thumbnail.jpg").status()).as("no such stream: MediaMTX is not asked")
          .isEqualTo(404);

      Path profile = Files.createDirectories(dir.resolve("profile"));
      Path shot = dir.resolve("status.png");
      // The page's first thumbnail request is the one reader the test source serves; it is then cached.
      List<String> dump = new java.util.ArrayList<>(List.of(chromium.toString()));
      dump.addAll(CHROMIUM_FLAGS);
      dump.addAll(List.of("--user-data-dir=" + profile, "--window-size=1300,400", "--virtual-time-budget=15000",
          "--screenshot=" + shot, url));
      ProcessRun.Result screenshot = ProcessRun.run(new ProcessBuilder(dump).redirectErrorStream(true), Duration.ofSeconds(90));
      BufferedImage image = ImageIO.read(shot.toFile());
      if (image != null) {
        // Kept for people: target/status-page.png shows what the test saw.
        Files.copy(shot, Path.of("target", "status-page.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(image).as("screenshot; chromium log: %s", screenshot.out()).isNotNull();
      Http.Reply again = Http.get(url + "v1/streams/cam1/thumbnail.jpg");
      assertThat(again.status()).as("the source served its one reader; the picture comes from the cache").isEqualTo(200);
      assertThat(again.contentType()).isEqualTo("image/jpeg");

      List<String> dom = new java.util.ArrayList<>(List.of(chromium.toString()));
      dom.addAll(CHROMIUM_FLAGS);
      dom.addAll(List.of("--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url));
      String html = ProcessRun.run(new ProcessBuilder(dom), Duration.ofSeconds(60)).out();
      assertThat(html).contains("data-stream=\"cam1\"", "<td class=\"running\">running</td>", "running (test 1, 0 restarts)",
          "<td class=\"lag\">35</td>");
      assertThat(html).as("player links on the configured ports")
          .contains("href=\"http://127.0.0.1:18888/live/cam1/out\"", "href=\"http://127.0.0.1:18889/live/cam1/out\"");

      // The preview cell: the first column of the first row; a missing picture is a flat dark box.
      Set<Integer> colours = new HashSet<>();
      int y0 = image.getHeight() / 8;
      for (int y = y0; y < Math.min(image.getHeight(), y0 + 200); y += 4) {
        for (int x = 10; x < 200 && x < image.getWidth(); x += 4) {
          colours.add(image.getRGB(x, y) & 0xF0F0F0);
        }
      }
      assertThat(colours.size()).as("distinct colours in the preview area (test pattern bars)").isGreaterThan(8);
    } finally {
      server.stop();
      manager.close();
      // Still waiting for its reader if the test failed before the page asked: closed whenever it starts serving.
      served.thenAccept(TestStreamPublisher::close);
    }
  }
}
