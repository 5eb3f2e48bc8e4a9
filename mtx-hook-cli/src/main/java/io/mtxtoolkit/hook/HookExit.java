package io.mtxtoolkit.hook;

/** Exit codes of {@code mtx-hook}; MediaMTX ignores them, but scripts and tests rely on them. */
public enum HookExit {
  /** The orchestrator accepted the event (2xx). */
  OK(0),
  /** Unknown command or bad flag (picocli's usage code). */
  USAGE(2),
  /** MTX_PATH or ORCHESTRATOR_URL missing or invalid, e.g. a stream id with a forbidden character. */
  INVALID_ENVIRONMENT(3),
  /** The orchestrator answered, but not with 2xx. */
  REJECTED(4),
  /** No answer: connection refused, unknown host or timed out. */
  UNREACHABLE(5),
  /**
   * Stopped by SIGINT/SIGTERM before the orchestrator answered; delivery unknown. MediaMTX interrupts a
   * ready hook still running when its stream stops being ready. 128 + SIGINT, as a shell reports it.
   */
  INTERRUPTED(130);

  private final int code;

  HookExit(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
