package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One RTSP connection ({@code /v3/rtspconns/list} item). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtspConn(String id, String created, String remoteAddr, long bytesReceived, long bytesSent, String session) {
  @JsonCreator
  static ApiRtspConn fromJson(@JsonProperty("id") String id, @JsonProperty("created") String created,
                              @JsonProperty("remoteAddr") String remoteAddr,
                              @JsonProperty("bytesReceived") long bytesReceived, @JsonProperty("inboundBytes") Long inboundBytes,
                              @JsonProperty("bytesSent") long bytesSent, @JsonProperty("outboundBytes") Long outboundBytes,
                              @JsonProperty("session") String session) {
    return new ApiRtspConn(id, created, remoteAddr, Counters.prefer(inboundBytes, bytesReceived),
        Counters.prefer(outboundBytes, bytesSent), session);
  }
}
