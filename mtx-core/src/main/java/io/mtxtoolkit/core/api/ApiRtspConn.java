package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One RTSP connection ({@code /v3/rtspconns/list} item). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtspConn(String id, String created, String remoteAddr, long bytesReceived, long bytesSent, String session) {}
