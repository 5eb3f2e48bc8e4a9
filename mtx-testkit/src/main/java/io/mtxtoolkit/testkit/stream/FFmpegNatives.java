package io.mtxtoolkit.testkit.stream;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Loads javacv's FFmpeg libraries once, in the calling thread. JavaCPP deadlocks when two threads load its
 * natives for the first time at once (one holds Loader's lock inside JNI_OnLoad while the other initialises
 * Pointer), so every class here that starts a thread calls this first. The lock is a javacv class (which javacv
 * itself never locks), the one the worker's loader takes, so the two take turns in a JVM that runs both.
 */
final class FFmpegNatives {
  private FFmpegNatives() {}

  static void load() {
    synchronized (FFmpegFrameGrabber.class) {
      try {
        FFmpegFrameGrabber.tryLoad();
        FFmpegFrameRecorder.tryLoad();
      } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
        throw new IllegalStateException("cannot load javacv's FFmpeg libraries: " + e.getMessage(), e);
      }
    }
  }
}
