package io.mtxtoolkit.testkit.mediamtx;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension running a real MediaMTX: registered on a static field it serves the whole class (its
 * {@code @Nested} classes included), on an instance field each test gets a fresh server. The server is stopped even
 * when a test fails.
 *
 * <pre>{@code @RegisterExtension static MediaMtxExtension mediamtx = MediaMtxExtension.create();}</pre>
 */
public final class MediaMtxExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final UnaryOperator<MediaMtxServer.Builder> customizer;
  private MediaMtxServer server;
  private boolean perClass;
  /** Class containers entered and not yet left: JUnit calls beforeAll again for each {@code @Nested} class. */
  private int classDepth;

  private MediaMtxExtension(UnaryOperator<MediaMtxServer.Builder> customizer) {
    this.customizer = customizer;
  }

  public static MediaMtxExtension create() {
    return new MediaMtxExtension(b -> b);
  }

  /** With builder changes applied before each start (configuration edits, environment, PATH). */
  public static MediaMtxExtension create(UnaryOperator<MediaMtxServer.Builder> customizer) {
    return new MediaMtxExtension(customizer);
  }

  /** The running server. */
  public MediaMtxServer server() {
    if (server == null) {
      throw new IllegalStateException("MediaMTX is not running (extension not registered, or outside a test)");
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    if (classDepth++ == 0) { // a nested class uses its outer class's server
      server = customizer.apply(MediaMtxServer.builder()).start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (--classDepth == 0) {
      stop();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      server = customizer.apply(MediaMtxServer.builder()).start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == MediaMtxServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return server();
  }
}
