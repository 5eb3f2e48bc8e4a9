package io.mtxtoolkit.orchestrator.events;

import io.mtxtoolkit.core.hook.HookEvent;

/**
 * Receives every accepted hook event, on the HTTP request thread, after it has been logged and recorded.
 * An exception thrown here turns the response into a 500, so MediaMTX's hook sees the failure.
 */
@FunctionalInterface
public interface HookEventListener {
  /** Ignores events; the default until the worker lifecycle plugs in. */
  HookEventListener NONE = event -> { };

  void onEvent(HookEvent event);
}
