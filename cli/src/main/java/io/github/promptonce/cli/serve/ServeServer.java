package io.github.promptonce.cli.serve;

import io.github.promptonce.volume.ReadOptions;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The {@code serve} server: Helidon SE over the token filter, the JSON API, SSE and the page. It owns the open
 * workspaces, the job executor and the uploads; the models are given (loaded once, shared) and closed with it.
 */
public final class ServeServer implements AutoCloseable {
    /** How the server runs: where it listens, what it serves, its limits. */
    public record Config(String host, int port, Path root, long maxUploadBytes, Duration sessionTtl, int jobThreads,
                         String token, String defaultWindow) {
    }

    private final Config config;
    private final ServedModels models;
    private final Workspaces workspaces;
    private final Jobs jobs;
    private final Uploads uploads;
    private final WebServer server;

    /** Starts the server; {@code segmenters} (SAM 2) become its models, the first the default. */
    public ServeServer(Config config, java.util.List<io.github.promptonce.Segmenter> segmenters,
                       ReadOptions readOptions, Consumer<String> log) throws IOException {
        this.config = config;
        this.models = new ServedModels(segmenters);
        PathGuard guard = new PathGuard(config.root());
        this.workspaces = new Workspaces(config.sessionTtl(), log);
        this.jobs = new Jobs(config.jobThreads());
        this.uploads = new Uploads(config.maxUploadBytes());
        ServeContext ctx = new ServeContext(guard, workspaces, models, jobs, uploads, readOptions,
                config.maxUploadBytes(), config.defaultWindow(), log);
        try {
            this.server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    .routing(r -> {
                        r.addFilter(new TokenFilter(config.token()));
                        new VolumeApi(ctx).register(r);
                        new ObjectApi(ctx).register(r);
                        new EventsApi(ctx).register(r);
                        new StaticAssets().register(r);
                    })
                    .build()
                    .start();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** The port it listens on (the real one when started with port 0). */
    public int port() {
        return server.port();
    }

    public String token() {
        return config.token();
    }

    /** The page's address with the token, to print. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port() + "/?token=" + config.token();
    }

    /** Open workspaces (for tests of expiry). */
    int openWorkspaces() {
        return workspaces.size();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        workspaces.close();
        jobs.close();
        models.close();
        try {
            uploads.close();
        } catch (IOException e) {
            // a temporary folder left behind; nothing else to do
        }
    }
}
