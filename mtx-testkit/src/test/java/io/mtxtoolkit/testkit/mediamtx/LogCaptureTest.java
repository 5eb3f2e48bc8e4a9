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
    long mark = log.size();
    assertThatThrownBy(() -> log.awaitFrom(mark, "event", l -> l.startsWith("event"), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
    log.add("event 2");
    assertThat(log.awaitFrom(mark, "event", l -> l.startsWith("event"), Duration.ofMillis(50))).isEqualTo("event 2");
  }

  @Test
  void keepsOnlyTheNewestLinesWhileMarksStayValid() {
    LogCapture log = new LogCapture("chatty", null, 8);
    for (int i = 0; i < 20; i++) {
      log.add("line " + i);
    }
    long mark = log.size();
    assertThat(mark).as("forgotten lines still count").isEqualTo(20);
    assertThat(log.lines()).hasSizeBetween(6, 8).endsWith("line 19").doesNotContain("line 0", "line 11");
    for (int i = 20; i < 40; i++) {
      log.add("line " + i);
    }
    assertThat(log.awaitFrom(mark, "a later line", l -> l.startsWith("line "), Duration.ofMillis(50)))
        .as("a mark older than what is kept starts at the oldest line kept").isNotEqualTo("line 20").startsWith("line 3");
    assertThat(log.awaitFrom(0, "line 39", "line 39"::equals, Duration.ofMillis(50))).isEqualTo("line 39");
    assertThatThrownBy(() -> new LogCapture("none", null, 0)).isInstanceOf(IllegalArgumentException.class);
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

  /** A process that died logs nothing more: a wait for its line fails at once, with its last words, not at the timeout. */
  @Test
  void aWaitOnAStreamThatEndedFailsAtOnce() throws Exception {
    LogCapture log = new LogCapture("mediamtx", null);
    log.follow(new ByteArrayInputStream("ERR listener failed: address already in use\n".getBytes(StandardCharsets.UTF_8)))
        .join(5000);
    assertThat(log.await("the error", l -> l.startsWith("ERR"), Duration.ofMillis(1))).as("lines seen still count")
        .contains("address already in use");
    long started = System.nanoTime();
    assertThatThrownBy(() -> log.await("the API listener", l -> l.contains("[API] listener opened"), Duration.ofMinutes(5)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("mediamtx's output ended (the process exited?) before it logged the API listener")
        .hasMessageContaining("address already in use");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(1));
  }
}
