package io.mtxtoolkit.hook;

import io.mtxtoolkit.core.Urls;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEnvironment;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.core.hook.HookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hook run: environment → event → one POST to the orchestrator, no retry (spec FR-007), then
 * exactly one JSON log line: on stdout when delivered, on stderr with the HTTP status or the
 * connection error when not, or when a signal stops the run before the orchestrator answered
 * (MediaMTX interrupts a ready hook whose stream stops being ready, and logs of a hook's end only a ready hook's
 * exit status when not 0). {@link HttpURLConnection} is used because it is already loaded with
 * the JDK's boot classes; java.net.http and okhttp each add hundreds of milliseconds per run.
 */
public final class HookRun {
  private static final int ERROR_BODY_LIMIT = 300;

  static {
    // HttpURLConnection sends a POST again, unasked, when the connection drops before the answer; the
    // spec's hook posts once. (Streaming mode would also stop that, but it discards a 401's body, which
    // holds the orchestrator's reason.) Read once, when the JDK's HTTP client class is initialised.
    System.setProperty("sun.net.http.retryPost", "false");
  }

  private final HookEventType type;
  private final HookSettings settings;
  private final AtomicBoolean logged = new AtomicBoolean();
  /** Open once the one line is out: a signal arriving while it is written waits for it, so it is never cut. */
  private final CountDownLatch lineWritten = new CountDownLatch(1);
  /** Known once the environment is read; the signal handler reports them. */
  private volatile HookEvent event;
  private volatile URI endpoint;

  public HookRun(HookEventType type, HookSettings settings) {
    this.type = type;
    this.settings = settings;
  }

  public HookExit run(Map<String, String> env, PrintStream out, PrintStream err) {
    long started = System.nanoTime();
    // First thing: MediaMTX may interrupt a ready hook at any point of its short life, JVM start-up included.
    Thread onSignal = new Thread(() -> {
      if (interrupted(err, env, started)) {
        Runtime.getRuntime().halt(HookExit.INTERRUPTED.code());
      }
    }, "mtx-hook-signal");
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      try {
        event = HookEnvironment.event(type, env, startedAt());
        endpoint = HookEnvironment.endpoint(HookEnvironment.orchestratorUrl(env), type);
      } catch (ValidationException e) {
        logOnce(err, "ERROR", null, env,
            HookLog.Outcome.notSent(HookExit.INVALID_ENVIRONMENT, type.wireName(), e.field(), e.getMessage(), elapsed(started)));
        return HookExit.INVALID_ENVIRONMENT;
      }
      byte[] body = HookEventJson.write(event);
      if (settings.dryRun()) {
        out.println(new String(body, StandardCharsets.UTF_8));
        // said where MediaMTX logs it: a dry run left set in its environment would otherwise lose every event quietly
        logOnce(err, "WARN", event, env, new HookLog.Outcome(HookExit.OK, "hook " + type.wireName()
            + " not sent: dry run (MTX_HOOK_DRY_RUN), the payload is on stdout", null, 0, null, elapsed(started)));
        return HookExit.OK;
      }
      HookLog.Outcome outcome = postWithinBudget(event, endpoint, body, env.get(HookSignature.SECRET_ENV), started);
      logOnce(outcome.exit() == HookExit.OK ? out : err, outcome.exit() == HookExit.OK ? "INFO" : "ERROR", event, env,
          outcome);
      return outcome.exit();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      } catch (IllegalStateException shuttingDown) {
        // a signal arrived: the hook thread decides what is logged
      }
    }
  }

  /**
   * Runs at JVM shutdown: logs the interruption when the run was stopped before its own line, and says
   * so (the caller then halts with 130).
   */
  boolean interrupted(PrintStream err, Map<String, String> env, long started) {
    HookEvent e = event;
    URI to = endpoint;
    String what = "hook " + type + " for " + (e != null ? e.path() : env.get(HookEnvironment.MTX_PATH));
    boolean first = logOnce(err, "ERROR", e, env, new HookLog.Outcome(HookExit.INTERRUPTED,
        what + " interrupted by a signal before the orchestrator answered: delivery unknown",
        to == null ? null : loggable(to), 0, "interrupted", elapsed(started)));
    if (!first) {
      // The run's own line is being written: the JVM exits when this hook returns, so let it finish first.
      try {
        lineWritten.await(1, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }
    return first;
  }

  private boolean logOnce(PrintStream stream, String level, HookEvent e, Map<String, String> env, HookLog.Outcome outcome) {
    if (!logged.compareAndSet(false, true)) {
      return false;
    }
    try {
      HookLog.write(stream, level, type.wireName(), e, env, outcome);
    } finally {
      lineWritten.countDown();
    }
    return true;
  }

  /** The URL as the log shows it: without user and password. */
  static String loggable(URI uri) {
    return Urls.withoutUserInfo(uri.toString());
  }

  /**
   * The POST on a thread of its own, waited for at most the connect plus the read timeout: those two alone
   * bound neither the name lookup (before the connect timeout starts) nor a reply that trickles in (the
   * read timeout restarts at every byte). Past the budget the run reports a timeout and ends; the JVM's
   * exit ends the daemon thread with it.
   */
  private HookLog.Outcome postWithinBudget(HookEvent event, URI endpoint, byte[] body, String secret, long started) {
    long budget = settings.connectTimeout().toMillis() + settings.readTimeout().toMillis();
    Exchange exchange = new Exchange(event, endpoint, body, secret, started);
    exchange.start();
    try {
      exchange.join(budget);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    HookLog.Outcome outcome = exchange.outcome;
    return outcome != null ? outcome : unreachable("hook " + type + " for " + event.path(), loggable(endpoint),
        "timed out: no answer within " + budget + " ms (connect + read timeout)", started);
  }

  /**
   * One POST, and the outcome it reached: a rejection is set before its reply's body is read, so a body that
   * trickles past the budget still reports the status the orchestrator answered.
   */
  private final class Exchange extends Thread {
    private final HookEvent event;
    private final URI endpoint;
    private final byte[] body;
    private final String secret;
    private final long started;
    volatile HookLog.Outcome outcome;

    Exchange(HookEvent event, URI endpoint, byte[] body, String secret, long started) {
      super("mtx-hook-post");
      setDaemon(true);
      this.event = event;
      this.endpoint = endpoint;
      this.body = body;
      this.secret = secret;
      this.started = started;
    }

    @Override
    public void run() {
      outcome = post(event, endpoint, body, secret, started, this);
    }
  }

  /**
   * One POST. {@code exchange} holds the verdict as soon as the status is known, so a reply body that trickles
   * past the time budget, or breaks off, cannot turn an answered event into an unreachable orchestrator.
   */
  private HookLog.Outcome post(HookEvent event, URI endpoint, byte[] body, String secret, long started, Exchange exchange) {
    String url = loggable(endpoint);
    String what = "hook " + type + " for " + event.path();
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) endpoint.toURL().openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout((int) settings.connectTimeout().toMillis());
      c.setReadTimeout((int) settings.readTimeout().toMillis());
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setInstanceFollowRedirects(false);
      c.setRequestProperty("Content-Type", "application/json");
      c.setRequestProperty("User-Agent", "mtx-hook");
      String authorization = io.mtxtoolkit.core.Urls.basicAuthorization(endpoint);
      if (authorization != null) {
        c.setRequestProperty("Authorization", authorization);
      }
      if (secret != null && !secret.isEmpty()) {
        long now = System.currentTimeMillis() / 1000;
        c.setRequestProperty(HookSignature.TIMESTAMP_HEADER, String.valueOf(now));
        c.setRequestProperty(HookSignature.SIGNATURE_HEADER, HookSignature.sign(secret, now, body));
      }
      try (OutputStream os = c.getOutputStream()) {
        os.write(body);
      }
      int status = c.getResponseCode();
      if (status < 100) {
        // the JDK's answer to a reply without an HTTP status line: whatever listens there is no orchestrator
        return unreachable(what, url, "the reply is not HTTP", started);
      }
      if (status >= 200 && status < 300) {
        // delivered: the body (an acknowledgement) is not read, so nothing in it can change that
        return new HookLog.Outcome(HookExit.OK, what + " delivered (" + status + ")", url, status, null, elapsed(started));
      }
      String rejected = what + " rejected: orchestrator answered HTTP " + status;
      exchange.outcome = new HookLog.Outcome(HookExit.REJECTED, rejected, url, status, null, elapsed(started));
      String reply;
      try {
        reply = readLimited(c.getErrorStream());
      } catch (IOException e) {
        reply = "(the reply's body broke off: " + e.getMessage() + ")";
      }
      return new HookLog.Outcome(HookExit.REJECTED, rejected, url, status, reply.isEmpty() ? null : reply, elapsed(started));
    } catch (SocketTimeoutException e) {
      return unreachable(what, url, "timed out: " + e.getMessage(), started);
    } catch (ConnectException e) {
      return unreachable(what, url, "connection failed: " + e.getMessage(), started);
    } catch (UnknownHostException e) {
      return unreachable(what, url, "unknown host " + e.getMessage(), started);
    } catch (IOException | RuntimeException e) { // RuntimeException: the JDK's own surprises must still give a line
      return unreachable(what, url, e.getClass().getSimpleName() + ": " + e.getMessage(), started);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /**
   * When MediaMTX started this hook process (the launcher execs the JVM, so it is the same process),
   * not when the JVM got here: JVM start-up varies by tens of milliseconds, and under load by far more,
   * while the orchestrator orders a stream's events by this time (a late ready must not undo the
   * not-ready that MediaMTX ran after it). Now minus the process's age from /proc, good to about 20 ms;
   * where /proc cannot tell, now.
   */
  static Instant startedAt() {
    Instant now = Instant.now();
    try {
      return now.minusMillis(ageMillis(read("/proc/self/stat"), read("/proc/uptime")));
    } catch (IOException | RuntimeException e) {
      return now;
    }
  }

  /** The process's age from /proc/self/stat (start time in ticks of 1/100 s, field 22) and /proc/uptime (seconds). */
  static long ageMillis(String stat, String uptime) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the command name may hold spaces
    long startedTicks = Long.parseLong(fields[19]);
    double upSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
    long age = Math.round(upSeconds * 1000) - startedTicks * 10;
    if (age < 0 || age > 60_000) {
      throw new IllegalStateException("implausible process age " + age + " ms"); // e.g. another tick rate
    }
    return age;
  }

  private static String read(String file) throws IOException {
    try (InputStream in = new java.io.FileInputStream(file)) {
      return new String(in.readNBytes(1024), StandardCharsets.US_ASCII);
    }
  }

  private static HookLog.Outcome unreachable(String what, String url, String error, long started) {
    return new HookLog.Outcome(HookExit.UNREACHABLE, what + " failed: orchestrator unreachable (" + error + ")", url, 0,
        error, elapsed(started));
  }

  private static String readLimited(InputStream in) throws IOException {
    if (in == null) {
      return "";
    }
    try (in) {
      return new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8).strip();
    }
  }

  private static long elapsed(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
