package io.mtxtoolkit.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's table of log events names every event the services' code logs, so an operator can look one up. */
class ReadmeLogEventsTest {
  /** {@code kv("event", "x")} and the lifecycle's {@code fields(…, "x")}: how the code names a line's event. */
  private static final Pattern EVENT = Pattern.compile("kv\\(\"event\", \"([a-z-]+)\"\\)|fields\\([^;]*?\"([a-z-]+)\"\\)"
      + "|static final String [A-Z_]+ = \"(worker-[a-z-]+)\";");

  @Test
  void everyEventTheCodeLogsIsInTheReadme() throws IOException {
    Path root = RepoFiles.root();
    Set<String> events = new TreeSet<>();
    for (String module : new String[] {"mtx-hook-cli", "mtx-worker-cli", "mtx-orchestrator"}) {
      try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = EVENT.matcher(Files.readString(f));
          while (m.find()) {
            events.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
          }
        }
      }
    }
    assertThat(events).as("events found in the code, also where the fields' other arguments are calls")
        .contains("worker-started", "worker-reconnect", "worker-running", "grace-started", "stale-event-ignored", "metrics-count-failed");
    String logs = Files.readString(root.resolve("README.md"));
    logs = logs.substring(logs.indexOf("### Logs"), logs.indexOf("## Layout"));
    String section = logs;
    assertThat(events).allSatisfy(e -> assertThat(section).as("README's Logs section").contains("`" + e + "`"));
  }
}
