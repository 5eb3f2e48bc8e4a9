package io.mtxtoolkit.worker;

/** Life of a worker, as the orchestrator reports it. */
public enum WorkerState {
  STARTING, RUNNING, RECONNECTING, STOPPING, STOPPED, FAILED;

  /** The lower-case name used in JSON and logs. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
