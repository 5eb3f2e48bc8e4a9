package io.mtxtoolkit.worker;

import org.bytedeco.javacv.Frame;

/**
 * A processing step for tests that fails on its first picture the way a step missing a class would,
 * with an {@link Error}; and records that it was closed, including after a refused {@code /out}.
 */
public final class FailingStep implements FrameProcessor {
  static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public String name() {
    return "failing";
  }

  @Override
  public Frame processVideo(Frame video) {
    throw new NoClassDefFoundError("com/example/MissingLibrary");
  }

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }
}
