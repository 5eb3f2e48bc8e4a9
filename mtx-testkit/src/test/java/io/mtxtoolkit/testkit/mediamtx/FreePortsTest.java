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
  void singleTcpPortIsInTheEphemeralRange() {
    assertThat(FreePorts.tcp()).isBetween(1024, 65535);
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
}
