package io.github.promptonce.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.promptonce.cli.Main;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve API in-process on port 0 with the tiny test model and a generated phantom. */
class ServeApiTest {
    @TempDir
    static Path tmp;
    static ServeFixture f;
    static Path outside;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        outside = tmp.resolve("secret.nii.gz");
        Files.writeString(outside, "not for the browser");
        Files.createSymbolicLink(root.resolve("link-out.nii.gz"), outside);
        Files.createDirectories(root.resolve("sub"));
        f = new ServeFixture(root, "test-tiny", 1 << 20, Duration.ofMinutes(30));
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    private HttpResponse<String> raw(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        for (String p : new String[] {"/", "/app.js", "/style.css", "/api/info", "/api/files"}) {
            HttpResponse<String> r = raw(p);
            assertEquals(401, r.statusCode(), p);
            assertTrue(ServeFixture.json(r).get("error").asText().contains("missing token"), r.body());
            assertEquals(401, raw(p, TokenFilter.HEADER, "ffffffffffffffffffffffffffffffff").statusCode(), p);
        }
        assertEquals(401, raw("/api/info?token=wrong").statusCode());
        HttpResponse<String> page = raw("/?token=" + ServeFixture.TOKEN);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<canvas id=\"image\">"), page.body());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith(TokenFilter.COOKIE + "=" + ServeFixture.TOKEN) && cookie.contains("HttpOnly"),
                cookie);
        assertEquals(200, raw("/app.js", "Cookie", TokenFilter.COOKIE + "=" + ServeFixture.TOKEN).statusCode());
        HttpResponse<String> info = raw("/api/info", TokenFilter.HEADER, ServeFixture.TOKEN);
        assertEquals(200, info.statusCode());
        assertEquals("test-tiny", ServeFixture.json(info).get("models").get(0).get("name").asText());
    }

    @Test
    void pathsOutsideTheRootAreRefused() throws Exception {
        for (String p : new String[] {"../secret.nii.gz", "sub/../../secret.nii.gz", outside.toString(),
            "link-out.nii.gz"}) {
            HttpResponse<String> r = f.post("/api/volumes", "{\"path\":" + Json.MAPPER.writeValueAsString(p) + "}");
            assertEquals(403, r.statusCode(), p + ": " + r.body());
            assertTrue(ServeFixture.json(r).get("error").asText().contains("outside"), r.body());
        }
        assertEquals(403, f.get("/api/files?dir=..").statusCode());
        HttpResponse<String> list = f.get("/api/files");
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains(ServeFixture.PHANTOM) && list.body().contains("\"sub\""), list.body());
        assertFalse(list.body().contains("link-out"), "a link leading out of the root is not listed: " + list.body());
        assertEquals(404, f.post("/api/volumes", "{\"path\":\"missing.nii.gz\"}").statusCode());
    }

    @Test
    void uploadsAreCapped() throws Exception {
        byte[] big = new byte[(1 << 20) + 1];
        new Random(1).nextBytes(big);
        HttpResponse<String> r = f.http.send(f.request("/api/volumes/upload?name=big.nii.gz")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(ServeFixture.json(r).get("error").asText().contains("upload too large"), r.body());
        HttpResponse<String> ok = f.http.send(f.request("/api/volumes/upload?name=up.nii.gz")
                .POST(HttpRequest.BodyPublishers.ofFile(f.root.resolve(ServeFixture.PHANTOM))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, ok.statusCode(), ok.body());
        assertEquals(24, ServeFixture.json(ok).get("nz").asInt());
        HttpResponse<String> badName = f.http.send(f.request("/api/volumes/upload?name=../x.nii.gz")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badName.statusCode(), badName.body());
    }

    @Test
    void propagationStreamsEventsAndItsNiftiEqualsSegments() throws Exception {
        String vid = f.openPhantom();
        int[] click = f.phantom.promptPoint();
        String objects = "/api/volumes/" + vid + "/objects";
        assertEquals(201, f.post(objects, "").statusCode());
        try (ServeFixture.Events events = f.new Events(vid)) {
            HttpResponse<String> p = f.post(objects + "/1/prompts", "{\"slice\":" + click[2] + ",\"point\":{\"x\":"
                    + click[0] + ",\"y\":" + click[1] + ",\"positive\":true}}");
            assertEquals(200, p.statusCode(), p.body());
            assertEquals(List.of(click[2]), ints(ServeFixture.json(p).get("maskSlices")), p.body());
            HttpResponse<String> prop = f.post(objects + "/1/propagate", "{\"mode\":\"both\"}");
            assertEquals(202, prop.statusCode(), prop.body());
            List<String[]> seen = new ArrayList<>();
            JsonNode done = Json.MAPPER.readTree(events.next("done", 120, seen)[1]);
            long progress = seen.stream().filter(e -> e[0].equals("progress")).count();
            assertTrue(progress >= 20, "progress events, one per tracked slice: " + progress);
            assertTrue(seen.stream().anyMatch(e -> e[0].equals("started")), "a started event");
            assertEquals("both", done.get("propagated").asText());
            assertTrue(done.get("volumeMl").asDouble() > 0, done.toString());
        }
        Path served = tmp.resolve("served.nii.gz");
        HttpResponse<byte[]> nii = f.getBytes("/api/volumes/" + vid + "/mask.nii.gz?object=1");
        assertEquals(200, nii.statusCode());
        Files.write(served, nii.body());
        Path segmented = tmp.resolve("segment.nii.gz");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"segment", "--model", ServeFixture.modelDir("test-tiny").toString(),
            "--input", f.root.resolve(ServeFixture.PHANTOM).toString(), "--slice", String.valueOf(click[2]),
            "--point", click[0] + "," + click[1], "--out", segmented.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        Volume a = Volumes.read(served);
        Volume b = Volumes.read(segmented);
        assertArrayEquals(b.dims(), a.dims());
        assertTrue(b.geometry().sameGeometry(a.geometry()));
        assertArrayEquals(b.copyVoxels(), a.copyVoxels(), "serve's mask equals segment's for the same click");
    }

    @Test
    void correctionRepropagatesAndUndoRestores() throws Exception {
        String vid = f.openPhantom();
        int[] click = f.phantom.promptPoint();
        String obj = "/api/volumes/" + vid + "/objects/1";
        assertEquals(201, f.post("/api/volumes/" + vid + "/objects", "").statusCode());
        try (ServeFixture.Events events = f.new Events(vid)) {
            f.post(obj + "/prompts", "{\"slice\":" + click[2] + ",\"point\":{\"x\":" + click[0] + ",\"y\":"
                    + click[1] + "}}");
            assertEquals(202, f.post(obj + "/propagate", "{}").statusCode());
            events.next("done", 120);
            byte[] first = f.getBytes("/api/volumes/" + vid + "/mask.nii.gz?object=1").body();
            byte[] firstVoxels = voxels(first);
            // a correction on another slice: a negative click where the object is
            int k = Math.min(click[2] + 3, 23);
            HttpResponse<String> c = f.post(obj + "/prompts", "{\"slice\":" + k + ",\"point\":{\"x\":" + click[0]
                    + ",\"y\":" + click[1] + ",\"positive\":false}}");
            assertEquals(200, c.statusCode(), c.body());
            assertEquals(2, ServeFixture.json(c).get("prompts").size());
            HttpResponse<String> halves = f.post(obj + "/propagate", "{\"mode\":\"halves\"}");
            assertEquals(400, halves.statusCode(), "halves needs one prompted slice: " + halves.body());
            assertTrue(halves.body().contains("use mode both"), halves.body());
            assertEquals(202, f.post(obj + "/propagate", "{\"mode\":\"both\"}").statusCode());
            List<String[]> seen = new ArrayList<>();
            events.next("done", 120, seen);
            // re-propagated from the corrected slice (both ways from it), not from the first prompt
            String firstProgress = seen.stream().filter(e -> e[0].equals("progress")).findFirst().orElseThrow()[1];
            assertTrue(firstProgress.contains("\"slice\":" + k + ","), firstProgress);
            byte[] corrected = voxels(f.getBytes("/api/volumes/" + vid + "/mask.nii.gz?object=1").body());
            assertFalse(java.util.Arrays.equals(firstVoxels, corrected), "the negative click changed the mask");
            assertEquals(202, f.post(obj + "/undo", "").statusCode());
            JsonNode undone = Json.MAPPER.readTree(events.next("done", 120)[1]);
            assertEquals(1, undone.get("prompts").size());
            assertArrayEquals(firstVoxels, voxels(f.getBytes("/api/volumes/" + vid + "/mask.nii.gz?object=1").body()),
                    "undo gives back the mask before the correction");
        }
        assertEquals(202, f.post(obj + "/undo", "").statusCode());
        HttpResponse<String> after = waitIdle(obj);
        assertEquals(0, ServeFixture.json(after).get("prompts").size());
        assertEquals(0.0, ServeFixture.json(after).get("volumeMl").asDouble());
        assertEquals(409, f.post(obj + "/undo", "").statusCode(), "nothing left to undo");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        String vid = f.openPhantom();
        String objects = "/api/volumes/" + vid + "/objects";
        f.post(objects, "");
        HttpResponse<String> out = f.post(objects + "/1/prompts", "{\"slice\":2,\"point\":{\"x\":500,\"y\":3}}");
        assertEquals(400, out.statusCode(), out.body());
        assertEquals(400, f.post(objects + "/1/prompts", "{\"slice\":99,\"point\":{\"x\":5,\"y\":3}}").statusCode());
        assertEquals(400, f.post(objects + "/1/prompts", "{not json").statusCode());
        assertEquals(409, f.post(objects + "/1/propagate", "{}").statusCode(), "no prompt yet");
        assertEquals(404, f.get(objects + "/7").statusCode());
        assertEquals(404, f.get("/api/volumes/nope").statusCode());
        assertEquals(400, f.get("/api/volumes/" + vid + "/mask.dcm").statusCode(), "NIfTI input: no SEG");
        HttpResponse<byte[]> png = f.getBytes("/api/volumes/" + vid + "/slices/3?level=0&width=400");
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void idleVolumesExpireAndCloseTheirSessions() throws Exception {
        try (ServeFixture g = new ServeFixture(Files.createDirectories(tmp.resolve("ttl")), "test-tiny", 1 << 20,
                Duration.ofMillis(300))) {
            String vid = g.openPhantom();
            g.post("/api/volumes/" + vid + "/objects", "");
            int[] click = g.phantom.promptPoint();
            assertEquals(200, g.post("/api/volumes/" + vid + "/objects/1/prompts", "{\"slice\":" + click[2]
                    + ",\"point\":{\"x\":" + click[0] + ",\"y\":" + click[1] + "}}").statusCode());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (g.server.openWorkspaces() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, g.server.openWorkspaces(), "the idle volume was closed");
            HttpResponse<String> gone = g.get("/api/volumes/" + vid);
            assertEquals(404, gone.statusCode());
            assertTrue(gone.body().contains("expired"), gone.body());
        }
    }

    private HttpResponse<String> waitIdle(String obj) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = f.get(obj);
            if (!ServeFixture.json(r).get("busy").asBoolean()) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("object still busy");
    }

    private static byte[] voxels(byte[] niftiGz) throws Exception {
        Path p = Files.createTempFile(tmp, "m", ".nii.gz");
        Files.write(p, niftiGz);
        float[] v = Volumes.read(p).copyVoxels();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
