package io.mtxtoolkit.orchestrator.workers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers {@code GET /v3/paths/list} on loopback with the items a test sets, in the Control API's page
 * shape, or with an error status: for unit tests of how the orchestrator reads the list. Whether real
 * MediaMTX answers in that shape is checked by the recorded-response tests against a live server.
 */
final class PathsListStub implements AutoCloseable {
  private final HttpServer server;
  private volatile Supplier<List<String>> items = List::of;
  private volatile int status = 200;
  /** What {@code /v3/paths/get/<name>} finds, when it should differ from the list (null: the list's items). */
  private volatile Supplier<List<String>> byName;

  private PathsListStub() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v3/paths/list", exchange -> {
      List<String> now = items.get();
      byte[] body = (status == 200
          ? "{\"pageCount\":1,\"itemCount\":" + now.size() + ",\"items\":[" + String.join(",", now) + "]}"
          : "{\"error\":\"stub answers " + status + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/v3/paths/get/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/v3/paths/get/".length());
      Supplier<List<String>> source = byName != null ? byName : items;
      String found = status != 200 ? null : source.get().stream()
          .filter(item -> item.contains("\"name\":\"" + name + "\"")).findFirst().orElse(null);
      byte[] body = (found != null ? found : "{\"error\":\"path not found\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(found != null ? 200 : 404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  /** {@code /v3/paths/get/<name>} answers from {@code source} instead of the list: a list that missed a path. */
  PathsListStub byName(Supplier<List<String>> source) {
    this.byName = source;
    return this;
  }

  static PathsListStub start() {
    return new PathsListStub();
  }

  /** Each request lists what {@code source} returns then: one JSON object per path. */
  PathsListStub items(Supplier<List<String>> source) {
    this.items = source;
    this.status = 200;
    return this;
  }

  PathsListStub items(String... paths) {
    List<String> fixed = List.of(paths);
    return items(() -> fixed);
  }

  /** Every request is answered {@code errorStatus} until items are set again. */
  void fail(int errorStatus) {
    this.status = errorStatus;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
