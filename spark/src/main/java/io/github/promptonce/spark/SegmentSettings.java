package io.github.promptonce.spark;

import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.base.Backend;

import java.io.Serializable;

/**
 * What every executor needs to segment, sent with the tasks (plain values only).
 *
 * @param model         a model directory the executors reach (absolute path, or a name added with
 *                      {@code SparkContext.addFile(dir, true)} / {@code --files}); null: the default model embedded
 *                      in the promptonce jar (nothing to ship)
 * @param backend       {@code native}, {@code javacpp} or {@code auto}
 * @param threads       LibTorch intra-op threads per segmenter (one per executor core is the right count)
 * @param window        window spec of {@code promptonce segment --window/--window-preset}: {@code auto}, a preset
 *                      name or {@code LEVEL,WIDTH}
 * @param maskDirectory where masks are written (any Hadoop URI the executors reach), or null for none
 */
record SegmentSettings(String model, String backend, int threads, String window, String maskDirectory)
        implements Serializable {

    SegmentSettings {
        Backend.parse(backend); // fails on the driver, naming the value
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be >= 1");
        }
        io.github.promptonce.volume.Window.parse(window.trim().equalsIgnoreCase("auto") ? "ct-lung" : window, null);
    }

    SegmenterOptions options() {
        return SegmenterOptions.defaults().withBackend(Backend.parse(backend)).withThreads(threads);
    }

    /** The cache key of one executor's segmenter. */
    String key() {
        return (model == null ? "<default>" : model) + "|" + backend + "|" + threads;
    }
}
