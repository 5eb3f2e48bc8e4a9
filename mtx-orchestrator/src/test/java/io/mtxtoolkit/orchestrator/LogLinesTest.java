package io.mtxtoolkit.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.mtxtoolkit.orchestrator.events.HookEventListener;
import io.mtxtoolkit.orchestrator.http.Json;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log lines an operator relies on, encoded by the production {@code logback.xml}'s JSON encoder. */
class LogLinesTest {
  private static final String EVENT = "{\"eventId\":\"evt-log-1\",\"event\":\"ready\",\"path\":\"live/logcam/in\","
      + "\"streamId\":\"logcam\",\"query\":\"lang=es&pass=hunter2\",\"sourceType\":\"rtmpConn\",\"sourceId\":\"conn-9\","
      + "\"timestamp\":\"2026-11-24T07:00:00.250Z\"}";

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger orchestratorLogger = (Logger) LoggerFactory.getLogger("io.mtxtoolkit.orchestrator");
  private final LoggerContext production = new LoggerContext();
  private OutputStreamAppender<ILoggingEvent> productionStdout;
  private Encoder<ILoggingEvent> productionEncoder;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void capture() throws Exception {
    captured.start();
    orchestratorLogger.addAppender(captured);

    URL config = OrchestratorServer.class.getResource("/logback.xml");
    assertThat(config).as("production logback.xml on the classpath").isNotNull();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(production);
    configurator.doConfigure(config);
    productionStdout = (OutputStreamAppender<ILoggingEvent>) production.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .getAppender("STDOUT");
    productionEncoder = productionStdout.getEncoder();
  }

  @AfterEach
  void release() {
    orchestratorLogger.detachAppender(captured);
    production.stop();
  }

  @Test
  void anAcceptedEventIsOneInfoLineWithEveryField() {
    try (RunningServer orch = RunningServer.start()) {
      assertThat(orch.postJson("/v1/mediamtx/events/ready", EVENT).status()).isEqualTo(202);
    }

    List<ILoggingEvent> lines = linesMentioning("evt-log-1");
    assertThat(lines).as("exactly one line per accepted event").hasSize(1);
    Instant before = Instant.now();
    JsonNode line = encode(lines.get(0));

    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("message").asText()).isEqualTo("hook event ready for live/logcam/in");
    assertThat(line.get("event").asText()).isEqualTo("ready");
    assertThat(line.get("eventId").asText()).isEqualTo("evt-log-1");
    assertThat(line.get("path").asText()).isEqualTo("live/logcam/in");
    assertThat(line.get("streamId").asText()).isEqualTo("logcam");
    assertThat(line.get("sourceId").asText()).isEqualTo("conn-9");
    assertThat(line.get("sourceType").asText()).isEqualTo("rtmpConn");
    assertThat(line.get("query").asText()).as("credentials masked").isEqualTo("lang=es&pass=***");
    assertThat(line.toString()).doesNotContain("hunter2");
    assertThat(line.get("eventTimestamp").asText()).isEqualTo("2026-11-24T07:00:00.250Z");
    assertThat(Instant.parse(line.get("timestamp").asText())).as("the line's own time, in UTC")
        .isBefore(before.plusSeconds(1)).isAfter(before.minusSeconds(60));
    assertThat(line.has("@version")).isFalse();
    assertThat(line.has("level_value")).isFalse();
    assertThat(line.get("logger").asText()).as("the field name the hook's lines use").startsWith("io.mtxtoolkit.orchestrator");
    assertThat(line.has("logger_name")).isFalse();
    assertThat(line.has("thread")).isTrue();
    assertThat(line.has("@timestamp")).isFalse();
  }

  @Test
  void anUnsignedRequestsPathIsOnlyAClaimInItsLine() {
    try (RunningServer orch = RunningServer.signed("s3cret")) {
      // signed, wrongly: headers that pass their own check get the body read, and its path named as a claim
      long now = System.currentTimeMillis() / 1000;
      assertThat(io.mtxtoolkit.testkit.http.Http.call(new okhttp3.Request.Builder().url(orch.url("/v1/mediamtx/events/ready"))
          .header(io.mtxtoolkit.core.hook.HookSignature.TIMESTAMP_HEADER, String.valueOf(now))
          .header(io.mtxtoolkit.core.hook.HookSignature.SIGNATURE_HEADER, "sha256=00")
          .post(okhttp3.RequestBody.create(EVENT, okhttp3.MediaType.get("application/json"))).build()).status())
          .isEqualTo(401);
    }
    List<ILoggingEvent> lines = linesMentioning("with 401");
    assertThat(lines).hasSize(1);
    JsonNode line = encode(lines.get(0));
    assertThat(line.get("status").asInt()).isEqualTo(401);
    assertThat(line.get("claimedPath").asText()).isEqualTo("live/logcam/in");
    assertThat(line.has("path")).as("not the stream's correlation field: anyone can claim a path").isFalse();
    assertThat(line.has("streamId")).isFalse();
  }

  @Test
  void aRejectedRequestIsOneWarnLineWithStatusFieldAndStream() {
    try (RunningServer orch = RunningServer.start()) {
      String bad = "{\"eventId\":\"evt-log-2\",\"path\":\"live/logcam/in\",\"timestamp\":\"noon\"}";
      assertThat(orch.postJson("/v1/mediamtx/events/ready", bad).status()).isEqualTo(400);
    }

    List<ILoggingEvent> lines = linesMentioning("'noon'");
    assertThat(lines).hasSize(1);
    JsonNode line = encode(lines.get(0));

    assertThat(line.get("level").asText()).isEqualTo("WARN");
    assertThat(line.get("message").asText()).startsWith("rejected POST /v1/mediamtx/events/ready with 400: timestamp");
    assertThat(line.get("status").asInt()).isEqualTo(400);
    assertThat(line.get("field").asText()).isEqualTo("timestamp");
    assertThat(line.get("error").asText()).contains("not an ISO-8601 instant");
    assertThat(line.get("path").asText()).isEqualTo("live/logcam/in");
    assertThat(line.get("streamId").asText()).isEqualTo("logcam");
    assertThat(line.get("event").asText()).isEqualTo("request-rejected");
  }

  @Test
  void anUnexpectedFailureIsAnErrorLineWithTheStackTrace() {
    HookEventListener broken = event -> {
      throw new IllegalStateException("listener bug 42");
    };
    try (RunningServer orch = RunningServer.start(10, Clock.systemUTC(), broken)) {
      assertThat(orch.postJson("/v1/mediamtx/events/not-ready", "{\"path\":\"live/x/in\"}").status()).isEqualTo(500);
    }

    ILoggingEvent error = captured.list.stream().filter(e -> e.getLevel().toString().equals("ERROR"))
        .findFirst().orElseThrow(() -> new AssertionError("no ERROR line in " + captured.list));
    JsonNode line = encode(error);
    assertThat(line.get("message").asText()).isEqualTo("unexpected error handling POST /v1/mediamtx/events/not-ready");
    assertThat(line.get("stack_trace").asText()).contains("IllegalStateException: listener bug 42");
    assertThat(line.get("event").asText()).isEqualTo("request-failed");
  }

  @Test
  void aLifecycleLineCarriesTheStreamsPublisher() {
    Logger managerLogger = (Logger) LoggerFactory.getLogger(io.mtxtoolkit.orchestrator.workers.WorkerManager.class);
    managerLogger.addAppender(captured);
    io.mtxtoolkit.orchestrator.workers.WorkerManager manager = new io.mtxtoolkit.orchestrator.workers.WorkerManager(
        new io.mtxtoolkit.orchestrator.workers.WorkerManagerTest.Launcher(),
        io.mtxtoolkit.orchestrator.workers.LifecyclePolicy.defaults(), Clock.systemUTC());
    try {
      manager.onEvent(io.mtxtoolkit.core.hook.HookEvent.create(io.mtxtoolkit.core.hook.HookEventType.READY,
          io.mtxtoolkit.core.path.StreamPath.parse("live/logcam/in"), "", "rtmpConn", "conn-9", Instant.now()));
      manager.notReady(io.mtxtoolkit.core.path.StreamId.of("logcam"));
    } finally {
      manager.close();
      managerLogger.detachAppender(captured);
    }
    for (String event : List.of("worker-started", "grace-started", "worker-exited")) {
      JsonNode line = captured.list.stream().map(this::encode).filter(l -> l.path("event").asText().equals(event))
          .findFirst().orElseThrow(() -> new AssertionError("no " + event + " line in " + captured.list));
      assertThat(line.get("streamId").asText()).as(event).isEqualTo("logcam");
      assertThat(line.get("path").asText()).as(event).isEqualTo("live/logcam/in");
      assertThat(line.get("sourceId").asText()).as(event).isEqualTo("conn-9");
    }
  }

  @Test
  void javalinsBareStartFailureLineIsDroppedBecauseMainReportsItBetter() {
    Logger javalin = production.getLogger("io.javalin.Javalin");
    LoggingEvent startFailure = new LoggingEvent(Logger.FQCN, javalin, Level.ERROR, "Failed to start Javalin", null, null);
    LoggingEvent other = new LoggingEvent(Logger.FQCN, javalin, Level.ERROR, "Javalin failed to stop gracefully", null,
        null);

    assertThat(productionStdout.getFilterChainDecision(startFailure)).isEqualTo(FilterReply.DENY);
    assertThat(productionStdout.getFilterChainDecision(other)).isEqualTo(FilterReply.NEUTRAL);
  }

  private List<ILoggingEvent> linesMentioning(String text) {
    return captured.list.stream().filter(e -> e.getFormattedMessage().contains(text)
        || encode(e).toString().contains(text)).toList();
  }

  private JsonNode encode(ILoggingEvent event) {
    String text = new String(productionEncoder.encode(event), StandardCharsets.UTF_8);
    assertThat(text).as("one line").endsWith("\n").doesNotContain("\n".repeat(2));
    assertThat(text.strip()).doesNotContain("\n");
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
