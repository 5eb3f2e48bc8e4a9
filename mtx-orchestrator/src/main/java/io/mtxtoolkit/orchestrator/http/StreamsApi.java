package io.mtxtoolkit.orchestrator.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.orchestrator.workers.StreamView;
import io.mtxtoolkit.orchestrator.workers.WorkerManager;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/streams} and {@code GET /v1/streams/{id}}: each stream's worker as the orchestrator sees it. */
public final class StreamsApi {
  public static final String STREAMS_PATH = "/v1/streams";

  private final WorkerManager workers;

  public StreamsApi(WorkerManager workers) {
    this.workers = workers;
  }

  public void register(Javalin app) {
    app.get(STREAMS_PATH, this::list);
    app.get(STREAMS_PATH + "/{id}", this::one);
  }

  private void list(Context ctx) {
    List<StreamView> streams = workers.streams();
    ctx.json(Map.of("streams", streams));
  }

  private void one(Context ctx) {
    StreamId id = StreamId.of("id", ctx.pathParam("id"));
    StreamView view = workers.stream(id).orElseThrow(() ->
        new RequestRejected(404, "id", "no stream " + id + " (no ready event seen for live/" + id + "/in)", null));
    ctx.json(view);
  }
}
