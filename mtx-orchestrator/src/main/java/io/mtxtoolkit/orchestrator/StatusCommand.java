package io.mtxtoolkit.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.mtxtoolkit.orchestrator.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mtx-orchestrator status}: a running orchestrator's joined stream view as a table. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Print each stream: status, worker state and handle, restarts, /in and /out readiness, readers, /out bitrate and lag behind /in.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--url", defaultValue = "http://localhost:8080", description = "The orchestrator (default ${DEFAULT-VALUE}).")
  String url;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    JsonNode list;
    try {
      io.mtxtoolkit.core.hook.HookEnvironment.orchestratorUrl("--url", url);
    } catch (io.mtxtoolkit.core.ValidationException e) {
      spec.commandLine().getErr().println("mtx-orchestrator status: " + e.getMessage() + " (such as http://localhost:8080)");
      return OrchestratorMain.EXIT_USAGE;
    }
    String streams = url.trim().replaceAll("/+$", "") + "/v1/streams";
    // what messages show: an orchestrator behind a proxy may take user:password in its URL, which no message repeats
    String shown = io.mtxtoolkit.core.Urls.withoutUserInfo(streams);
    try {
      URI endpoint = URI.create(streams);
      // no proxy: through one, HttpURLConnection would put the URL's user and password in the request line
      HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection(java.net.Proxy.NO_PROXY);
      String authorization = io.mtxtoolkit.core.Urls.basicAuthorization(endpoint); // the same header mtx-hook sends
      if (authorization != null) {
        c.setRequestProperty("Authorization", authorization);
      }
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      int code = c.getResponseCode();
      if (code != 200) {
        // e.g. 404 from an orchestrator run with --worker-mode none: its answer says why
        InputStream body = c.getErrorStream();
        String why = body == null ? "" : new String(body.readNBytes(300), StandardCharsets.UTF_8).strip();
        spec.commandLine().getErr().println("mtx-orchestrator status: " + shown + " answered HTTP " + code
            + (why.isEmpty() ? "" : ": " + why));
        return OrchestratorMain.EXIT_START_FAILED;
      }
      list = Json.MAPPER.readTree(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      spec.commandLine().getErr().println("mtx-orchestrator status: cannot read " + shown + ": " + e.getMessage());
      return OrchestratorMain.EXIT_START_FAILED;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STREAM", "STATUS", "WORKER", "HANDLE", "RESTARTS", "IN", "OUT", "IN READERS", "OUT kbit/s",
        "OUT LAG ms"});
    for (JsonNode s : list.path("streams")) {
      JsonNode w = s.path("worker");
      JsonNode in = s.path("in");
      JsonNode outPath = s.path("out");
      rows.add(new String[] {s.path("streamId").asText(), s.path("status").asText(),
          w.path("workerState").asText("-"), w.path("worker").asText("-"), w.path("restarts").asText("-"),
          in.isMissingNode() || in.isNull() ? "-" : in.path("ready").asBoolean() ? "ready" : "no",
          outPath.isMissingNode() || outPath.isNull() ? "-" : outPath.path("ready").asBoolean() ? "ready" : "no",
          readers(in),
          outPath.path("bitrateKbps").isNumber() ? String.format("%.0f", outPath.path("bitrateKbps").asDouble()) : "-",
          w.path("outLagMs").isNumber() ? w.path("outLagMs").asText() : "-"});
    }
    printTable(out, rows);
    out.println("MediaMTX: " + list.path("mediamtx").asText());
    out.flush();
    return 0;
  }

  /** Columns as wide as their widest cell (ids run to 64 characters, states to 12), two spaces apart. */
  static void printTable(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    rows.forEach(row -> {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    });
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line);
    }
  }

  private static String readers(JsonNode path) {
    StringBuilder b = new StringBuilder();
    path.path("readers").forEach(r -> b.append(b.length() == 0 ? "" : ",").append(r.asText()));
    return b.length() == 0 ? "-" : b.toString();
  }
}
