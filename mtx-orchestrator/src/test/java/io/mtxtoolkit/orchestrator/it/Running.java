package io.mtxtoolkit.orchestrator.it;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test started (MediaMTX, services, publishers), closed newest first after the test, even when
 * it failed: a field annotated {@code @AutoClose}. Every resource is closed; the first failure is rethrown.
 */
final class Running implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Registers {@code resource} for closing and returns it. */
  <T extends AutoCloseable> T keep(T resource) {
    started.push(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
