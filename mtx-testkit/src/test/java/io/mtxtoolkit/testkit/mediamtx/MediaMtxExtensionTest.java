package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extension's plumbing; MediaMTX itself is exercised by the tests tagged "mediamtx". */
class MediaMtxExtensionTest {

  @Test
  void startFailuresSurfaceFromEveryCallback(@TempDir Path dir) throws Exception {
    Path broken = FakeBinaries.script(dir, "echo 'ERR: bad config'\nexit 1");
    MediaMtxExtension perTest = MediaMtxExtension.create(b -> b.binary(broken).env("X", "1").prependPath(dir));
    assertThatThrownBy(() -> perTest.beforeEach(null)).hasMessageContaining("ERR: bad config");
    assertThatThrownBy(perTest::server).hasMessageContaining("not running");
    perTest.afterEach(null);
    MediaMtxExtension perClass = MediaMtxExtension.create(b -> b.binary(broken));
    assertThatThrownBy(() -> perClass.beforeAll(null)).hasMessageContaining("exited with code 1");
    perClass.afterAll(null);
    perClass.beforeEach(null);
    perClass.afterEach(null);
  }

  /** JUnit runs beforeAll and afterAll again for each @Nested class: those use the outer class's server. */
  @Test
  void aNestedClassUsesItsOuterClassesServer(@TempDir Path dir) throws Exception {
    Path starts = dir.resolve("starts");
    Path counting = FakeBinaries.script(dir, "echo started >> '" + starts + "'\nexit 1");
    MediaMtxExtension perClass = MediaMtxExtension.create(b -> b.binary(counting));
    assertThatThrownBy(() -> perClass.beforeAll(null)).hasMessageContaining("exited with code 1");
    perClass.beforeAll(null); // the @Nested class
    perClass.afterAll(null);
    perClass.afterAll(null);
    assertThat(java.nio.file.Files.readAllLines(starts)).as("one start for the class and its nested class").hasSize(1);
  }

  @Test
  void resolvesServerParameters() throws Exception {
    MediaMtxExtension ext = MediaMtxExtension.create();
    var method = getClass().getDeclaredMethod("takesServer", MediaMtxServer.class, String.class);
    var ctx = new org.junit.jupiter.api.extension.ParameterContext() {
      int index;

      @Override
      public java.lang.reflect.Parameter getParameter() {
        return method.getParameters()[index];
      }

      @Override
      public int getIndex() {
        return index;
      }

      @Override
      public java.util.Optional<Object> getTarget() {
        return java.util.Optional.empty();
      }
    };
    assertThat(ext.supportsParameter(ctx, null)).isTrue();
    ctx.index = 1;
    assertThat(ext.supportsParameter(ctx, null)).isFalse();
    assertThatThrownBy(() -> ext.resolveParameter(ctx, null)).hasMessageContaining("not running");
  }

  @SuppressWarnings("unused")
  private void takesServer(MediaMtxServer server, String other) {}
}
