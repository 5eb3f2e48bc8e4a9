package io.mtxtoolkit.orchestrator.workers;

/**
 * One stream as {@code GET /v1/streams} shows it.
 *
 * @param outLagMs how far {@code /out} runs behind {@code /in} in milliseconds, as its worker last reported; null
 *     while no worker publishes
 */
public record StreamView(String streamId, String inputPath, String outputPath, boolean ready, String workerState,
                         String launchMode, String worker, String startedAt, int restarts, Integer lastExitCode,
                         String lastExitReason, String failedReason, Long outLagMs) {}
