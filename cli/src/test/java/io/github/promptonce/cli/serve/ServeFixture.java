package io.github.promptonce.cli.serve;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.ReadOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A serve server on port 0 with the tiny test model over a folder holding a phantom, and HTTP helpers. */
final class ServeFixture implements AutoCloseable {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";
    static final String PHANTOM = "phantom.nii.gz";
    final Path root;
    final Phantom phantom;
    final ServeServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServeFixture(Path root, String model, long maxUploadBytes, Duration ttl) throws IOException {
        this.root = root;
        // -Dpromptonce.serve.phantom=NX,NY,NZ: a larger phantom (the README's screenshot uses 256,256,32)
        int[] n = java.util.Arrays.stream(System.getProperty("promptonce.serve.phantom", "64,64,24").split(","))
                .mapToInt(Integer::parseInt).toArray();
        this.phantom = PhantomGenerator.generate(n[0], n[1], n[2], 7, Phantom.Shape.ANY, Phantom.Modality.CT);
        NiftiWriter.write(phantom.volume(), root.resolve(PHANTOM));
        Segmenter s = Segmenter.load(modelDir(model), SegmenterOptions.defaults());
        server = new ServeServer(new ServeServer.Config("127.0.0.1", 0, root, maxUploadBytes, ttl, 1, TOKEN, window()),
                List.of(s), ReadOptions.defaults(), m -> System.err.println("serve: " + m));
    }

    /**
     * The model window: -Dpromptonce.serve.window=phantom gives the phantom's suggested window (what the default
     * model was trained with), else auto.
     */
    String window() {
        if ("phantom".equals(System.getProperty("promptonce.serve.window"))) {
            io.github.promptonce.volume.Window w = phantom.suggestedWindow();
            return w.level() + "," + w.width();
        }
        return "auto";
    }

    static Path modelDir(String arch) {
        if (arch.equals("default")) {
            return io.github.promptonce.DefaultModel.directory();
        }
        String root = System.getProperty("promptonce.testmodels");
        if (root == null) {
            fail("system property promptonce.testmodels is not set; run through Maven (it exports the test models)");
        }
        Path p = Path.of(root, arch);
        if (!Files.isRegularFile(p.resolve("manifest.json"))) {
            fail("test model " + p + " is missing (the java module's build exports it)");
        }
        return p;
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120))
                .header(TokenFilter.HEADER, TOKEN);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    /** Opens the phantom; returns the volume id. */
    String openPhantom() throws Exception {
        HttpResponse<String> r = post("/api/volumes", "{\"path\":\"" + PHANTOM + "\"}");
        if (r.statusCode() != 201) {
            fail("open: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("id").asText();
    }

    /** The events of a volume, read on a background thread: each as "name data". */
    final class Events implements AutoCloseable {
        final BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
        private final InputStream body;

        Events(String vid) throws Exception {
            HttpResponse<InputStream> r = http.send(request("/api/volumes/" + vid + "/events").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                fail("events: HTTP " + r.statusCode());
            }
            body = r.body();
            Thread t = new Thread(this::read, "sse-reader");
            t.setDaemon(true);
            t.start();
            next("hello", 10);
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String name = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:") && name != null) {
                        events.add(new String[] {name, line.substring(5).trim()});
                        name = null;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** Waits for the next event named {@code name}, returning the ones skipped on the way through {@code seen}. */
        String[] next(String name, int seconds, List<String[]> seen) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String[] e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                if (seen != null) {
                    seen.add(e);
                }
                if (e[0].equals(name)) {
                    return e;
                }
                if (e[0].equals("failed") && !name.equals("failed")) {
                    fail("operation failed: " + e[1]);
                }
            }
            fail("no '" + name + "' event within " + seconds + " s");
            return null;
        }

        String[] next(String name, int seconds) throws InterruptedException {
            return next(name, seconds, null);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
