package io.mtxtoolkit.core.config;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.path.StreamPath;
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
  public static final String HOOK_PATH = "~^" + StreamPath.PREFIX + StreamId.REGEX + "/" + StreamPath.Direction.IN.segment() + "$";

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
    // Rerun on exit, the hook would send a new ready (with a new id) every time it ends while the stream is up.
    expect(problems, !isTrue(config.get("pathDefaults.runOnReadyRestart")), "pathDefaults.runOnReadyRestart must be no");
    boolean hookPathSeen = false;
    for (String name : config.pathNames()) {
      Map<String, Object> settings = config.path(name);
      // A path's own settings override pathDefaults: the same rules hold for each.
      expect(problems, !isTrue(settings.get("record")), "paths." + name + ".record must be no (recording is off in v0)");
      expect(problems, settings.get("source") == null || "publisher".equals(settings.get("source")),
          "paths." + name + ".source must be publisher");
      expect(problems, !isTrue(settings.get("runOnReadyRestart")), "paths." + name + ".runOnReadyRestart must be no");
      boolean literal = !name.startsWith("~");
      if ((literal || !hookPathSeen) && !name.equals(HOOK_PATH) && claimsIngestPaths(name)) {
        // MediaMTX gives a path its own name's entry, else the first expression that matches: the hook path
        // would never see this stream, and its publish would start no worker.
        problems.add("paths." + name + " takes live/<id>/in streams from " + HOOK_PATH + ": their hooks would not run");
      }
      hookPathSeen |= name.equals(HOOK_PATH);
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

  /** Ingest path names the hook path covers, as samples: one entry matching any of them takes them from it. */
  private static final List<String> INGEST_SAMPLES = List.of("live/test/in", "live/cam_1/in", "live/A-9/in");

  /** True when entry {@code name} (a literal name, or ~regex) matches an ingest path the hook path covers. */
  static boolean claimsIngestPaths(String name) {
    if (!name.startsWith("~")) {
      return hookPattern().matcher(name).matches();
    }
    try {
      Pattern p = Pattern.compile(name.substring(1));
      return INGEST_SAMPLES.stream().anyMatch(sample -> p.matcher(sample).find());
    } catch (PatternSyntaxException notJava) {
      return false; // RE2 syntax Java does not read: MediaMTX's own start will judge it
    }
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
