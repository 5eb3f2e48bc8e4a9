package io.mtxtoolkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelineRulesTest {
  private final MediaMtxConfig good = RepoConfig.load();

  @Test
  void recordingMustStayOff() {
    assertThat(good.with("pathDefaults.record", true).pipelineProblems())
        .containsExactly("pathDefaults.record must be no (recording is off in v0)");
  }

  @Test
  void logsMustBeStructuredOnStdout() {
    assertThat(good.with("logStructured", false).with("logDestinations", java.util.List.of("file")).pipelineProblems())
        .containsExactly("logStructured must be yes (JSON log lines)", "logDestinations must include stdout");
  }

  @Test
  void operatorEndpointsMustBeOn() {
    assertThat(good.with("api", "no").with("metrics", false).pipelineProblems())
        .containsExactly("api must be yes", "metrics must be yes");
  }

  @Test
  void pathsMustBeCreatedByPublishers() {
    assertThat(good.with("pathDefaults.source", "rtsp://elsewhere/x").pipelineProblems())
        .containsExactly("pathDefaults.source must be publisher");
  }

  @Test
  void workersNeedRtspOverTcp() {
    assertThat(good.with("rtspTransports", java.util.List.of("udp")).pipelineProblems())
        .containsExactly("rtspTransports must offer tcp (workers read over TCP)");
  }

  @Test
  void hooksBelongToIngestPathsOnly() {
    assertThat(good.with("pathDefaults.runOnReady", "mtx-hook ready").pipelineProblems())
        .containsExactly("pathDefaults.runOnReady must be empty: hooks belong to " + PipelineRules.HOOK_PATH + " only");
    assertThat(good.withPathSetting("~^live/.+/out$", "runOnNotReady", "mtx-hook not-ready").pipelineProblems())
        .containsExactly("paths.~^live/.+/out$ must not run hooks: only " + PipelineRules.HOOK_PATH + " does");
    assertThat(good.withPathSetting(PipelineRules.HOOK_PATH, "runOnReady", "curl x").pipelineProblems())
        .containsExactly("paths." + PipelineRules.HOOK_PATH + ".runOnReady must run 'mtx-hook ready'");
  }

  @Test
  void eachPathsOwnSettingsFollowTheSameRules() {
    assertThat(good.withPathSetting(PipelineRules.HOOK_PATH, "record", true)
        .withPathSetting(PipelineRules.HOOK_PATH, "source", "rtsp://elsewhere/x")
        .withPathSetting(PipelineRules.HOOK_PATH, "runOnReadyRestart", "yes").pipelineProblems())
        .containsExactly("paths." + PipelineRules.HOOK_PATH + ".record must be no (recording is off in v0)",
            "paths." + PipelineRules.HOOK_PATH + ".source must be publisher",
            "paths." + PipelineRules.HOOK_PATH + ".runOnReadyRestart must be no");
    assertThat(good.with("pathDefaults.runOnReadyRestart", true).pipelineProblems())
        .containsExactly("pathDefaults.runOnReadyRestart must be no");
  }

  @Test
  void noEntryMayTakeIngestPathsFromTheHookPath() {
    String yaml = good.toYaml();
    MediaMtxConfig literal = MediaMtxConfig.parse(yaml.replace("paths:\n", "paths:\n  live/cam1/in: {}\n"));
    assertThat(literal.pipelineProblems()).containsExactly(
        "paths.live/cam1/in takes live/<id>/in streams from " + PipelineRules.HOOK_PATH + ": their hooks would not run");
    assertThat(good.withPathSetting("live/cam2/in", "record", false).pipelineProblems()).as("a name wins wherever it stands")
        .containsExactly("paths.live/cam2/in takes live/<id>/in streams from " + PipelineRules.HOOK_PATH
            + ": their hooks would not run");
    MediaMtxConfig earlier = MediaMtxConfig.parse(yaml.replace("paths:\n", "paths:\n  \"~^live/\": {}\n"));
    assertThat(earlier.pipelineProblems()).hasSize(1).first().asString().startsWith("paths.~^live/ takes");
    assertThat(PipelineRules.claimsIngestPaths("~^live/.+/out$")).isFalse();
    assertThat(PipelineRules.claimsIngestPaths("all_others")).isFalse();
    assertThat(PipelineRules.claimsIngestPaths("~[")).as("not Java's syntax: left to MediaMTX").isFalse();
  }

  @Test
  void theHookPathMustExist() {
    MediaMtxConfig noPaths = MediaMtxConfig.parse(good.toYaml().replace(PipelineRules.HOOK_PATH, "~^somewhere$"));
    assertThat(noPaths.pipelineProblems()).contains("paths must contain " + PipelineRules.HOOK_PATH + " with the hooks");
  }

  @Test
  void theHookPathMustRunBothHooks() {
    assertThat(good.withPathSetting(PipelineRules.HOOK_PATH, "runOnReady", "curl -d @- http://x").pipelineProblems())
        .containsExactly("paths." + PipelineRules.HOOK_PATH + ".runOnReady must run 'mtx-hook ready'");
    assertThat(good.withPathSetting(PipelineRules.HOOK_PATH, "runOnNotReady", "").pipelineProblems())
        .containsExactly("paths." + PipelineRules.HOOK_PATH + ".runOnNotReady must run 'mtx-hook not-ready'");
  }

  @Test
  void hookPatternMatchesIngestPathsOnly() {
    var p = PipelineRules.hookPattern();
    assertThat(p.matcher("live/stream123/in").matches()).isTrue();
    assertThat(p.matcher("live/a-b_C/in").matches()).isTrue();
    assertThat(p.matcher("live/stream123/out").matches()).isFalse();
    assertThat(p.matcher("other/path").matches()).isFalse();
    assertThat(p.matcher("live/a;b/in").matches()).isFalse();
    assertThat(p.matcher("live/" + "x".repeat(65) + "/in").matches()).isFalse();
    assertThat(p.matcher("xlive/a/in").matches()).isFalse();
  }
}
