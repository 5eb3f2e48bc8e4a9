package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.config.Listener;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void givesEveryListenerADistinctBindablePort() throws Exception {
    Map<Listener, Integer> ports = FreePorts.forListeners(EnumSet.allOf(Listener.class));
    assertThat(ports).hasSize(Listener.values().length);
    assertThat(new HashSet<>(ports.values())).hasSize(ports.size());
    for (var entry : ports.entrySet()) {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), entry.getValue());
      if (entry.getKey().transport() == Listener.Transport.UDP) {
        new DatagramSocket(address).close();
      } else {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(address);
        }
      }
    }
  }

  @Test
  void portsAreBelowTheEphemeralRangeWhereNoClientConnectsToItself(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    int[] below = FreePorts.BELOW_EPHEMERAL;
    assertThat(below != null || !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")))
        .as("the range is read where the kernel states it").isTrue();
    for (int i = 0; below != null && i < 20; i++) {
      assertThat(FreePorts.tcp()).isBetween(below[0], below[1]);
    }
    java.nio.file.Path range = dir.resolve("range");
    java.nio.file.Files.writeString(range, "32768\t60999\n");
    assertThat(FreePorts.belowEphemeral(range)).containsExactly(10_000, 32_767);
    java.nio.file.Files.writeString(range, "1024 65535");
    assertThat(FreePorts.belowEphemeral(range)).as("no room below: any free port").isNull();
    assertThat(FreePorts.belowEphemeral(dir.resolve("none"))).isNull();
  }

  @Test
  void awaitListeningSeesAListenerWithoutConnectingToIt() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(200);
      FreePorts.awaitListening(server.getLocalPort(), java.time.Duration.ofSeconds(5));
      assertThat(org.assertj.core.api.Assertions.catchThrowable(server::accept))
          .as("no probe connection was made").isInstanceOf(java.net.SocketTimeoutException.class);
    }
  }

  @Test
  void awaitListeningFailsClearlyWhenNothingListens() {
    int port = FreePorts.tcp();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FreePorts.awaitListening(port, java.time.Duration.ofMillis(300)))
        .hasMessageContaining("nothing listens on port " + port);
  }

  @Test
  void awaitListeningEndsAtOnceWhenTheListenerHasEnded() {
    int port = FreePorts.tcp();
    long started = System.nanoTime();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FreePorts.awaitListening(port, java.time.Duration.ofMinutes(5), () -> true))
        .hasMessage("nothing listens on port " + port + ": the listener has ended");
    org.assertj.core.api.Assertions.assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
        .isLessThan(java.time.Duration.ofMinutes(1));
  }
}
