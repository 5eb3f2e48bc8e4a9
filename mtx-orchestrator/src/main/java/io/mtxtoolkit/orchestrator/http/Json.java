package io.mtxtoolkit.orchestrator.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The orchestrator's shared Jackson mapper (responses, and hints read from rejected bodies). */
public final class Json {
  /** Thread-safe once configured; nesting is bounded because request bodies come from the network. */
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
      .build());

  private Json() {}
}
