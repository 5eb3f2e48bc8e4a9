package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One RTSP session ({@code /v3/rtspsessions/list} item); {@code state} is {@code read}, {@code publish} or {@code idle}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiRtspSession(String id, String created, String remoteAddr, String state, String path, String query,
                             String transport, long bytesReceived, long bytesSent) {}
