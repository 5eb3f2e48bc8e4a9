package io.mtxtoolkit.hook;

import io.mtxtoolkit.core.ValidationException;
import java.time.Duration;
import java.util.Map;

/**
 * Timeouts and dry-run switch of one hook run. MediaMTX passes no flags, so each also comes from the
 * environment ({@code MTX_HOOK_CONNECT_TIMEOUT_MS}, {@code MTX_HOOK_READ_TIMEOUT_MS}, {@code MTX_HOOK_DRY_RUN}).
 */
public record HookSettings(Duration connectTimeout, Duration readTimeout, boolean dryRun) {
  public static final String CONNECT_TIMEOUT_ENV = "MTX_HOOK_CONNECT_TIMEOUT_MS";
  public static final String READ_TIMEOUT_ENV = "MTX_HOOK_READ_TIMEOUT_MS";
  public static final String DRY_RUN_ENV = "MTX_HOOK_DRY_RUN";
  /** Short by default: the spec wants delivery within 1 s, and a hook that hangs delays nothing useful. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(1000);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(2000);

  public HookSettings {
    checkTimeout("connectTimeout", connectTimeout);
    checkTimeout("readTimeout", readTimeout);
  }

  public static HookSettings fromEnvironment(Map<String, String> env) {
    return new HookSettings(millis(env, CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT),
        millis(env, READ_TIMEOUT_ENV, DEFAULT_READ_TIMEOUT), dryRun(env));
  }

  static boolean dryRun(Map<String, String> env) {
    return "1".equals(env.get(DRY_RUN_ENV)) || "true".equals(env.get(DRY_RUN_ENV));
  }

  /** Variable {@code name} in milliseconds, {@code fallback} when unset; checked for range here, naming the variable. */
  static Duration millis(Map<String, String> env, String name, Duration fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return checkTimeout(name, Duration.ofMillis(Long.parseLong(raw.trim())));
    } catch (NumberFormatException e) {
      throw new ValidationException(name, name + "=" + raw + " is not a number of milliseconds");
    }
  }

  static Duration checkTimeout(String field, Duration d) {
    if (d == null || d.toMillis() < 1 || d.toMillis() > 60_000) {
      throw new ValidationException(field, field + " must be between 1 and 60000 ms, got " + (d == null ? "none" : d.toMillis()));
    }
    return d;
  }
}
