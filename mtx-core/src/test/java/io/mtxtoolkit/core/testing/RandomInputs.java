package io.mtxtoolkit.core.testing;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Inputs for property checks: edge cases first, then samples from a fixed seed, so a failing sample
 * reproduces on every run. Shared with other modules' tests through mtx-core's test jar. (Plain JUnit
 * sources rather than jqwik: jqwik 1.10 asks AI agents, which write and run these tests, not to use it.)
 */
public final class RandomInputs {
  /** The characters of a valid stream id. */
  public static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

  private RandomInputs() {}

  /** The edge cases, then {@code count} samples made by {@code gen} from a random source seeded with {@code seed}. */
  @SafeVarargs
  public static <T> Stream<T> samples(long seed, int count, Function<SplittableRandom, T> gen, T... edges) {
    SplittableRandom random = new SplittableRandom(seed);
    return Stream.concat(Stream.of(edges), IntStream.range(0, count).mapToObj(i -> gen.apply(random)));
  }

  /** Checks {@code property} on every sample; the first failure names its sample (escaped), so it can be replayed. */
  public static <T> void forAll(Stream<T> samples, Property<T> property) {
    samples.forEach(sample -> {
      try {
        property.check(sample);
      } catch (Throwable e) {
        throw new AssertionError("fails for sample " + describe(sample) + ": " + e.getMessage(), e);
      }
    });
  }

  /** One property, checked on one sample. */
  @FunctionalInterface
  public interface Property<T> {
    void check(T sample) throws Exception;
  }

  private static String describe(Object sample) {
    String text = sample instanceof byte[] bytes ? java.util.Arrays.toString(bytes)
        : sample instanceof Object[] values ? java.util.Arrays.toString(values) : String.valueOf(sample);
    StringBuilder b = new StringBuilder("\"");
    text.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return b.append('"').toString();
  }

  /** A valid stream id of 1 to 64 characters. */
  public static String validId(SplittableRandom r) {
    return text(1 + r.nextInt(64), () -> ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
  }

  /** Any UTF-16 text of at most {@code maxLength} chars, biased towards JSON's special characters and lone surrogates. */
  public static String anyText(SplittableRandom r, int maxLength) {
    return text(r.nextInt(maxLength + 1), () -> switch (r.nextInt(4)) {
      case 0 -> (char) r.nextInt(0x80);
      case 1 -> "\"\\/{}[]:,\u0000\u001f\u007f\u00e9\ud83d\ude00".charAt(r.nextInt(15));
      case 2 -> (char) (0xd800 + r.nextInt(0x800));
      default -> (char) r.nextInt(0x10000);
    });
  }

  /** {@code length} random bytes, at most {@code maxLength}. */
  public static byte[] anyBytes(SplittableRandom r, int maxLength) {
    byte[] b = new byte[r.nextInt(maxLength + 1)];
    r.nextBytes(b);
    return b;
  }

  private static String text(int length, Supplier<Character> next) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(next.get());
    }
    return b.toString();
  }
}
