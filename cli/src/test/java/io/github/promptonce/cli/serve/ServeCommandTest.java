package io.github.promptonce.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.cli.ExitCodes;
import io.github.promptonce.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promptonce serve} on the command line: its options, the printed URL, the token it prints. */
class ServeCommandTest {
    @TempDir
    Path tmp;

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void malformedOptionsAreUsageErrors() {
        String model = ServeFixture.modelDir("test-tiny").toString();
        String[][] cases = {
            {"--port", "70000"}, {"--session-ttl", "0m"}, {"--session-ttl", "soon"}, {"--max-upload-mb", "0"},
            {"--jobs", "0"}, {"--root", tmp.resolve("missing").toString()}};
        for (String[] c : cases) {
            StringWriter err = new StringWriter();
            String[] args = {"serve", "--model", model, c[0], c[1]};
            assertEquals(ExitCodes.USAGE, run(new StringWriter(), err, args), String.join(" ", c));
            assertTrue(err.toString().contains(c[0]), err.toString());
        }
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, run(new StringWriter(), err, "serve", "--model",
                ServeFixture.modelDir("test-tiny-sam").toString(), "--port", "0", "--root", tmp.toString()));
        assertTrue(err.toString().contains("needs a SAM 2 model"), err.toString());
    }

    @Test
    void printsTheRealPortAndATokenTheServerRequires() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        ServeCommand.stopSignal = stop;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> run(out, err, "serve", "--model",
                    ServeFixture.modelDir("test-tiny").toString(), "--port", "0", "--root", tmp.toString()));
            Pattern url = Pattern.compile("open (http://127\\.0\\.0\\.1:(\\d+)/\\?token=([0-9a-f]{32}))");
            Matcher m = url.matcher("");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(m = url.matcher(out.toString())).find() && System.nanoTime() < deadline && !code.isDone()) {
                Thread.sleep(50);
            }
            assertTrue(m.find(0), "printed URL: " + out + " / " + err);
            assertTrue(Integer.parseInt(m.group(2)) > 0);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            String base = "http://127.0.0.1:" + m.group(2);
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/api/info")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            stop.countDown();
            assertEquals(ExitCodes.OK, code.get(30, TimeUnit.SECONDS), err.toString());
        } finally {
            ServeCommand.stopSignal = null;
            stop.countDown();
        }
    }
}
