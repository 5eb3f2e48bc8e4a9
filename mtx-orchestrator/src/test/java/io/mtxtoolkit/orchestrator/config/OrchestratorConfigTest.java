package io.mtxtoolkit.orchestrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.core.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrchestratorConfigTest {
  @Test
  void defaultsListenOnAllInterfacesOn8080() {
    assertThat(OrchestratorConfig.defaults()).isEqualTo(new OrchestratorConfig("0.0.0.0", 8080, 200));
    assertThat(OrchestratorConfig.defaults().withHost(" 127.0.0.1 ").withPort(0).withEventsKept(5))
        .isEqualTo(new OrchestratorConfig("127.0.0.1", 0, 5));
  }

  @ParameterizedTest
  @CsvSource({"'',8080,200,host", "0.0.0.0,-1,200,port", "0.0.0.0,65536,200,port", "0.0.0.0,8080,0,eventsKept",
      "0.0.0.0,8080,100001,eventsKept"})
  void rejectsOutOfRangeValuesNamingTheField(String host, int port, int kept, String field) {
    assertThatThrownBy(() -> new OrchestratorConfig(host, port, kept))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void rejectsAMissingHost() {
    assertThatThrownBy(() -> new OrchestratorConfig(null, 1, 1)).isInstanceOf(ValidationException.class);
  }

  @Test
  void theEdgesOfEachRangeAreAccepted() {
    OrchestratorConfig base = OrchestratorConfig.defaults();
    assertThat(base.withPort(0).port()).as("0: any free port").isZero();
    assertThat(base.withPort(65_535).port()).isEqualTo(65_535);
    assertThat(new OrchestratorConfig("h", 1, 1).eventsKept()).isEqualTo(1);
    assertThat(new OrchestratorConfig("h", 1, OrchestratorConfig.MAX_EVENTS_KEPT).eventsKept()).isEqualTo(OrchestratorConfig.MAX_EVENTS_KEPT);
  }
}
