package io.mtxtoolkit.orchestrator;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static net.logstash.logback.argument.StructuredArguments.v;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.events.EventLog;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.ErrorResponses;
import io.mtxtoolkit.orchestrator.http.HookApi;
import io.mtxtoolkit.orchestrator.http.Json;
import io.mtxtoolkit.orchestrator.http.JsonErrorHandler;
import java.net.BindException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The orchestrator's HTTP service on embedded Jetty (Javalin). Started once, stopped once; safe to stop twice. */
public final class OrchestratorServer {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorServer.class);

  /** Longest pause allowed inside a request body. */
  public static final java.time.Duration REQUEST_IDLE_TIMEOUT = java.time.Duration.ofSeconds(5);

  private final OrchestratorConfig config;
  private final EventLog events;
  private final Javalin app;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean started;
  private int port = -1;

  public OrchestratorServer(OrchestratorConfig config, HookEventListener listener, Clock clock) {
    this(config, listener, clock, app -> { });
  }

  /** With extra routes (e.g. {@link io.mtxtoolkit.orchestrator.http.StreamsApi}) registered before the error handlers. */
  public OrchestratorServer(OrchestratorConfig config, HookEventListener listener, Clock clock,
                            java.util.function.Consumer<Javalin> extraRoutes) {
    this(config, listener, clock, extraRoutes, null);
  }

  /** With signed hooks required when {@code hookSecret} is set. */
  public OrchestratorServer(OrchestratorConfig config, HookEventListener listener, Clock clock,
                            java.util.function.Consumer<Javalin> extraRoutes, String hookSecret) {
    this.config = config;
    this.events = new EventLog(config.eventsKept());
    this.app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.http.prefer405over404 = true;
      c.http.maxRequestSize = HookApi.MAX_BODY_BYTES;
      c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
      c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      // Bounds how long a request may stall mid-body (slowloris) before it is answered 408; a body trickled a byte
      // at a time is bounded by RequestBodies.BODY_DEADLINE.
      c.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(REQUEST_IDLE_TIMEOUT.toMillis()));
    });
    new HookApi(events, listener, clock, hookSecret).register(app);
    extraRoutes.accept(app);
    ErrorResponses.register(app);
  }

  public OrchestratorServer(OrchestratorConfig config) {
    this(config, HookEventListener.NONE, Clock.systemUTC());
  }

  /**
   * Binds and starts serving; returns the bound port (the OS's pick when the configured port is 0).
   *
   * @throws ListenException when the address cannot be bound, e.g. the port is taken
   */
  public synchronized int start() {
    if (started) {
      throw new IllegalStateException("OrchestratorServer already started; create a new one");
    }
    started = true;
    try {
      app.start(config.host(), config.port());
    } catch (RuntimeException e) {
      app.stop(); // releases Jetty's threads after a half-done start
      stopped.countDown();
      throw listenFailure(e);
    }
    port = app.port();
    LOG.info("mtx-orchestrator listening on {}", v("url", url()), kv("event", "orchestrator-started"), kv("host", config.host()), kv("port", port),
        kv("eventsKept", config.eventsKept()));
    return port;
  }

  /** Stops serving and waits for in-flight requests; does nothing when already stopped. */
  public synchronized void stop() {
    if (stopped.getCount() == 0) {
      return;
    }
    app.stop();
    stopped.countDown();
    if (started) {
      LOG.info("mtx-orchestrator stopped", kv("event", "orchestrator-stopped"), kv("port", port));
    }
  }

  /** Blocks until {@link #stop()} has completed (or start failed). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** The bound port, or -1 before a successful start. */
  public synchronized int port() {
    return port;
  }

  /** Base URL as bound, e.g. {@code http://0.0.0.0:8080}. */
  public synchronized String url() {
    return url(config.host(), port);
  }

  static String url(String host, int port) {
    return "http://" + io.mtxtoolkit.core.Urls.host(host) + ":" + port;
  }

  public EventLog events() {
    return events;
  }

  public OrchestratorConfig config() {
    return config;
  }

  private ListenException listenFailure(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException bind) {
        String reason = String.valueOf(bind.getMessage());
        boolean inUse = reason.toLowerCase(Locale.ROOT).contains("in use");
        return new ListenException(config.host(), config.port(), inUse,
            inUse ? "port " + config.port() + " is already in use" : reason, e);
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    // a host that resolves to nothing fails with a message-less UnresolvedAddressException
    String reason = root instanceof java.nio.channels.UnresolvedAddressException || root instanceof java.net.UnknownHostException
        ? "no such host" : root.getMessage() != null ? root.getMessage() : root.toString();
    return new ListenException(config.host(), config.port(), false, reason, e);
  }
}
