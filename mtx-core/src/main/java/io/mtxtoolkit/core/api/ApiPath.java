package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One path as MediaMTX's Control API reports it ({@code /v3/paths/list} item).
 *
 * <p>{@code ready} means a publisher is online: MediaMTX's {@code online} where the version has it, else its
 * {@code ready} (which, with {@code alwaysAvailable}, stays true after the publisher left). Counters and tracks
 * prefer the fields MediaMTX 1.17 added ({@code inboundBytes}, {@code outboundBytes}, {@code tracks2}) over
 * the ones it deprecated, so one client reads every accepted version.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiPath(String name, String confName, Source source, boolean ready, String readyTime,
                      List<String> tracks, long bytesReceived, long bytesSent, List<Reader> readers) {
  public ApiPath {
    tracks = tracks == null ? List.of() : List.copyOf(tracks);
    readers = readers == null ? List.of() : List.copyOf(readers);
  }

  @JsonCreator
  static ApiPath fromJson(@JsonProperty("name") String name, @JsonProperty("confName") String confName,
                          @JsonProperty("source") Source source, @JsonProperty("ready") boolean ready,
                          @JsonProperty("online") Boolean online, @JsonProperty("readyTime") String readyTime,
                          @JsonProperty("onlineTime") String onlineTime, @JsonProperty("tracks") List<String> tracks,
                          @JsonProperty("tracks2") List<Track> tracks2, @JsonProperty("bytesReceived") long bytesReceived,
                          @JsonProperty("inboundBytes") Long inboundBytes, @JsonProperty("bytesSent") long bytesSent,
                          @JsonProperty("outboundBytes") Long outboundBytes, @JsonProperty("readers") List<Reader> readers) {
    List<String> codecs = tracks != null && !tracks.isEmpty() || tracks2 == null
        ? tracks : tracks2.stream().map(Track::codec).toList();
    return new ApiPath(name, confName, source, online != null ? online : ready,
        online != null && onlineTime != null ? onlineTime : readyTime, codecs, Counters.prefer(inboundBytes, bytesReceived),
        Counters.prefer(outboundBytes, bytesSent), readers);
  }

  /** Who publishes to the path ({@code rtmpConn}, {@code rtspSession}, …). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String type, String id) {}

  /** One reader of the path. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Reader(String type, String id) {}

  /** One {@code tracks2} entry (MediaMTX 1.17+); only the codec name is read. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Track(String codec) {}
}
