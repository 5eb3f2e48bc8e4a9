package io.mtxtoolkit.core.path;

import io.mtxtoolkit.core.Texts;
import io.mtxtoolkit.core.ValidationException;
import java.util.Optional;

/** A MediaMTX path of this pipeline: {@code live/<streamId>/in} (ingest) or {@code live/<streamId>/out} (processed). */
public record StreamPath(StreamId streamId, Direction direction) {
  /** Prefix shared by every pipeline path. */
  public static final String PREFIX = "live/";

  /** Which side of the worker the path is on. */
  public enum Direction {
    IN("in"),
    OUT("out");

    private final String segment;

    Direction(String segment) {
      this.segment = segment;
    }

    public String segment() {
      return segment;
    }
  }

  public StreamPath {
    if (streamId == null || direction == null) {
      throw new ValidationException("path", "stream path needs a stream id and a direction");
    }
  }

  public static StreamPath in(StreamId id) {
    return new StreamPath(id, Direction.IN);
  }

  public static StreamPath out(StreamId id) {
    return new StreamPath(id, Direction.OUT);
  }

  /** Parses {@code live/<id>/in} or {@code live/<id>/out}; reports problems against {@code field}. */
  public static StreamPath parse(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new ValidationException(field, "missing path (expected live/<streamId>/in or live/<streamId>/out)");
    }
    String[] parts = value.split("/", -1);
    if (parts.length != 3 || !parts[0].equals("live")) {
      throw new ValidationException(field,
          "path " + Texts.quote(value) + " is not of the form live/<streamId>/in or live/<streamId>/out");
    }
    Direction direction = switch (parts[2]) {
      case "in" -> Direction.IN;
      case "out" -> Direction.OUT;
      default -> throw new ValidationException(field,
          "path " + Texts.quote(value) + " must end in /in or /out");
    };
    return new StreamPath(StreamId.of(field, parts[1]), direction);
  }

  public static StreamPath parse(String value) {
    return parse("path", value);
  }

  /** The stream path {@code value} names, or empty for any other name (one of MediaMTX's other paths, or garbage). */
  public static Optional<StreamPath> find(String value) {
    try {
      return Optional.of(parse(value));
    } catch (ValidationException notAStreamPath) {
      return Optional.empty();
    }
  }

  /** The path with the other direction, e.g. the {@code /out} of an {@code /in}. */
  public StreamPath opposite() {
    return new StreamPath(streamId, direction == Direction.IN ? Direction.OUT : Direction.IN);
  }

  /** MediaMTX path name, e.g. {@code live/cam1/in}. */
  public String name() {
    return PREFIX + streamId.value() + "/" + direction.segment();
  }

  @Override
  public String toString() {
    return name();
  }
}
