package io.mtxtoolkit.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What this pipeline needs from a MediaMTX configuration (spec FR-004/005, FR-013..FR-015, FR-019):
 * recording off, JSON logs on stdout, publisher-sourced paths, API/metrics/playback on, RTSP over TCP
 * offered, and the ready/not-ready hooks only on {@code live/<id>/in} so a worker's {@code /out}
 * never starts a worker.
 */
public final class PipelineRules {
  /** The {@code paths:} entry that carries the hooks. */
  public static final String HOOK_PATH = "~^live/[A-Za-z0-9_-]{1,64}/in$";

  private PipelineRules() {}

  static List<String> check(MediaMtxConfig config) {
    List<String> problems = new ArrayList<>();
    expect(problems, isFalse(config.get("pathDefaults.record")), "pathDefaults.record must be no (recording is off in v0)");
    expect(problems, "publisher".equals(config.get("pathDefaults.source")), "pathDefaults.source must be publisher");
    expect(problems, isTrue(config.get("logStructured")), "logStructured must be yes (JSON log lines)");
    expect(problems, listContains(config.get("logDestinations"), "stdout"), "logDestinations must include stdout");
    for (Listener l : List.of(Listener.API, Listener.METRICS, Listener.PLAYBACK, Listener.RTSP, Listener.RTMP)) {
      expect(problems, config.isEnabled(l), l.enableKey() + " must be yes");
    }
    Object transports = config.get("rtspTransports");
    expect(problems, transports == null || listContains(transports, "tcp"), "rtspTransports must offer tcp (workers read over TCP)");
    for (String hook : List.of("runOnReady", "runOnNotReady")) {
      expect(problems, isBlank(config.get("pathDefaults." + hook)),
          "pathDefaults." + hook + " must be empty: hooks belong to " + HOOK_PATH + " only");
    }
    for (String name : config.pathNames()) {
      Map<String, Object> settings = config.path(name);
      boolean hooked = !isBlank(settings.get("runOnReady")) || !isBlank(settings.get("runOnNotReady"));
      if (name.equals(HOOK_PATH)) {
        expect(problems, String.valueOf(settings.get("runOnReady")).contains("mtx-hook ready"),
            "paths." + name + ".runOnReady must run 'mtx-hook ready'");
        expect(problems, String.valueOf(settings.get("runOnNotReady")).contains("mtx-hook not-ready"),
            "paths." + name + ".runOnNotReady must run 'mtx-hook not-ready'");
      } else if (hooked) {
        problems.add("paths." + name + " must not run hooks: only " + HOOK_PATH + " does");
      }
    }
    expect(problems, config.pathNames().contains(HOOK_PATH), "paths must contain " + HOOK_PATH + " with the hooks");
    return problems;
  }

  /** The hook path as a Java pattern (MediaMTX's Go RE2 syntax and Java agree on this subset). */
  public static Pattern hookPattern() {
    try {
      return Pattern.compile(HOOK_PATH.substring(1));
    } catch (PatternSyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void expect(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  private static boolean isTrue(Object v) {
    return Boolean.TRUE.equals(v) || "yes".equals(v) || "true".equals(v);
  }

  private static boolean isFalse(Object v) {
    return Boolean.FALSE.equals(v) || "no".equals(v) || "false".equals(v);
  }

  private static boolean isBlank(Object v) {
    return v == null || String.valueOf(v).isBlank();
  }

  private static boolean listContains(Object list, String item) {
    return list instanceof List<?> l && l.contains(item);
  }
}
