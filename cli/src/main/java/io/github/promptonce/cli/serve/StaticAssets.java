package io.github.promptonce.cli.serve;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

/** The page: index.html and its ES modules and CSS from the jar's {@code web/} folder (plain names only). */
final class StaticAssets {
    static final String BASE = "/io/github/promptonce/cli/serve/web/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg|png)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "png", "image/png");

    void register(HttpRouting.Builder r) {
        r.get("/", (req, res) -> send(res, "index.html"));
        r.get("/{name}", this::asset);
    }

    private void asset(ServerRequest req, ServerResponse res) throws IOException {
        String name = req.path().pathParameters().get("name");
        if (!NAME.matcher(name).matches()) {
            Json.error(res, 404, "no such page file: " + name);
            return;
        }
        send(res, name);
    }

    private static void send(ServerResponse res, String name) throws IOException {
        try (InputStream in = StaticAssets.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                Json.error(res, 404, "no such page file: " + name);
                return;
            }
            res.header("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            res.header("Cache-Control", "no-cache");
            res.header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:");
            res.send(in.readAllBytes());
        }
    }
}
