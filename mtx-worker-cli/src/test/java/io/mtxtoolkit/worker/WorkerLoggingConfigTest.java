package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

/** The worker's logging configuration: a quieter MTX_LOG_LEVEL keeps the lines the orchestrator reads. */
class WorkerLoggingConfigTest {
  @Test
  void aQuieterLevelKeepsTheLinesTheOrchestratorFollowsAWorkerBy() throws Exception {
    LoggerContext context = new LoggerContext();
    context.putProperty("MTX_LOG_LEVEL", "WARN");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(WorkerMain.class.getClassLoader().getResource(WorkerMain.LOGBACK_CONFIG));
    try {
      assertThat(context.getLogger(StreamWorker.class).isEnabledFor(Level.INFO)).as("the level applies").isFalse();
      assertThat(context.getLogger(WorkerEvents.LIFECYCLE_LOGGER).isEnabledFor(Level.INFO)).as("running, reconnect, end").isTrue();
      assertThat(context.getLogger(WorkerEvents.PROGRESS_LOGGER).isEnabledFor(Level.INFO)).as("progress").isTrue();
    } finally {
      context.stop();
    }
  }
}
