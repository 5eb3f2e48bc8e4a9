package io.mtxtoolkit.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEvent;
import io.mtxtoolkit.core.hook.HookEventJson;
import io.mtxtoolkit.core.hook.HookEventType;
import java.time.Instant;

/**
 * Jazzer over the orchestrator's request parsing: any bytes either become a valid event or a
 * {@link ValidationException} naming a field; anything else (an NPE, a stack overflow, a Jackson
 * exception leaking) is a finding. Plain `make test` replays the seeds; `JAZZER_FUZZ=1` fuzzes for the
 * bounded time below (CI does, see .ci/run).
 */
class HookPayloadFuzzTest {

  @FuzzTest(maxDuration = "45s")
  void parsingNeverFailsOtherwise(byte[] body) {
    try {
      HookEvent event = HookEventJson.read(HookEventType.READY, body, Instant::now);
      if (!event.path().name().startsWith("live/") || event.eventId().isBlank()) {
        throw new IllegalStateException("accepted an invalid event: " + event);
      }
    } catch (ValidationException expected) {
      if (expected.field() == null || expected.field().isBlank()) {
        throw new IllegalStateException("rejection without a field", expected);
      }
    }
  }
}
