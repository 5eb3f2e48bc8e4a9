package io.mtxtoolkit.testkit.mediamtx;

import io.mtxtoolkit.core.config.Listener;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks distinct free loopback ports, holding every socket open until all are chosen so one set never
 * contains the same port twice. Another process can still take a port after release; callers start
 * the server right away and report a bind error clearly if that rare race happens.
 */
public final class FreePorts {
  private FreePorts() {}

  /** One free port per listener, of the listener's transport. */
  public static Map<Listener, Integer> forListeners(Collection<Listener> listeners) {
    List<Closeable> held = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    Map<Listener, Integer> ports = new EnumMap<>(Listener.class);
    try {
      for (Listener listener : listeners) {
        while (true) {
          Closeable socket = open(listener.transport());
          held.add(socket);
          int port = socket instanceof ServerSocket s ? s.getLocalPort() : ((DatagramSocket) socket).getLocalPort();
          if (taken.add(port)) {
            ports.put(listener, port);
            break;
          }
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve free ports", e);
    } finally {
      for (Closeable c : held) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing a probe socket cannot lose anything
        }
      }
    }
  }

  /** A single free TCP port on loopback. */
  public static int tcp() {
    try (ServerSocket s = (ServerSocket) open(Listener.Transport.TCP)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free TCP port", e);
    }
  }

  /**
   * Ports are picked below the kernel's ephemeral range, which outgoing connections take their local ports
   * from. Inside it, a client polling a port that does not listen yet can connect to itself (TCP simultaneous
   * open: the kernel may choose that very port as the local one) and then holds the port its server was about to
   * bind; an outgoing connection can take it too. Null where the range is unknown or leaves no room below.
   */
  static final int[] BELOW_EPHEMERAL = belowEphemeral(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));

  static int[] belowEphemeral(Path rangeFile) {
    try {
      // readAllLines: Files.readString trusts the size procfs reports, and reads one byte of this file
      int low = Integer.parseInt(Files.readAllLines(rangeFile).get(0).trim().split("\\s+")[0]);
      return low > 11_000 ? new int[] {10_000, low - 1} : null;
    } catch (IOException | RuntimeException unknown) {
      return null;
    }
  }

  private static final java.util.Random RANDOM = new java.util.Random();

  /** {@link #awaitListening(int, Duration)} for the port of {@code url} (e.g. {@code rtmp://127.0.0.1:PORT/…}). */
  public static void awaitListening(String url, Duration timeout) {
    awaitListening(java.net.URI.create(url).getPort(), timeout);
  }

  /**
   * Runs {@code then} on another thread once something listens on {@code port} (up to 20 s): a reader started before
   * the server it reads, seen listening without a connection, since such a server (FFmpeg's listen mode) serves only
   * its first.
   */
  public static <T> java.util.concurrent.CompletableFuture<T> onceListening(int port, java.util.function.Supplier<T> then) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      awaitListening(port, Duration.ofSeconds(20));
      return then.get();
    });
  }

  /**
   * Waits until a TCP socket listens on {@code port}, seen in /proc/net/tcp{,6} rather than by
   * connecting: an FFmpeg listener ({@code -listen 1}) serves the first connection only, and a probe
   * would take it.
   */
  public static void awaitListening(int port, Duration timeout) {
    awaitListening(port, timeout, () -> false);
  }

  /**
   * Like {@link #awaitListening(int, Duration)}, but fails at once when {@code gaveUp} says the would-be listener
   * has ended; returns at once where there is no /proc/net/tcp to look in (not Linux): there, a caller cannot be told.
   */
  public static void awaitListening(int port, Duration timeout, java.util.function.BooleanSupplier gaveUp) {
    if (!Files.exists(Path.of("/proc/net/tcp"))) {
      return;
    }
    String local = String.format(":%04X ", port);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (gaveUp.getAsBoolean()) {
        throw new IllegalStateException("nothing listens on port " + port + ": the listener has ended");
      }
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        try {
          for (String line : Files.readAllLines(Path.of(table))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && (f[1] + " ").endsWith(local) && f[3].equals("0A")) { // 0A: LISTEN
              return;
            }
          }
        } catch (IOException e) {
          // no IPv6 table on this machine
        }
      }
      try {
        Thread.sleep(20); // polling interval of a bounded wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for port " + port, e);
      }
    }
    throw new IllegalStateException("nothing listens on port " + port + " within " + timeout.toMillis() + " ms");
  }

  /** A socket bound to a free loopback port below the ephemeral range (see {@link #BELOW_EPHEMERAL}), else any. */
  private static Closeable open(Listener.Transport transport) throws IOException {
    for (int attempt = 0; BELOW_EPHEMERAL != null && attempt < 100; attempt++) {
      int port = BELOW_EPHEMERAL[0] + RANDOM.nextInt(BELOW_EPHEMERAL[1] - BELOW_EPHEMERAL[0] + 1);
      try {
        return bind(transport, port);
      } catch (IOException taken) {
        // in use: draw again
      }
    }
    return bind(transport, 0);
  }

  private static Closeable bind(Listener.Transport transport, int port) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    if (transport == Listener.Transport.UDP) {
      return new DatagramSocket(address);
    }
    ServerSocket s = new ServerSocket();
    try {
      s.bind(address);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }
}
