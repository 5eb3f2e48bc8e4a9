package io.mtxtoolkit.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.Json;
import io.mtxtoolkit.testkit.http.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real orchestrator on a loopback port picked by the OS, plus what its listener heard; close stops it. */
final class RunningServer implements AutoCloseable {
  final OrchestratorServer server;
  final List<HookEvent> heard = new CopyOnWriteArrayList<>();
  private final String base;

  private RunningServer(int eventsKept, Clock clock, HookEventListener extra, String hookSecret) {
    HookEventListener listener = event -> {
      heard.add(event);
      extra.onEvent(event);
    };
    server = new OrchestratorServer(new OrchestratorConfig("127.0.0.1", 0, eventsKept), listener, clock, app -> { },
        hookSecret);
    base = "http://127.0.0.1:" + server.start();
  }

  static RunningServer start() {
    return new RunningServer(OrchestratorConfig.DEFAULT_EVENTS_KEPT, Clock.systemUTC(), HookEventListener.NONE, null);
  }

  static RunningServer start(int eventsKept, Clock clock, HookEventListener listener) {
    return new RunningServer(eventsKept, clock, listener, null);
  }

  /** One that accepts only hook requests signed with {@code hookSecret}. */
  static RunningServer signed(String hookSecret) {
    return new RunningServer(OrchestratorConfig.DEFAULT_EVENTS_KEPT, Clock.systemUTC(), HookEventListener.NONE, hookSecret);
  }

  String url(String path) {
    return base + path;
  }

  Http.Reply postJson(String path, String json) {
    return Http.post(url(path), "application/json", json);
  }

  static JsonNode json(Http.Reply reply) {
    try {
      return Json.MAPPER.readTree(reply.body());
    } catch (IOException e) {
      throw new UncheckedIOException("response is not JSON: " + reply, e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
