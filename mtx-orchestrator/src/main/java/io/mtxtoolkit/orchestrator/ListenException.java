package io.mtxtoolkit.orchestrator;

/** The server could not listen on its address; {@link #portInUse()} tells the common case apart. */
public final class ListenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String host;
  private final int port;
  private final boolean portInUse;

  public ListenException(String host, int port, boolean portInUse, String reason, Throwable cause) {
    super("cannot listen on " + host + ":" + port + ": " + reason, cause);
    this.host = host;
    this.port = port;
    this.portInUse = portInUse;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean portInUse() {
    return portInUse;
  }
}
