package io.mtxtoolkit.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The table {@code mtx-orchestrator status} prints (its rows against a live orchestrator: StreamsViewTest). */
class StatusCommandTest {
  /** Cells wider than usual (a 64-character id, "reconnecting") widen their column instead of shifting the row. */
  @Test
  void theStatusTableKeepsItsColumnsWhateverTheCells() {
    StringWriter out = new StringWriter();
    String longId = "x".repeat(64);
    StatusCommand.printTable(new PrintWriter(out, true), java.util.List.of(
        new String[] {"STREAM", "STATUS", "RESTARTS"},
        new String[] {longId, "reconnecting", "12"},
        new String[] {"a", "idle", "-"}));
    java.util.List<String> rows = out.toString().lines().toList();
    assertThat(rows).hasSize(3);
    int status = rows.get(0).indexOf("STATUS");
    int restarts = rows.get(0).indexOf("RESTARTS");
    assertThat(rows.get(1).indexOf("reconnecting")).isEqualTo(status);
    assertThat(rows.get(2).indexOf("idle")).isEqualTo(status);
    assertThat(rows.get(1).indexOf("12")).isEqualTo(restarts);
    assertThat(rows.get(2).lastIndexOf('-')).isEqualTo(restarts);
    assertThat(rows.get(1).substring(64, status)).as("two spaces apart at the widest").isEqualTo("  ");
  }
}
