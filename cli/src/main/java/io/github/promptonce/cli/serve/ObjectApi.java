package io.github.promptonce.cli.serve;

import static io.github.promptonce.cli.serve.Handlers.api;
import static io.github.promptonce.cli.serve.Handlers.intParam;
import static io.github.promptonce.cli.serve.Handlers.param;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.SliceResult;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The objects part of the JSON API: create, prompt (points accumulate per slice; a box replaces the slice's box),
 * propagate (202, then SSE events), undo, masks per slice. Model work runs on the job executor; a propagation is
 * not waited for, a prompt is (it is one slice).
 */
final class ObjectApi {
    private final ServeContext ctx;

    ObjectApi(ServeContext ctx) {
        this.ctx = ctx;
    }

    void register(HttpRouting.Builder r) {
        r.post("/api/volumes/{vid}/objects", api(this::create, ctx.log()));
        r.get("/api/volumes/{vid}/objects/{oid}", api(this::describe, ctx.log()));
        r.delete("/api/volumes/{vid}/objects/{oid}", api(this::delete, ctx.log()));
        r.post("/api/volumes/{vid}/objects/{oid}/prompts", api(this::prompt, ctx.log()));
        r.post("/api/volumes/{vid}/objects/{oid}/propagate", api(this::propagate, ctx.log()));
        r.post("/api/volumes/{vid}/objects/{oid}/undo", api(this::undo, ctx.log()));
        r.get("/api/volumes/{vid}/objects/{oid}/masks/{k}", api(this::mask, ctx.log()));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        Json.send(res, 201, ws.describe(ws.newObject()));
    }

    private void describe(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        Json.send(res, 200, ws.describe(ws.object(intParam(req, "oid"))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        int oid = intParam(req, "oid");
        ws.removeObject(oid);
        ws.events().publish("deleted", Json.object().put("object", oid));
        Json.send(res, 200, Json.object().put("deleted", oid));
    }

    /**
     * {"slice": k, "point": {"x","y","positive"}} adds a click to the slice's prompt; {"slice": k, "box": {...}} sets
     * its box; {"slice": k, "points": [...], "box": ...} replaces the slice's whole prompt.
     */
    private void prompt(ServerRequest req, ServerResponse res) throws Exception {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        ObjectTrack t = ws.object(intParam(req, "oid"));
        JsonNode body = Json.body(req);
        int slice = Json.requiredInt(body, "slice");
        if (slice < 0 || slice >= ws.volume().nz()) {
            throw ApiException.badRequest("slice " + slice + " is outside 0.." + (ws.volume().nz() - 1));
        }
        t.reserve("prompt");
        SliceResult r;
        try {
            Prompt p = promptFor(t, slice, body);
            p.requireInside(ws.volume().nx(), ws.volume().ny());
            r = ctx.jobs().call(() -> t.prompt(slice, p));
        } finally {
            t.release();
        }
        ws.events().publish("prompted", Json.object().put("object", t.id()).put("slice", slice));
        ObjectNode n = ws.describe(t);
        n.putObject("result").put("slice", slice).put("iou", r.iou()).put("objectScore", r.objectScore());
        Json.send(res, 200, n);
    }

    private static Prompt promptFor(ObjectTrack t, int slice, JsonNode body) {
        if (body.has("points")) {
            JsonNode pts = body.get("points");
            if (!pts.isArray()) {
                throw ApiException.badRequest("field 'points' must be an array of {x, y, positive}");
            }
            List<Prompt.Point> list = new ArrayList<>();
            for (JsonNode pt : pts) {
                list.add(point(pt));
            }
            Prompt.Box box = body.hasNonNull("box") ? box(body.get("box")) : null;
            if (list.isEmpty() && box == null) {
                throw ApiException.badRequest("a prompt needs at least one point or a box");
            }
            return new Prompt(list, box);
        }
        Prompt current = t.promptOn(slice);
        Prompt.Point pt = body.hasNonNull("point") ? point(body.get("point")) : null;
        Prompt.Box box = body.hasNonNull("box") ? box(body.get("box")) : null;
        if (pt == null && box == null) {
            throw ApiException.badRequest("give 'point' {x, y, positive}, 'box' {x0, y0, x1, y1} or 'points'");
        }
        Prompt p = current != null ? current : pt != null ? new Prompt(List.of(pt), box) : new Prompt(List.of(), box);
        if (current != null && pt != null) {
            p = p.with(pt);
        }
        if (current != null && box != null) {
            p = p.withBox(box);
        }
        return p;
    }

    private static Prompt.Point point(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("a point is {\"x\": .., \"y\": .., \"positive\": true|false}");
        }
        JsonNode pos = n.get("positive");
        if (pos != null && !pos.isBoolean()) {
            throw ApiException.badRequest("point field 'positive' must be true or false, got " + pos);
        }
        return new Prompt.Point(Json.requiredNumber(n, "x"), Json.requiredNumber(n, "y"),
                pos == null || pos.booleanValue());
    }

    private static Prompt.Box box(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("a box is {\"x0\": .., \"y0\": .., \"x1\": .., \"y1\": ..}");
        }
        return new Prompt.Box(Json.requiredNumber(n, "x0"), Json.requiredNumber(n, "y0"),
                Json.requiredNumber(n, "x1"), Json.requiredNumber(n, "y1"));
    }

    /** {"mode": "both"|"halves"}: answers 202 at once; progress and the end come as SSE events. */
    private void propagate(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        ObjectTrack t = ws.object(intParam(req, "oid"));
        JsonNode body = Json.body(req);
        String m = body.hasNonNull("mode") ? body.get("mode").asText() : "both";
        PropagationMode mode = switch (m.toLowerCase(Locale.ROOT)) {
            case "both" -> PropagationMode.BOTH;
            case "halves" -> PropagationMode.HALVES;
            default -> throw ApiException.badRequest("mode '" + m + "' is not one of both, halves");
        };
        if (t.steps().isEmpty()) {
            throw ApiException.conflict("object " + t.id() + " has no prompt yet: click on a slice first");
        }
        java.util.Set<Integer> prompted = new java.util.TreeSet<>();
        t.steps().forEach(s -> prompted.add(s.slice()));
        if (mode == PropagationMode.HALVES && prompted.size() > 1) {
            throw ApiException.badRequest("halves propagates from one prompted slice, but object " + t.id()
                    + " has prompts on slices " + prompted + ": use mode both");
        }
        background(ws, t, "propagate", m.toLowerCase(Locale.ROOT), () -> t.propagate(mode, progress(ws, t)));
        Json.send(res, 202, ws.describe(t));
    }

    /** Removes the last prompt; when the object was propagated, it propagates again (202, then SSE events). */
    private void undo(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        ObjectTrack t = ws.object(intParam(req, "oid"));
        if (t.steps().isEmpty()) {
            throw ApiException.conflict("object " + t.id() + " has no prompt to undo");
        }
        background(ws, t, "undo", null, () -> t.undo(progress(ws, t)));
        Json.send(res, 202, ws.describe(t));
    }

    private ObjectTrack.Progress progress(Workspace ws, ObjectTrack t) {
        return (k, done, total) -> ws.events().publish(EventChannel.PROGRESS, Json.object().put("object", t.id())
                .put("slice", k).put("done", done).put("total", total));
    }

    /** Runs {@code work} on the executor with {@code started} / {@code done} / {@code failed} events around it. */
    private void background(Workspace ws, ObjectTrack t, String operation, String mode, Runnable work) {
        t.reserve(operation);
        ObjectNode started = Json.object().put("object", t.id()).put("operation", operation);
        if (mode != null) {
            started.put("mode", mode);
        }
        try {
            ctx.jobs().submit(() -> {
                ws.events().publish("started", started);
                try {
                    work.run();
                    t.release();
                    ObjectNode done = ws.describe(t);
                    done.put("object", t.id()).put("operation", operation);
                    ws.events().publish("done", done);
                } catch (RuntimeException | Error e) { // an Error too: the object must not stay busy
                    t.release();
                    String message = e instanceof java.util.concurrent.CancellationException
                            ? "cancelled: " + e.getMessage() : e.getMessage();
                    ws.events().publish("failed", Json.object().put("object", t.id()).put("operation", operation)
                            .put("message", message == null ? e.toString() : message));
                    if (!(e instanceof ApiException || e instanceof IllegalArgumentException
                            || e instanceof java.util.concurrent.CancellationException)) {
                        ctx.log().accept(operation + " of object " + t.id() + " failed: " + e);
                    }
                }
                return null;
            });
        } catch (ApiException e) {
            t.release();
            throw e;
        }
    }

    /** Slice k's mask as a grey PNG, 255 inside (all 0 when the slice has none). */
    private void mask(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        ObjectTrack t = ws.object(intParam(req, "oid"));
        int k = intParam(req, "k");
        if (k < 0 || k >= ws.volume().nz()) {
            throw ApiException.notFound("slice " + k + " is outside 0.." + (ws.volume().nz() - 1));
        }
        res.header("Content-Type", "image/png");
        res.header("Cache-Control", "no-store");
        res.send(Pngs.mask(t.mask(k), ws.volume().nx(), ws.volume().ny()));
    }
}
