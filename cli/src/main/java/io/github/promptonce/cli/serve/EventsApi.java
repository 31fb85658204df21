package io.github.promptonce.cli.serve;

import static io.github.promptonce.cli.serve.Handlers.api;
import static io.github.promptonce.cli.serve.Handlers.param;

import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

/**
 * {@code GET /api/volumes/{vid}/events}: the workspace's events as Server-Sent Events. This handler runs on the
 * request's own (virtual) thread and only drains the client's bounded {@link EventChannel}: a slow client slows
 * its own stream, never the propagation that fills the channel. A comment every 15 s keeps the stream alive and
 * notices a client that left.
 */
final class EventsApi {
    static final long KEEPALIVE_MILLIS = 15_000;
    private final ServeContext ctx;

    EventsApi(ServeContext ctx) {
        this.ctx = ctx;
    }

    void register(HttpRouting.Builder r) {
        r.get("/api/volumes/{vid}/events", api(this::events, ctx.log()));
    }

    private void events(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        EventChannel channel = ws.events().subscribe();
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            sink.emit(SseEvent.builder().name("hello").data(Json.toString(Json.object().put("volume", ws.id())))
                    .build());
            while (!channel.isClosed() || channel.size() > 0) {
                EventChannel.Event e = channel.poll(KEEPALIVE_MILLIS);
                if (e != null) {
                    sink.emit(SseEvent.builder().name(e.name()).data(e.data()).build());
                } else if (!channel.isClosed()) {
                    sink.emit(SseEvent.builder().comment("keep-alive").build());
                    ws.touch(); // a page that follows its volume keeps it open
                }
            }
        } catch (RuntimeException e) {
            // the client went away (the sink's write failed): just stop following
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping
        } finally {
            ws.events().unsubscribe(channel);
        }
    }
}
