package io.mtxtoolkit.worker;

/** How a worker ended: its exit code and a one-line reason. */
public record WorkerResult(WorkerExit exit, String reason) {}
