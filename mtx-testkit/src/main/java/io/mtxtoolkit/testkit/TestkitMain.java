package io.mtxtoolkit.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtxtoolkit.core.BuildVersion;
import io.mtxtoolkit.core.Texts;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxBinary;
import io.mtxtoolkit.testkit.stream.FfmpegCommands;
import io.mtxtoolkit.testkit.stream.FilePublisher;
import io.mtxtoolkit.testkit.stream.PlayReport;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPlayer;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mtx-testkit publish|play|mediamtx}: make and check test streams, and find the MediaMTX tests use. */
@Command(name = "mtx-testkit", mixinStandardHelpOptions = true, versionProvider = TestkitMain.Version.class,
    description = "Publishes an H.264 + AAC test stream, or reads one and reports codecs, frames, gaps and latency.",
    subcommands = {TestkitMain.Publish.class, TestkitMain.Play.class, TestkitMain.MediaMtx.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:usage", "3:invalid URL or option", "4:server unreachable, connection lost, or no media",
        "5:media error (an unreadable --source file, or a codec RTMP cannot carry)",
        "6:the server refused the stream (e.g. a path it does not accept)", "7:mediamtx: no MediaMTX binary found or copied",
        "130/143:stopped by Ctrl-C/SIGTERM"})
public final class TestkitMain implements Runnable {
  static final int INVALID = 3;
  static final int UNREACHABLE = 4;
  static final int MEDIA_ERROR = 5;
  static final int REJECTED = 6;
  static final int NO_MEDIAMTX = 7;
  /** {@code play} ended by a stop after it opened (the JVM exits 130 for Ctrl-C, 143 for SIGTERM; an in-process caller sees this). */
  static final int STOPPED = 130;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The testkit's Logback configuration: log lines to standard error, so standard output stays the answer. */
  static final String LOGBACK_CONFIG = "mtx-testkit-logback.xml";
  /** Set by {@link #main}: the publish and play commands route FFmpeg's messages to the log before they start. */
  private static boolean ffmpegLogsThroughSlf4j;

  /**
   * FFmpeg's messages to this command's log, when it runs as the command (see {@link #main}); every line then names
   * the stream of {@code url} (path, streamId) when its path is one of this pipeline's.
   */
  static void routeFfmpegLog(String url) {
    if (ffmpegLogsThroughSlf4j) {
      org.bytedeco.javacv.FFmpegLogCallback.set();
      String path = url == null ? "" : url.replaceFirst("^[a-z]+://[^/]*/", "").replaceFirst("[?#].*", "");
      io.mtxtoolkit.core.path.StreamPath.find(path).ifPresent(stream -> {
        // context properties: FFmpeg logs from threads the command did not start, where an MDC would be empty
        var context = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        context.putProperty("path", stream.name());
        context.putProperty("streamId", stream.streamId().value());
      });
    }
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
    // FFmpeg's own messages as the command's log lines (JSON on stderr, MTX_LOG_LEVEL), not raw text: javacv's
    // callback logs through JavaCPP's logger, which this property points at SLF4J. The command only: in a test's
    // JVM the worker's own callback is the one to keep.
    System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
    ffmpegLogsThroughSlf4j = true;
    int exit = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (!StopRequest.signalled) { // else the JVM is ending with the signal's own code (130, 143), which exit must not race
      System.exit(exit);
    }
  }

  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new TestkitMain());
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: publish, play or mediamtx");
  }

  /** {@code mtx-testkit publish}. */
  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = "Publish a moving test pattern and a 1 kHz tone (H.264, keyframe every second, + AAC) until Ctrl-C or --duration.")
  static final class Publish implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "rtmp://host:1935/live/<id>/in or rtsp://host:8554/live/<id>/in")
    String url;

    @Option(names = "--size", defaultValue = "320x240", description = "Picture size WxH (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--fps", defaultValue = "25", description = "Frame rate (default ${DEFAULT-VALUE}).")
    int fps;

    @Option(names = "--bitrate", defaultValue = "500", description = "Video bitrate in kbit/s (default ${DEFAULT-VALUE}).")
    int bitrateKbps;

    @Option(names = "--duration", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Option(names = "--timecode", description = "Burn the wall-clock time of each frame into the picture (for play's latency).")
    boolean timecode;

    @Option(names = "--source", description = "Republish this media file without re-encoding instead of the test pattern.")
    String source;

    @Option(names = "--loop", description = "With --source: start over at the end.")
    boolean loop;

    @Option(names = "--print-ffmpeg", description = "Print the equivalent FFmpeg command and exit.")
    boolean printFfmpeg;

    @Option(names = "--print-gstreamer", description = "Print the equivalent GStreamer command and exit.")
    boolean printGstreamer;

    @Override
    @SuppressWarnings("try") // the hook is only closed: that says the command has answered
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      routeFfmpegLog(url);
      TestStreamOptions options;
      try {
        options = options();
      } catch (RuntimeException e) {
        err.println("mtx-testkit: invalid option: " + e.getMessage());
        return INVALID;
      }
      if ((printFfmpeg || printGstreamer) && !url.startsWith("rtmp://")) {
        err.println("mtx-testkit: invalid option: --print-ffmpeg and --print-gstreamer print RTMP commands; give an rtmp:// URL");
        return INVALID;
      }
      if (printFfmpeg || printGstreamer) {
        // the printed command must be the equivalent of the one given: nothing it leaves out may be dropped silently
        String unprintable = printFfmpeg && printGstreamer ? "--print-ffmpeg and --print-gstreamer print one command each; give one"
            : source != null ? "--print-ffmpeg and --print-gstreamer print the test pattern's command; a file is republished with "
                + "ffmpeg -re -i FILE -c copy -f flv URL (-stream_loop -1 before -i for --loop)"
            : timecode ? "--timecode has no FFmpeg or GStreamer equivalent: only mtx-testkit burns its timecode in" : null;
        if (unprintable != null) {
          err.println("mtx-testkit: invalid option: " + unprintable);
          return INVALID;
        }
        out.println(printFfmpeg ? FfmpegCommands.publish(url, options) : FfmpegCommands.publishGstreamer(url, options));
        return 0;
      }
      if (source != null) {
        return publishFile(out, err, options);
      }
      TestStreamPublisher publisher;
      try {
        publisher = TestStreamPublisher.start(url, options);
      } catch (TestStreamPublisher.PublishException e) {
        return failed(err, e.getMessage(), exitCode(e));
      }
      // Ctrl-C: the stream is closed (the server sees the publisher leave) and the last line printed before the JVM ends.
      try (StopRequest.Hook hook = new StopRequest(err).onShutdown(publisher::close)) {
        Progress progress = new Progress(out, System.console() != null);
        long started = System.nanoTime();
        while (!publisher.awaitEnd(Duration.ofSeconds(1))) {
          progress.show(publisher.frames(), (System.nanoTime() - started) / 1e9, options.videoBitrate());
        }
        progress.done(publisher.frames(), (System.nanoTime() - started) / 1e9);
        Throwable failure = publisher.failure();
        if (failure != null) {
          return failed(err, failure.getMessage(), failure instanceof TestStreamPublisher.PublishException e ? exitCode(e) : UNREACHABLE);
        }
        return 0;
      }
    }

    /** The options as given, each checked, and none given that the chosen mode would ignore. */
    TestStreamOptions options() {
      CommandLine.ParseResult given = spec.commandLine().getParseResult();
      if (source != null) {
        for (String patternOnly : new String[] {"--size", "--fps", "--bitrate", "--timecode"}) {
          if (given.hasMatchedOption(patternOnly)) {
            throw new IllegalArgumentException(patternOnly + " shapes the test pattern; --source republishes the file as it is");
          }
        }
      } else if (loop) {
        throw new IllegalArgumentException("--loop repeats a --source file; the test pattern runs until stopped");
      }
      String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x", -1);
      if (wh.length != 2 || !wh[0].matches("\\d{1,5}") || !wh[1].matches("\\d{1,5}")) {
        throw new IllegalArgumentException("--size must be WIDTHxHEIGHT, e.g. 320x240, got " + size);
      }
      if (bitrateKbps < 10 || bitrateKbps > 100_000) {
        throw new IllegalArgumentException("--bitrate must be 10..100000 kbit/s, got " + bitrateKbps);
      }
      TestStreamOptions options = TestStreamOptions.defaults().withSize(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]))
          .withFps(fps).withVideoBitrate(bitrateKbps * 1000).withTimecode(timecode).withDuration(seconds("--duration", durationSeconds));
      io.mtxtoolkit.testkit.stream.TestPattern.checkSize(options.width(), options.height());
      if (timecode && options.width() < io.mtxtoolkit.testkit.stream.Timecode.MIN_WIDTH) {
        throw new IllegalArgumentException("--timecode needs a picture at least " + io.mtxtoolkit.testkit.stream.Timecode.MIN_WIDTH
            + " pixels wide, got " + options.width());
      }
      return options;
    }

    @SuppressWarnings("try") // the hook is only closed: that says the command has answered
    private int publishFile(PrintWriter out, PrintWriter err, TestStreamOptions options) {
      FilePublisher publisher = new FilePublisher(source, url, loop, options.duration());
      // Ctrl-C: the run closes its connection (the server sees the publisher leave) before the JVM ends.
      try (StopRequest.Hook hook = new StopRequest(err).onShutdown(() -> publisher.stopAndAwait(Duration.ofSeconds(5)))) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread run = new Thread(() -> {
          try {
            publisher.run();
          } catch (Throwable e) {
            failure.set(e);
          }
        }, "mtx-testkit-publish-file");
        run.setDaemon(true);
        long started = System.nanoTime();
        run.start();
        Progress progress = new Progress(out, System.console() != null);
        try {
          while (!publisher.awaitEnd(Duration.ofSeconds(1))) {
            progress.showSent(publisher.packets(), publisher.bytes(), (System.nanoTime() - started) / 1e9);
          }
          run.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          publisher.stopAndAwait(Duration.ofSeconds(5));
        }
        Throwable e = failure.get();
        if (e instanceof Error error) {
          throw error; // a crash (a missing native library), not a stream's fate: picocli's exit 1 and its trace
        } else if (e instanceof TestStreamPublisher.PublishException pe) {
          return failed(err, pe.getMessage(), exitCode(pe));
        } else if (e instanceof FilePublisher.SourceException se) {
          return failed(err, se.getMessage(), MEDIA_ERROR);
        } else if (e != null) {
          return failed(err, "republishing " + source + " to " + url + " failed: " + e.getMessage(), UNREACHABLE);
        }
        progress.finish();
        out.println("published " + publisher.packets() + " packets from " + source);
        return 0;
      }
    }
  }

  /** {@code mtx-testkit play}. */
  @Command(name = "play", mixinStandardHelpOptions = true,
      description = "Read a stream (RTSP over TCP, or RTMP) and report codecs, size, frame rate, frames, gaps and latency.")
  static final class Play implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "rtsp://host:8554/live/<id>/in (or rtmp://…)")
    String url;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds to read (default ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--frames", defaultValue = "" + Long.MAX_VALUE, description = "Stop after this many video frames.")
    long frames;

    @Option(names = "--timeout", defaultValue = "10", description = "Fail if the stream has not opened, or no media arrives, within this many seconds (default ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--snapshot", description = "Write the first decoded picture to this PNG file.")
    Path snapshot;

    @Override
    @SuppressWarnings("try") // the hook is only closed: that says the command has answered
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      routeFfmpegLog(url);
      Duration duration;
      Duration timeout;
      try {
        duration = seconds("--duration", durationSeconds);
        timeout = seconds("--timeout", timeoutSeconds);
        if (frames < 1) {
          throw new IllegalArgumentException("--frames must be at least 1, got " + frames);
        }
        Path folder = snapshot == null ? null : snapshot.toAbsolutePath().getParent();
        if (folder != null && !(java.nio.file.Files.isDirectory(folder) && java.nio.file.Files.isWritable(folder))) {
          throw new IllegalArgumentException("--snapshot " + snapshot + ": " + folder + " is not a writable directory");
        }
        if (snapshot != null && java.nio.file.Files.exists(snapshot)
            && !(java.nio.file.Files.isRegularFile(snapshot) && java.nio.file.Files.isWritable(snapshot))) {
          throw new IllegalArgumentException("--snapshot " + snapshot + " exists and is not a writable file");
        }
      } catch (IllegalArgumentException e) {
        err.println("mtx-testkit: invalid option: " + e.getMessage());
        return INVALID;
      }
      // Ctrl-C or SIGTERM: the read ends early and its report so far is printed before the JVM ends (130/143).
      StopRequest stop = new StopRequest(err);
      try (StopRequest.Hook hook = stop.onShutdown(() -> { })) {
        PlayReport report;
        try {
          report = TestStreamPlayer.play(url, duration, frames, timeout, snapshot, stop::requested);
        } catch (TestStreamPublisher.PublishException e) {
          return failed(err, e.getMessage(), exitCode(e));
        } catch (TestStreamPlayer.NoMediaException e) {
          return failed(err, e.getMessage(), UNREACHABLE);
        } catch (TestStreamPlayer.SnapshotException e) {
          return failed(err, e.getMessage(), INVALID); // e.g. a full disk: the option's target, not the stream
        }
        out.println(json ? new ObjectMapper().writeValueAsString(report) : report.summary());
        if (stop.requested()) {
          err.println(String.format(java.util.Locale.ROOT, "mtx-testkit: stopped after %.1f s; the report covers what arrived until then",
              report.seconds()));
          return STOPPED;
        }
        return 0;
      }
    }
  }

  /**
   * A stop asked for by a signal while a command runs: the command sees it (or its stream is stopped) and ends
   * early, and the JVM's end waits (up to {@link #ANSWER_WAIT}) for the command's last words, which a shutdown alone
   * would cut off.
   */
  static final class StopRequest {
    /** Enough for a read to end (within a frame) or a stream to close; a read stuck on a silent server is not waited out. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(3);
    private final java.util.concurrent.atomic.AtomicBoolean requested = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    private final PrintWriter err;
    /** A shutdown hook has run: the JVM is ending on a signal. */
    static volatile boolean signalled;

    StopRequest(PrintWriter err) {
      this.err = err;
    }

    boolean requested() {
      return requested.get();
    }

    /** Asks the command to stop, runs {@code stop}, and waits for the command's answer; false when it did not come in time. */
    boolean stopAndAwaitAnswer(Runnable stop, Duration wait) {
      requested.set(true);
      stop.run();
      try {
        if (answered.await(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      err.println("mtx-testkit: stopped before the command could report");
      return false;
    }

    /**
     * Registers the JVM shutdown's stop, which also runs {@code stop}; closing the hook says the command has answered
     * and unregisters it.
     */
    Hook onShutdown(Runnable stop) {
      Thread thread = new Thread(() -> {
        signalled = true;
        stopAndAwaitAnswer(stop, ANSWER_WAIT);
      }, "mtx-testkit-stop");
      Runtime.getRuntime().addShutdownHook(thread);
      return () -> {
        answered.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it has just been told the answer is out
        }
      };
    }

    /** A registered shutdown stop. */
    interface Hook extends AutoCloseable {
      @Override
      void close();
    }
  }

  /** {@code mtx-testkit mediamtx}: what {@code make test} asks before it decides whether MediaMTX tests can run. */
  @Command(name = "mediamtx", mixinStandardHelpOptions = true,
      description = {"Print the path of the MediaMTX binary the integration tests use: MEDIAMTX_BIN as given; "
          + "else the cache or PATH at an accepted version (deploy/mediamtx/VERSIONS); else, with a Docker engine "
          + "on Linux, the pinned version copied out of the official image into the cache (Testcontainers).",
          "The accepted versions come from the repository's deploy/mediamtx/VERSIONS (found from the working "
              + "directory, or MTX_REPO_ROOT), else from the copy in this jar."})
  static final class MediaMtx implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try {
        spec.commandLine().getOut().println(MediaMtxBinary.require());
        return 0;
      } catch (RuntimeException e) {
        return failed(spec.commandLine().getErr(), e.getMessage(), NO_MEDIAMTX);
      }
    }
  }

  /** {@code value} seconds as a duration: more than 0 and within {@link TestStreamOptions#MAX_DURATION}; null stays null. */
  static Duration seconds(String option, Double value) {
    if (value == null) {
      return null;
    }
    if (!(value > 0) || value > TestStreamOptions.MAX_DURATION.toSeconds()) {
      throw new IllegalArgumentException(option + " must be more than 0 and at most " + TestStreamOptions.MAX_DURATION.toSeconds()
          + " seconds, got " + value);
    }
    return Duration.ofMillis(Math.max(1, Math.round(value * 1000)));
  }

  /** Says why the command failed, in one line on {@code err} (javacv's hints left out), and gives its exit code. */
  static int failed(PrintWriter err, String why, int exit) {
    err.println("mtx-testkit: " + Texts.mediaError(why));
    return exit;
  }

  static int exitCode(TestStreamPublisher.PublishException e) {
    return switch (e.reason()) {
      case INVALID_URL -> INVALID;
      case REJECTED -> REJECTED;
      case UNREACHABLE, BROKEN_OFF -> UNREACHABLE;
    };
  }

  /** One live line on a terminal, a plain line every 5 s otherwise. */
  static final class Progress {
    private final PrintWriter out;
    private final boolean terminal;
    private long lastPrinted;
    private boolean drawn;

    Progress(PrintWriter out, boolean terminal) {
      this.out = out;
      this.terminal = terminal;
    }

    void show(long frames, double seconds, int bitrate) {
      print(String.format(java.util.Locale.ROOT, "frames %d  fps %.1f  target bitrate %d kbit/s  elapsed %.0f s",
          frames, seconds > 0 ? frames / seconds : 0, bitrate / 1000, seconds), seconds);
    }

    /** A file's run: packets, and the bitrate its bytes make so far. */
    void showSent(long packets, long bytes, double seconds) {
      print(String.format(java.util.Locale.ROOT, "packets %d  %.0f kbit/s  elapsed %.0f s",
          packets, seconds > 0 ? bytes * 8 / seconds / 1000 : 0, seconds), seconds);
    }

    /** Ends a terminal's progress line, so what follows starts on a line of its own. */
    void finish() {
      if (drawn) {
        out.println();
      }
    }

    private void print(String line, double seconds) {
      if (terminal) {
        drawn = true;
        out.print("\r" + line);
        out.flush();
      } else if ((long) seconds / 5 != lastPrinted) {
        lastPrinted = (long) seconds / 5;
        out.println(line);
      }
    }

    void done(long frames, double seconds) {
      out.println((terminal ? "\n" : "") + String.format(java.util.Locale.ROOT, "published %d frames in %.1f s", frames, seconds));
    }
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildVersion.line("mtx-testkit", TestkitMain.class)};
    }
  }
}
