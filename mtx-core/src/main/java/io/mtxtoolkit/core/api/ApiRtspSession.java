package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One RTSP session ({@code /v3/rtspsessions/list} item); {@code state} is {@code read}, {@code publish} or {@code idle}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtspSession(String id, String created, String remoteAddr, String state, String path, String query,
                             String transport, long bytesReceived, long bytesSent) {
  @JsonCreator
  static ApiRtspSession fromJson(@JsonProperty("id") String id, @JsonProperty("created") String created,
                                 @JsonProperty("remoteAddr") String remoteAddr, @JsonProperty("state") String state,
                                 @JsonProperty("path") String path, @JsonProperty("query") String query,
                                 @JsonProperty("transport") String transport,
                                 @JsonProperty("bytesReceived") long bytesReceived,
                                 @JsonProperty("inboundBytes") Long inboundBytes,
                                 @JsonProperty("bytesSent") long bytesSent, @JsonProperty("outboundBytes") Long outboundBytes) {
    return new ApiRtspSession(id, created, remoteAddr, state, path, query, transport,
        Counters.prefer(inboundBytes, bytesReceived), Counters.prefer(outboundBytes, bytesSent));
  }
}
