package io.mtxtoolkit.core.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path's figures in MediaMTX's metrics text, whichever accepted version wrote it: 1.18 renamed
 * {@code paths_bytes_received} to {@code paths_inbound_bytes} (the old name stays, deprecated) and
 * splits {@code paths_readers} by {@code readerType}.
 */
public final class PathMetrics {
  private PathMetrics() {}

  /** Bytes the path received from its publisher, or empty when the samples do not list the path. */
  public static Optional<Double> inboundBytes(List<PrometheusText.Sample> samples, String path) {
    Map<String, String> labels = Map.of("name", path);
    return PrometheusText.value(samples, "paths_inbound_bytes", labels)
        .or(() -> PrometheusText.value(samples, "paths_bytes_received", labels));
  }

  /** How many readers the path has, over every reader type. */
  public static Optional<Double> readers(List<PrometheusText.Sample> samples, String path) {
    return PrometheusText.sum(samples, "paths_readers", Map.of("name", path));
  }
}
