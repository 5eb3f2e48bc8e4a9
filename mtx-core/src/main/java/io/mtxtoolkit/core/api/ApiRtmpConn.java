package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One RTMP connection ({@code /v3/rtmpconns/list} item); {@code state} is {@code publish}, {@code read} or {@code idle}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtmpConn(String id, String created, String remoteAddr, String state, String path, String query,
                          long bytesReceived, long bytesSent) {
  @JsonCreator
  static ApiRtmpConn fromJson(@JsonProperty("id") String id, @JsonProperty("created") String created,
                              @JsonProperty("remoteAddr") String remoteAddr, @JsonProperty("state") String state,
                              @JsonProperty("path") String path, @JsonProperty("query") String query,
                              @JsonProperty("bytesReceived") long bytesReceived, @JsonProperty("inboundBytes") Long inboundBytes,
                              @JsonProperty("bytesSent") long bytesSent, @JsonProperty("outboundBytes") Long outboundBytes) {
    return new ApiRtmpConn(id, created, remoteAddr, state, path, query, Counters.prefer(inboundBytes, bytesReceived),
        Counters.prefer(outboundBytes, bytesSent));
  }
}
