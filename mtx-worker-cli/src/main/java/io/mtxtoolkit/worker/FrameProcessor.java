package io.mtxtoolkit.worker;

import org.bytedeco.javacv.Frame;

/**
 * A processing step of the decode → process → encode mode. Implementations are found by
 * {@link #name()} through {@link java.util.ServiceLoader} ({@code META-INF/services/io.mtxtoolkit.worker.FrameProcessor}),
 * so a user adds a step by putting a jar on the worker's classpath.
 */
public interface FrameProcessor extends AutoCloseable {
  /** The name selected with {@code --step}. */
  String name();

  /** Called once with the input's picture size and frame rate, before the first frame. */
  default void open(int width, int height, double frameRate) {}

  /** Returns the frame to encode: {@code video} changed in place, or a new frame of the same size. */
  Frame processVideo(Frame video);

  @Override
  default void close() {}
}
