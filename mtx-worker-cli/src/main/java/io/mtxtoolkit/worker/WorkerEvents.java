package io.mtxtoolkit.worker;

/**
 * The {@code event} names of a worker's lines that the orchestrator reads from a worker process's output to
 * follow its state: one definition for both sides, so that renaming one cannot silently blind the other.
 */
public final class WorkerEvents {
  /** Publishing to /out. */
  public static final String RUNNING = "worker-running";
  /** The source was lost; a reconnect attempt follows. */
  public static final String RECONNECT = "worker-reconnect";
  /** The worker's verdict that ends it with a failure (its reason is the line's message). */
  public static final String FAILED = "worker-failed";
  /** With {@code --progress-ms}: packets published so far and {@code /out}'s lag behind {@code /in} ({@code lagMs}). */
  public static final String PROGRESS = "worker-progress";

  /**
   * The logger of the running, reconnect and end lines. The worker's logging configuration keeps it at INFO, as it
   * does {@link #PROGRESS_LOGGER}: a quieter MTX_LOG_LEVEL must not blind the orchestrator to a worker's state.
   */
  public static final String LIFECYCLE_LOGGER = "io.mtxtoolkit.worker.lifecycle";
  /** The logger of the {@link #PROGRESS} lines. */
  public static final String PROGRESS_LOGGER = "io.mtxtoolkit.worker.progress";

  private WorkerEvents() {}

  /** The event of a worker's end in {@code state} ({@link #FAILED}, or {@code worker-stopped}). */
  public static String ended(WorkerState state) {
    return "worker-" + state.wireName();
  }
}
