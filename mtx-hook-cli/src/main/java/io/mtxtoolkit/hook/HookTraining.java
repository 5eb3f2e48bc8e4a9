package io.mtxtoolkit.hook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs one real ready event against a throw-away loopback receiver, so that the build can record the
 * classes a hook run loads into a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit}).
 */
public final class HookTraining {
  private HookTraining() {}

  public static void main(String[] args) throws IOException {
    System.exit(train(new PrintStream(OutputStream.nullOutputStream())));
  }

  /** One delivered ready event; returns the hook's exit code (0 when the archive recorded a full run). */
  static int train(PrintStream out) throws IOException {
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] reply = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(202, reply.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(reply);
      }
    });
    receiver.start();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("MTX_PATH", "live/cds-training/in");
    env.put("MTX_QUERY", "training=1");
    env.put("MTX_SOURCE_TYPE", "rtmpConn");
    env.put("MTX_SOURCE_ID", "00000000-0000-4000-8000-000000000000");
    env.put("ORCHESTRATOR_URL", "http://127.0.0.1:" + receiver.getAddress().getPort());
    env.remove(HookSettings.DRY_RUN_ENV);
    try {
      return HookMain.run(new String[] {"ready"}, env, out, System.err);
    } finally {
      receiver.stop(0);
    }
  }
}
