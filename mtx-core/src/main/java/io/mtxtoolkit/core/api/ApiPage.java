package io.mtxtoolkit.core.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** One page of a Control API list. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiPage<T>(int pageCount, int itemCount, List<T> items) {
  public ApiPage {
    items = items == null ? List.of() : List.copyOf(items);
  }
}
