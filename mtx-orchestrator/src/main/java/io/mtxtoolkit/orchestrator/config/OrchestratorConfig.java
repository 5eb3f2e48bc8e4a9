package io.mtxtoolkit.orchestrator.config;

import io.mtxtoolkit.core.ValidationException;

/**
 * Where the orchestrator listens and how many received hook events it keeps for {@code GET /v1/events}.
 *
 * @param host interface to bind; {@code 0.0.0.0} (all IPv4 interfaces) by default so MediaMTX in another
 *     container can reach it
 * @param port TCP port; 0 lets the OS pick one (tests)
 * @param eventsKept how many of the most recent events are kept in memory
 */
public record OrchestratorConfig(String host, int port, int eventsKept) {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_EVENTS_KEPT = 200;
  /** Upper bound on kept events; keeps the in-memory history and one response of it small. */
  public static final int MAX_EVENTS_KEPT = 100_000;

  public OrchestratorConfig {
    if (host == null || host.isBlank()) {
      throw new ValidationException("host", "host must not be empty (use 0.0.0.0 for all interfaces)");
    }
    if (port < 0 || port > 65_535) {
      throw new ValidationException("port", "port " + port + " is outside 0..65535");
    }
    if (eventsKept < 1 || eventsKept > MAX_EVENTS_KEPT) {
      throw new ValidationException("eventsKept", "events kept " + eventsKept + " is outside 1.." + MAX_EVENTS_KEPT);
    }
    host = host.trim();
  }

  public static OrchestratorConfig defaults() {
    return new OrchestratorConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_EVENTS_KEPT);
  }

  public OrchestratorConfig withHost(String newHost) {
    return new OrchestratorConfig(newHost, port, eventsKept);
  }

  public OrchestratorConfig withPort(int newPort) {
    return new OrchestratorConfig(host, newPort, eventsKept);
  }

  public OrchestratorConfig withEventsKept(int newEventsKept) {
    return new OrchestratorConfig(host, port, newEventsKept);
  }
}
