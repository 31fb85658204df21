package io.github.promptonce.cli.serve;

import static io.github.promptonce.cli.serve.Handlers.api;
import static io.github.promptonce.cli.serve.Handlers.intParam;
import static io.github.promptonce.cli.serve.Handlers.param;
import static io.github.promptonce.cli.serve.Handlers.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.promptonce.Segmenter;
import io.github.promptonce.cli.VersionProvider;
import io.github.promptonce.volume.DicomSegWriter;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import io.github.promptonce.volume.WindowPreset;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The server, files, volumes, slices and downloads part of the JSON API (docs/serve.md). */
final class VolumeApi {
    private final ServeContext ctx;

    VolumeApi(ServeContext ctx) {
        this.ctx = ctx;
    }

    void register(HttpRouting.Builder r) {
        r.get("/api/info", api(this::info, ctx.log()));
        r.get("/api/files", api(this::files, ctx.log()));
        r.post("/api/volumes", api(this::open, ctx.log()));
        r.post("/api/volumes/upload", api(this::upload, ctx.log()));
        r.get("/api/volumes/{vid}", api(this::describe, ctx.log()));
        r.delete("/api/volumes/{vid}", api(this::close, ctx.log()));
        r.get("/api/volumes/{vid}/slices/{k}", api(this::slice, ctx.log()));
        r.get("/api/volumes/{vid}/mask.nii.gz", api(this::maskNifti, ctx.log()));
        r.get("/api/volumes/{vid}/mask.dcm", api(this::maskSeg, ctx.log()));
    }

    private void info(ServerRequest req, ServerResponse res) {
        ObjectNode n = Json.object();
        n.put("version", VersionProvider.version());
        n.put("root", ctx.guard().root().getFileName() == null ? "/" : ctx.guard().root().getFileName().toString());
        n.put("maxUploadBytes", ctx.maxUploadBytes());
        ArrayNode models = n.putArray("models");
        ctx.models().all().forEach((name, s) -> models.addObject().put("name", name).put("arch", s.arch())
                .put("family", s.family().name().toLowerCase(Locale.ROOT)).put("imageSize", s.imageSize()));
        ArrayNode presets = n.putArray("windowPresets");
        for (WindowPreset p : WindowPreset.values()) {
            presets.addObject().put("id", p.id()).put("level", p.window().level()).put("width", p.window().width());
        }
        Json.send(res, 200, n);
    }

    /** The folders and files of one folder under the root (links leading out of it are left out). */
    private void files(ServerRequest req, ServerResponse res) throws IOException {
        String rel = query(req, "dir");
        Path dir = ctx.guard().resolve(rel == null ? "" : rel);
        if (!Files.isDirectory(dir)) {
            throw ApiException.badRequest("'" + rel + "' is not a folder");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = new ArrayList<>(s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(ctx.guard()::contains)
                    .sorted(Comparator.comparing((Path p) -> !Files.isDirectory(p)).thenComparing(Path::toString))
                    .limit(5000).toList());
        }
        ObjectNode n = Json.object();
        n.put("dir", ctx.guard().relative(dir));
        ArrayNode list = n.putArray("entries");
        for (Path p : entries) {
            Path real = p.toRealPath();
            list.addObject().put("name", p.getFileName().toString())
                    .put("path", ctx.guard().relative(dir.resolve(p.getFileName())))
                    .put("type", Files.isDirectory(real) ? "dir" : "file")
                    .put("size", Files.isDirectory(real) ? 0 : Files.size(real));
        }
        Json.send(res, 200, n);
    }

    /** Opens a file or folder under the root: {"path": "ct/case1.nii.gz", "window": "auto", "model": name}. */
    private void open(ServerRequest req, ServerResponse res) throws Exception {
        JsonNode body = Json.body(req);
        JsonNode path = body.get("path");
        if (path == null || !path.isTextual()) {
            throw ApiException.badRequest("field 'path' (a file or DICOM folder under the root) is required");
        }
        Path p = ctx.guard().resolve(path.asText());
        Json.send(res, 201, openWorkspace(p, p.getFileName().toString(), text(body, "window"), text(body, "model"))
                .describe());
    }

    /** Opens an uploaded file: the raw body, {@code ?name=ct.nii.gz[&window=..][&model=..]}. */
    private void upload(ServerRequest req, ServerResponse res) throws Exception {
        String name = query(req, "name");
        Path stored = ctx.uploads().store(req, name);
        Json.send(res, 201, openWorkspace(stored, name, query(req, "window"), query(req, "model")).describe());
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private Workspace openWorkspace(Path p, String name, String window, String model) throws Exception {
        Segmenter segmenter = ctx.models().get(model);
        String modelName = model == null ? ctx.models().defaultName() : model;
        Volume v = ctx.jobs().call(() -> Volumes.read(p, ctx.readOptions())); // decoding is heavy: off the HTTP thread
        Window w = Window.parse(window == null ? ctx.defaultWindow() : window, v);
        Workspace ws = new Workspace(ctx.workspaces().newId(), name, v, w, segmenter, modelName);
        ctx.workspaces().add(ws);
        ctx.log().accept("opened " + name + " as volume " + ws.id() + " (" + v.nx() + "x" + v.ny() + "x" + v.nz()
                + ", model window " + w + ")");
        return ws;
    }

    private void describe(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, ctx.workspaces().get(param(req, "vid")).describe());
    }

    private void close(ServerRequest req, ServerResponse res) {
        ctx.workspaces().close(param(req, "vid"));
        Json.send(res, 200, Json.object().put("closed", param(req, "vid")));
    }

    /** Slice k as a grey PNG through {@code ?level=&width=} (default: the model window). */
    private void slice(ServerRequest req, ServerResponse res) {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        int k = intParam(req, "k");
        Volume v = ws.volume();
        if (k < 0 || k >= v.nz()) {
            throw ApiException.notFound("slice " + k + " is outside 0.." + (v.nz() - 1));
        }
        Window w = window(req, ws);
        res.header("Content-Type", "image/png");
        res.header("Cache-Control", "no-store");
        res.send(Pngs.slice(v.slice(k), w));
    }

    private static Window window(ServerRequest req, Workspace ws) {
        String level = query(req, "level");
        String width = query(req, "width");
        if (level == null && width == null) {
            return ws.modelWindow();
        }
        try {
            return new Window(Double.parseDouble(level), Double.parseDouble(width));
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.badRequest("level '" + level + "' and width '" + width + "' must both be numbers");
        }
    }

    /** The mask as NIfTI: {@code ?object=N} one object's 0/1 mask, else the label map (label = object id). */
    private void maskNifti(ServerRequest req, ServerResponse res) throws IOException {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        Integer object = objectParam(req);
        Volume v = ws.volume();
        VolumeMask mask = VolumeMask.of(ws.labels(object), v.nx(), v.ny(), v.nz(), v.geometry());
        sendFile(res, "mask.nii.gz", "application/gzip", f -> NiftiWriter.writeMask(mask, f));
    }

    /** The mask as a DICOM SEG (one segment per object, or {@code ?object=N}); DICOM input only. */
    private void maskSeg(ServerRequest req, ServerResponse res) throws IOException {
        Workspace ws = ctx.workspaces().get(param(req, "vid"));
        Volume v = ws.volume();
        if (v.dicomSource().isEmpty()) {
            throw ApiException.badRequest("a DICOM SEG references a DICOM input, but this volume is " + v.format()
                    + ": download mask.nii.gz");
        }
        try {
            DicomSegWriter.checkSource(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Integer object = objectParam(req);
        List<DicomSegWriter.Segment> segments = new ArrayList<>();
        for (ObjectTrack t : object == null ? ws.objects() : List.of(ws.object(object))) {
            int label = object == null ? t.id() : 1;
            segments.add(new DicomSegWriter.Segment(label, "Object " + t.id(), DicomSegWriter.TISSUE,
                    DicomSegWriter.TISSUE));
        }
        if (segments.isEmpty()) {
            throw ApiException.conflict("no object to export: add one first");
        }
        VolumeMask mask = VolumeMask.of(ws.labels(object), v.nx(), v.ny(), v.nz(), v.geometry());
        DicomSegWriter.Algorithm algorithm = new DicomSegWriter.Algorithm("promptonce", VersionProvider.version(),
                ws.segmenter().arch());
        sendFile(res, "mask.dcm", "application/dicom", f -> DicomSegWriter.write(mask, v, segments, algorithm, f));
    }

    private static Integer objectParam(ServerRequest req) {
        String o = query(req, "object");
        if (o == null) {
            return null;
        }
        try {
            return Integer.parseInt(o);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("object '" + o + "' is not an integer");
        }
    }

    private interface FileWriter {
        void write(Path file) throws IOException;
    }

    private static void sendFile(ServerResponse res, String name, String type, FileWriter writer) throws IOException {
        Path dir = Files.createTempDirectory("promptonce-serve-out");
        Path f = dir.resolve(name);
        try {
            writer.write(f);
            res.header("Content-Type", type);
            res.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
            res.header("Cache-Control", "no-store");
            res.send(Files.readAllBytes(f));
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }
}
