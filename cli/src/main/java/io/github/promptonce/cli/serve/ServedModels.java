package io.github.promptonce.cli.serve;

import io.github.promptonce.Segmenter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models the server loaded once at start, shared by every session, by name (the first is the default). */
final class ServedModels implements AutoCloseable {
    private final Map<String, Segmenter> byName = new LinkedHashMap<>();

    ServedModels(List<Segmenter> segmenters) {
        if (segmenters.isEmpty()) {
            throw new IllegalArgumentException("no model to serve");
        }
        for (Segmenter s : segmenters) {
            String name = s.arch();
            for (int i = 2; byName.containsKey(name); i++) {
                name = s.arch() + "#" + i;
            }
            byName.put(name, s);
        }
    }

    Map<String, Segmenter> all() {
        return byName;
    }

    String defaultName() {
        return byName.keySet().iterator().next();
    }

    Segmenter get(String name) {
        Segmenter s = byName.get(name == null ? defaultName() : name);
        if (s == null) {
            throw ApiException.badRequest("no model '" + name + "' (models: " + byName.keySet() + ")");
        }
        return s;
    }

    @Override
    public void close() {
        byName.values().forEach(Segmenter::close);
    }
}
