package io.mtxtoolkit.core.api;

/** Byte counters that MediaMTX 1.17 renamed ({@code bytesReceived} → {@code inboundBytes}, …). */
final class Counters {
  private Counters() {}

  /** The current field where the answer has it, else the deprecated one. */
  static long prefer(Long current, long deprecated) {
    return current != null ? current : deprecated;
  }
}
