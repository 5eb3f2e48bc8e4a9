package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One RTMP connection ({@code /v3/rtmpconns/list} item); {@code state} is {@code publish}, {@code read} or {@code idle}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtmpConn(String id, String created, String remoteAddr, String state, String path, String query,
                          long bytesReceived, long bytesSent) {}
