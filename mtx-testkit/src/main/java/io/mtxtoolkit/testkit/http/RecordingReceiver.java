package io.mtxtoolkit.testkit.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP endpoint that records every request and answers with a fixed status, for testing
 * clients such as {@code mtx-hook} (it stands in for the orchestrator, never for MediaMTX).
 */
public final class RecordingReceiver implements AutoCloseable {
  /** One received request. */
  public record Request(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a request header, by case-insensitive name, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService handlers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "recording-receiver");
    t.setDaemon(true);
    return t;
  });
  private final List<Request> requests = new ArrayList<>();
  private volatile int status;

  private RecordingReceiver(int status) {
    this.status = status;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(handlers);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"), body, Map.copyOf(headers));
      // Recorded before answering, so a client that got its answer finds its request here.
      synchronized (requests) {
        requests.add(request);
        requests.notifyAll();
      }
      byte[] reply = ("{\"status\":" + this.status + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      if (this.status / 100 == 3) {
        exchange.getResponseHeaders().add("Location", "/redirected"); // a client that follows it shows up here
      }
      exchange.sendResponseHeaders(this.status, reply.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(reply);
      }
    });
    server.start();
  }

  /** Starts a receiver on a free loopback port answering {@code status} to everything. */
  public static RecordingReceiver start(int status) {
    return new RecordingReceiver(status);
  }

  public void answer(int newStatus) {
    this.status = newStatus;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Waits until at least {@code count} requests arrived; fails with what did arrive. */
  public List<Request> await(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (requests) {
      while (requests.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + count + " requests within " + timeout.toMillis() + " ms, got "
              + requests.size() + ": " + requests.stream().map(r -> r.method() + " " + r.path()).toList());
        }
        try {
          requests.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
      return new ArrayList<>(requests);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdown(); // a test class may start hundreds of receivers; their idle threads go with them
  }
}
