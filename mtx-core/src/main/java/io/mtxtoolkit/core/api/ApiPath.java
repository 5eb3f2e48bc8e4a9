package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** One path as MediaMTX's Control API reports it ({@code /v3/paths/list} item). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiPath(String name, String confName, Source source, boolean ready, String readyTime,
                      List<String> tracks, long bytesReceived, long bytesSent, List<Reader> readers) {
  public ApiPath {
    tracks = tracks == null ? List.of() : List.copyOf(tracks);
    readers = readers == null ? List.of() : List.copyOf(readers);
  }

  /** Who publishes to the path ({@code rtmpConn}, {@code rtspSession}, …). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String type, String id) {}

  /** One reader of the path. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Reader(String type, String id) {}
}
