package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.process.ProcessRun;
import io.mtxtoolkit.testkit.process.ServiceProcess;
import io.mtxtoolkit.testkit.process.Tools;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources that are not H.264 + AAC (issue #9's invalid media, without a media server): one track only
 * passes through as it is; codecs RTMP cannot carry are a media error with a reason and no futile
 * reconnects; a peer that speaks no RTMP at all is a lost source. Sources are Debian's ffmpeg.
 */
class SourceMediaTest {
  private static final ReconnectPolicy FAST = ReconnectPolicy.exponential(Duration.ofMillis(100), 3);

  private final List<WorkerState> states = new java.util.concurrent.CopyOnWriteArrayList<>();

  private StreamWorker worker(String in, String out) {
    return new StreamWorker(new WorkerConfig(StreamId.of("media"), in, out, WorkerConfig.Mode.PASSTHROUGH, null,
        Duration.ofSeconds(2), FAST), states::add);
  }

  private static String rtmp(String path) {
    return "rtmp://127.0.0.1:" + FreePorts.tcp() + "/" + path;
  }

  /** Debian's ffmpeg serving {@code lavfi} input, encoded as {@code codecArgs}, as an RTMP server on {@code url}. */
  private static Process serve(String url, List<String> inputAndCodecArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(Tools.require("ffmpeg", "ffmpeg").toString(), "-hide_banner",
        "-loglevel", "error", "-re"));
    command.addAll(inputAndCodecArgs);
    command.addAll(List.of("-f", "flv", "-listen", "1", url));
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      FreePorts.awaitListening(url, Duration.ofSeconds(10));
    } catch (RuntimeException | Error e) {
      ServiceProcess.stopTree(p, Duration.ofSeconds(5)); // the caller gets no process to stop
      throw e;
    }
    return p;
  }

  private void passesOneTrackThrough(List<String> source, int video, int audio) throws Exception {
    String in = rtmp("live/media/in");
    String out = rtmp("live/media/out");
    Process ffmpeg = serve(in, source);
    try (RtmpSink sink = RtmpSink.listen(out, Duration.ofSeconds(30))) {
      StreamWorker worker = worker(in, out);
      CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
      sink.awaitPackets(40, Duration.ofSeconds(20));
      assertThat(sink.videoCodec()).isEqualTo(video);
      assertThat(sink.audioCodec()).isEqualTo(audio);
      worker.stop();
      assertThat(result.get(15, TimeUnit.SECONDS).exit()).isEqualTo(WorkerExit.STOPPED);
    } finally {
      ServiceProcess.stopTree(ffmpeg, Duration.ofSeconds(5));
    }
  }

  @Test
  void aVideoOnlySourcePassesThroughAsVideoOnly() throws Exception {
    passesOneTrackThrough(List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "libx264",
        "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"), avcodec.AV_CODEC_ID_H264, avcodec.AV_CODEC_ID_NONE);
  }

  @Test
  void anAudioOnlySourcePassesThroughAsAudioOnly() throws Exception {
    passesOneTrackThrough(List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac"),
        avcodec.AV_CODEC_ID_NONE, avcodec.AV_CODEC_ID_AAC);
  }

  @Test
  void codecsRtmpCannotCarryAreAMediaErrorWithoutReconnects(@TempDir Path dir) throws Exception {
    // What a WebRTC publisher sends: VP8 + Opus. FLV has no VP8.
    Path file = dir.resolve("webrtc.mkv");
    ProcessRun.Result make = ProcessRun.run(new ProcessBuilder(Tools.require("ffmpeg", "ffmpeg").toString(), "-hide_banner",
        "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-t", "2",
        "-c:v", "libvpx", "-c:a", "libopus", file.toString()).redirectErrorStream(true), Duration.ofSeconds(60));
    assertThat(make.exit()).as("made %s: %s", file, make.out()).isZero();

    long start = System.nanoTime();
    WorkerResult r = worker(file.toUri().toString(), rtmp("live/media/out")).run();
    assertThat(r.exit()).isEqualTo(WorkerExit.MEDIA_ERROR);
    assertThat(r.reason()).contains("carries vp8", "RTMP (FLV) cannot carry", "--mode transcode").doesNotContain("opus");
    assertThat(states).as("no reconnect attempts").doesNotContain(WorkerState.RECONNECTING);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aPeerThatSpeaksNoRtmpIsALostSource() throws Exception {
    try (java.net.ServerSocket garbage = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        byte[] noise = new byte[4096];
        new java.util.Random(7).nextBytes(noise);
        while (!garbage.isClosed()) {
          try (java.net.Socket s = garbage.accept()) {
            s.getOutputStream().write(noise);
          } catch (IOException e) {
            // the reader hung up, or the test is over
          }
        }
      }, "garbage-server");
      server.setDaemon(true);
      server.start();
      WorkerResult r = worker("rtmp://127.0.0.1:" + garbage.getLocalPort() + "/live/media/in", rtmp("live/media/out")).run();
      assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
      assertThat(r.reason()).contains("3 reconnect attempts failed", "cannot read");
    }
  }
}
