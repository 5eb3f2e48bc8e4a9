package io.mtxtoolkit.worker;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import java.time.Duration;

/**
 * What one worker does: read {@code inputUrl} (normally {@code rtsp://…/live/<id>/in} over TCP), process
 * and publish to {@code outputUrl} (normally {@code rtmp://…/live/<id>/out}).
 *
 * @param stallTimeout how long without data counts as a lost source (spec: detected within 5 s)
 */
public record WorkerConfig(StreamId streamId, String inputUrl, String outputUrl, Mode mode, String step,
                           Duration stallTimeout, ReconnectPolicy reconnect) {
  /** Default: remux packets unchanged; TRANSCODE decodes, runs {@link FrameProcessor} {@code step}, encodes H.264 + AAC. */
  public enum Mode { PASSTHROUGH, TRANSCODE }

  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(4);

  public WorkerConfig {
    if (streamId == null || mode == null || stallTimeout == null || reconnect == null) {
      throw new ValidationException("config", "incomplete worker configuration");
    }
    checkUrl("inputUrl", inputUrl);
    checkUrl("outputUrl", outputUrl);
    if (stallTimeout.toMillis() < 100 || stallTimeout.toMillis() > 60_000) {
      throw new ValidationException("stallTimeout", "stall timeout must be 100..60000 ms, got " + stallTimeout.toMillis());
    }
    if (mode == Mode.TRANSCODE && (step == null || step.isBlank())) {
      step = "label";
    }
  }

  /** The pipeline's standard wiring for {@code id} against MediaMTX at {@code mediamtx}. */
  public static WorkerConfig forStream(StreamId id, MediaMtxEndpoints mediamtx) {
    return new WorkerConfig(id, mediamtx.rtspUrl(StreamPath.in(id)), mediamtx.rtmpUrl(StreamPath.out(id)),
        Mode.PASSTHROUGH, null, DEFAULT_STALL_TIMEOUT, ReconnectPolicy.spec());
  }

  public WorkerConfig withMode(Mode newMode, String newStep) {
    return new WorkerConfig(streamId, inputUrl, outputUrl, newMode, newStep, stallTimeout, reconnect);
  }

  public WorkerConfig withUrls(String in, String out) {
    return new WorkerConfig(streamId, in == null ? inputUrl : in, out == null ? outputUrl : out, mode, step, stallTimeout, reconnect);
  }

  public WorkerConfig withTiming(Duration stall, ReconnectPolicy policy) {
    return new WorkerConfig(streamId, inputUrl, outputUrl, mode, step, stall, policy);
  }

  private static void checkUrl(String field, String url) {
    if (url == null || !(url.startsWith("rtsp://") || url.startsWith("rtmp://") || url.startsWith("file:")
        || url.startsWith("srt://"))) {
      throw new ValidationException(field, field + " must be an rtsp://, rtmp://, srt:// or file: URL, got "
          + io.mtxtoolkit.core.Urls.withoutUserInfo(url));
    }
  }
}
