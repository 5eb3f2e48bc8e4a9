package io.mtxtoolkit.worker;

/**
 * How a worker ended: its exit code and a one-line reason. {@code crashed} marks an end the worker did
 * not report itself (a killed or dying process, a thread that threw): it says nothing about the stream,
 * so a restart may help, unlike the worker's own verdict of invalid input or unusable media.
 */
public record WorkerResult(WorkerExit exit, String reason, boolean crashed) {
  /** An end the worker reported itself. */
  public WorkerResult(WorkerExit exit, String reason) {
    this(exit, reason, false);
  }

  /** An end the worker did not report (recorded as a media error, exit code 5). */
  public static WorkerResult crashed(String reason) {
    return new WorkerResult(WorkerExit.MEDIA_ERROR, reason, true);
  }

  /** {@link #outcome()} of an end the worker did not report. */
  public static final String CRASHED = "crashed";

  /**
   * How it ended, in a word for metrics: the exit's {@link WorkerExit#wireName()}, or {@link #CRASHED}, which
   * the exit code (recorded as 5) cannot tell apart from the worker's own verdict on the media.
   */
  public String outcome() {
    return crashed ? CRASHED : exit.wireName();
  }

  /** Every {@link #outcome()} there is. */
  public static java.util.List<String> outcomes() {
    java.util.List<String> all = new java.util.ArrayList<>();
    for (WorkerExit e : WorkerExit.values()) {
      all.add(e.wireName());
    }
    all.add(CRASHED);
    return all;
  }

  /** The worker judged the stream itself unusable: restarting it for the same publisher cannot help. */
  public boolean streamUnusable() {
    return !crashed && (exit == WorkerExit.MEDIA_ERROR || exit == WorkerExit.INVALID_INPUT);
  }
}
