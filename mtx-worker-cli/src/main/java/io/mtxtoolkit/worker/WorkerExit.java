package io.mtxtoolkit.worker;

/** Exit codes of {@code mtx-worker}; the orchestrator records them with the reason. */
public enum WorkerExit {
  /** Stopped on request (SIGTERM/SIGINT or the orchestrator). */
  STOPPED(0),
  /** Bad command line. */
  USAGE(2),
  /** Invalid stream id, host or port: nothing was attempted. */
  INVALID_INPUT(3),
  /** The source was lost (or never there) and the three reconnect attempts failed. */
  SOURCE_LOST(4),
  /** The media could not be processed (unsupported codec, broken stream, unknown processing step). */
  MEDIA_ERROR(5),
  /** The three reconnect attempts failed, the last of them on /out (refused, or broken off), not on the source. */
  OUTPUT_LOST(6);

  private final int code;

  WorkerExit(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The name in metrics and JSON: {@code source-lost}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public static WorkerExit ofCode(int code) {
    for (WorkerExit e : values()) {
      if (e.code == code) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown worker exit code " + code);
  }
}
