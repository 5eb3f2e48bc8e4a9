package io.mtxtoolkit.orchestrator;

import static io.mtxtoolkit.orchestrator.RunningServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.core.hook.HookEventType;
import io.mtxtoolkit.testkit.http.Http;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentEventsTest {
  private static final int THREADS = 8;
  private static final int EVENTS = 200;

  @Test
  void acceptsAndRecordsEveryEventPostedConcurrently() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (RunningServer orch = RunningServer.start()) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        String body = "{\"eventId\":\"evt-" + i + "\",\"path\":\"live/s" + (i % 13) + "/in\"}";
        HookEventType type = i % 2 == 0 ? HookEventType.READY : HookEventType.NOT_READY;
        statuses.add(pool.submit(() -> {
          go.await();
          return orch.postJson(type.endpointPath(), body).status();
        }));
      }
      go.countDown();

      for (Future<Integer> status : statuses) {
        assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(202);
      }
      assertThat(orch.server.events().total()).isEqualTo(EVENTS);
      assertThat(orch.heard).hasSize(EVENTS);
      Set<String> ids = new HashSet<>();
      json(Http.get(orch.url("/v1/events?limit=" + EVENTS))).forEach(e -> ids.add(e.get("eventId").asText()));
      assertThat(ids).hasSize(EVENTS).contains("evt-0", "evt-199");
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("client threads finished").isTrue();
    }
  }
}
