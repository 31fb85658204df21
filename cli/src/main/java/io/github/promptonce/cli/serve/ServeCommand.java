package io.github.promptonce.cli.serve;

import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.cli.ExitCodes;
import io.github.promptonce.cli.InputOptions;
import io.github.promptonce.cli.ModelChoice;
import io.github.promptonce.cli.RuntimeOptions;
import io.github.promptonce.cli.VersionProvider;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.volume.NonFinitePolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code promptonce serve}: the interactive page and its JSON API, in one JVM with one model load. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Serve an offline page (and its JSON API, docs/serve.md) to segment volumes interactively: open a volume "
                + "under --root or upload one, click points or drag a box on any slice, propagate with SAM 2 (live "
                + "progress), correct and re-propagate, undo, download the mask as NIfTI or DICOM SEG.",
            "Safety: listens on 127.0.0.1 unless --host says otherwise; every request needs the random token of the "
                + "printed URL; paths outside --root are refused; uploads are capped; idle volumes expire and free "
                + "their memory. Stop with Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    InputOptions input;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A SAM 2 model directory; repeat to offer several (the first is the default). "
                    + "Default: the embedded default model.")
    List<Path> modelDirs = new ArrayList<>();

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8765",
            description = "Port to listen on; 0 picks a free one (the printed URL has it). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = ".",
            description = "The folder whose volumes the page may open; nothing outside it (links included). "
                    + "Default: the current folder.")
    Path root;

    @Option(names = "--max-upload-mb", paramLabel = "MB", defaultValue = "512",
            description = "Largest upload in MiB; larger ones are refused (413). Default: ${DEFAULT-VALUE}.")
    long maxUploadMb;

    @Option(names = "--session-ttl", paramLabel = "TIME", defaultValue = "30m",
            description = "An opened volume idle this long (e.g. 90s, 30m, 2h) is closed and its memory freed. "
                    + "Default: ${DEFAULT-VALUE}.")
    String sessionTtl;

    @Option(names = "--window", paramLabel = "LEVEL,WIDTH|PRESET", defaultValue = "auto",
            description = "The window slices are given to the model with, unless the page asks for another when it "
                    + "opens a volume: LEVEL,WIDTH, a preset (ct-lung, ct-abdomen, ...) or auto (the 0.5-99.5 "
                    + "percentile range, as segment). Display windows never change it. Default: ${DEFAULT-VALUE}.")
    String window;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "Propagations that run at once (each uses --threads). Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--token", paramLabel = "HEX", hidden = true,
            description = "Use this token instead of a random one (tests).")
    String token;

    /** Set by tests to stop a running server; null: run until the JVM stops. */
    static volatile CountDownLatch stopSignal;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ServeServer.Config config = config();
        SegmenterOptions options = runtime.segmenterOptions();
        var readOptions = input.readOptions(NonFinitePolicy.REJECT);
        List<Segmenter> segmenters = new ArrayList<>();
        try {
            List<Path> dirs = modelDirs.isEmpty() ? List.of(ModelChoice.resolve(null, err)) : modelDirs;
            for (Path dir : dirs) {
                Segmenter s = Segmenter.load(dir, options);
                segmenters.add(s);
                if (s.family() != ModelManifest.Family.SAM2) {
                    throw new ParameterException(spec.commandLine(), "--model " + dir + " is a "
                            + s.family().name().toLowerCase(Locale.ROOT) + " model; serve propagates, which needs "
                            + "a SAM 2 model");
                }
                err.printf(Locale.ROOT, "promptonce: loaded %s (%s)%n", s.arch(), s.runtimeDescription());
            }
        } catch (RuntimeException e) {
            segmenters.forEach(Segmenter::close);
            throw e;
        }
        CountDownLatch stop = stopSignal != null ? stopSignal : new CountDownLatch(1);
        ServeServer server = new ServeServer(config, segmenters, readOptions, m -> {
            err.println("promptonce: " + m);
            err.flush();
        });
        Thread hook = new Thread(() -> {
            server.close();
            stop.countDown();
        }, "promptonce-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("promptonce serve: open " + server.url());
        out.printf(Locale.ROOT, "  root %s, uploads up to %d MiB, idle volumes close after %s%n",
                config.root().toAbsolutePath().normalize(), maxUploadMb, sessionTtl);
        out.flush();
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook closes the server
        }
        return ExitCodes.OK;
    }

    private ServeServer.Config config() {
        if (port < 0 || port > 65535) {
            throw usage("--port " + port + " must be 0..65535");
        }
        if (maxUploadMb < 1 || maxUploadMb > 1 << 20) {
            throw usage("--max-upload-mb " + maxUploadMb + " must be 1.." + (1 << 20));
        }
        if (jobs < 1 || jobs > 64) {
            throw usage("--jobs " + jobs + " must be 1..64");
        }
        if (!java.nio.file.Files.isDirectory(root)) {
            throw usage("--root " + root + " is not a directory");
        }
        if (token != null && !token.matches("[0-9a-f]{32}")) {
            throw usage("--token must be 32 lowercase hex digits");
        }
        if (!window.trim().equalsIgnoreCase("auto")) {
            try {
                io.github.promptonce.volume.Window.parse(window, null);
            } catch (IllegalArgumentException e) {
                throw usage("--window: " + e.getMessage());
            }
        }
        return new ServeServer.Config(host, port, root, maxUploadMb << 20, parseDuration(sessionTtl), jobs,
                token != null ? token : TokenFilter.randomToken(), window);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw usage("--session-ttl '" + text + "' is not a positive time such as 90s, 30m or 2h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
