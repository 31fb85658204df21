package io.github.promptonce.cli.serve;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The open workspaces by id. A workspace idle for longer than the time to live (no request touched it and nothing
 * runs on it) is closed by a sweeper, which frees its sessions' native memory.
 */
final class Workspaces implements AutoCloseable {
    private final Map<String, Workspace> open = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final ScheduledExecutorService sweeper;
    private final SecureRandom random = new SecureRandom();
    private final Consumer<String> log;

    Workspaces(Duration ttl, Consumer<String> log) {
        this.ttl = ttl;
        this.log = log;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "promptonce-serve-expiry");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(30_000, ttl.toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    String newId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    void add(Workspace w) {
        open.put(w.id(), w);
    }

    /** The workspace, touched (its idle time restarts); 404 when unknown or expired. */
    Workspace get(String id) {
        Workspace w = open.get(id);
        if (w == null || w.isClosed()) {
            throw ApiException.notFound("no open volume '" + id + "' (closed, or expired after " + ttl.toMinutes()
                    + " min idle): open it again");
        }
        w.touch();
        return w;
    }

    void close(String id) {
        Workspace w = open.remove(id);
        if (w == null) {
            throw ApiException.notFound("no open volume '" + id + "'");
        }
        w.close();
    }

    int size() {
        return open.size();
    }

    /** Closes the workspaces idle for longer than the time to live. */
    void expire() {
        for (Workspace w : open.values()) {
            if (w.isBusy()) {
                w.touch();
            } else if (w.idleNanos() > ttl.toNanos()) {
                open.remove(w.id());
                w.close();
                log.accept("volume " + w.id() + " expired after " + ttl + " idle; its sessions are closed");
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        for (String id : open.keySet()) {
            Workspace w = open.remove(id);
            if (w != null) {
                w.close();
            }
        }
    }
}
