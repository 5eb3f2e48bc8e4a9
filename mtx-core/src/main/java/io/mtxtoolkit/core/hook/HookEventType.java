package io.mtxtoolkit.core.hook;

import io.mtxtoolkit.core.ValidationException;

/** Which MediaMTX hook fired: {@code runOnReady} (the path has a ready publisher) or {@code runOnNotReady}. */
public enum HookEventType {
  READY("ready"),
  NOT_READY("not-ready");

  private final String wireName;

  HookEventType(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in URLs, JSON and logs: {@code ready} or {@code not-ready}. */
  public String wireName() {
    return wireName;
  }

  /** The orchestrator endpoint path for this event. */
  public String endpointPath() {
    return "/v1/mediamtx/events/" + wireName;
  }

  public static HookEventType fromWireName(String field, String name) {
    for (HookEventType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    throw new ValidationException(field, "unknown event " + (name == null ? "(missing)" : io.mtxtoolkit.core.Texts.quote(name))
        + " (expected ready or not-ready)");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
