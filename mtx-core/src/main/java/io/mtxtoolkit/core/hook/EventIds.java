package io.mtxtoolkit.core.hook;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs for event ids. Ids must be unique, not unguessable, so this avoids
 * {@link UUID#randomUUID()}: its SecureRandom set-up costs the hook ~50 ms of JVM start-up.
 * The seed mixes wall time and the monotonic clock's nanoseconds, so concurrent hook processes
 * differ; {@code ProcessHandle} is avoided for the same start-up reason.
 */
public final class EventIds {
  private static final SplittableRandom RANDOM = new SplittableRandom(
      System.nanoTime() * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(System.currentTimeMillis(), 32));

  private EventIds() {}

  public static synchronized String next() {
    long most = (RANDOM.nextLong() & ~0xF000L) | 0x4000L;
    long least = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least).toString();
  }
}
