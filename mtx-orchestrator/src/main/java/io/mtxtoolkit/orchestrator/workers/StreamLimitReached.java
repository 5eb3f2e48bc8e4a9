package io.mtxtoolkit.orchestrator.workers;

/**
 * A hook event for a stream the manager does not know, refused because it already tracks as many streams as it
 * keeps ({@link LifecyclePolicy#maxStreams()}): the sender may send it again later (503).
 */
public final class StreamLimitReached extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StreamLimitReached(String message) {
    super(message, null, false, false); // an expected outcome: no stack trace to fill or log
  }
}
