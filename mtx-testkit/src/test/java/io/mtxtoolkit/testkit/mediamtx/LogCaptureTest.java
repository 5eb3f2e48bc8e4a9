package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogCaptureTest {

  @Test
  void awaitsALineThatArrivesLater() throws Exception {
    LogCapture log = new LogCapture("proc", null);
    Thread writer = new Thread(() -> {
      log.add("starting");
      log.add("{\"message\":\"ready\"}");
    });
    writer.start();
    assertThat(log.await("ready", l -> l.contains("ready"), Duration.ofSeconds(5))).contains("\"ready\"");
    writer.join();
    assertThat(log.lines()).containsExactly("starting", "{\"message\":\"ready\"}");
    assertThat(log.find(l -> l.startsWith("start"))).contains("starting");
  }

  @Test
  void awaitFromIgnoresEarlierLines() {
    LogCapture log = new LogCapture("proc", null);
    log.add("event 1");
    int mark = log.size();
    assertThatThrownBy(() -> log.awaitFrom(mark, "event", l -> l.startsWith("event"), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
    log.add("event 2");
    assertThat(log.awaitFrom(mark, "event", l -> l.startsWith("event"), Duration.ofMillis(50))).isEqualTo("event 2");
  }

  @Test
  void timeoutNamesWhatWasAwaitedAndShowsTheTail() {
    LogCapture log = new LogCapture("mediamtx", null);
    for (int i = 0; i < 50; i++) {
      log.add("line " + i);
    }
    assertThatThrownBy(() -> log.await("the publisher", l -> l.contains("publishing"), Duration.ofMillis(30)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("waiting for mediamtx to log the publisher")
        .hasMessageContaining("line 49")
        .hasMessageNotContaining("line 9\n");
    assertThat(log.tail()).hasSize(40);
  }

  @Test
  void followsAStreamToItsEndAndEchoes() throws Exception {
    ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    LogCapture log = new LogCapture("p", new PrintStream(echoed, true, StandardCharsets.UTF_8));
    log.follow(new ByteArrayInputStream("a\nb\n".getBytes(StandardCharsets.UTF_8))).join(5000);
    assertThat(log.lines()).containsExactly("a", "b");
    assertThat(echoed.toString(StandardCharsets.UTF_8)).contains("[p] a", "[p] b");
  }
}
