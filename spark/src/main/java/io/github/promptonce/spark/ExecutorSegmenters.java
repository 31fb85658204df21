package io.github.promptonce.spark;

import io.github.promptonce.DefaultModel;
import io.github.promptonce.Segmenter;
import org.apache.spark.SparkFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The segmenters of this JVM (an executor, or the driver in local mode): one per (model, backend, threads), loaded on
 * first use and closed by a shutdown hook when the executor exits. A {@link Segmenter} is thread-safe, so an
 * executor's task threads share it.
 */
final class ExecutorSegmenters {
    private static final Map<String, Entry> LOADED = new HashMap<>();
    private static boolean hooked;

    /** A loaded segmenter and how many of its encoder calls were already reported to an accumulator. */
    static final class Entry {
        final Segmenter segmenter;
        private long reported;

        private Entry(Segmenter segmenter) {
            this.segmenter = segmenter;
            this.reported = segmenter.imageEncoderCalls();
        }

        /**
         * The encoder calls since the last report. Tasks sharing the segmenter each report at their end; the sum over
         * a job's tasks is the job's exact count (the last task reports after all the work is done).
         */
        synchronized long unreportedEncoderCalls() {
            long now = segmenter.imageEncoderCalls();
            long delta = now - reported;
            reported = now;
            return delta;
        }
    }

    private ExecutorSegmenters() {
    }

    static synchronized Entry get(SegmentSettings settings) {
        Entry e = LOADED.get(settings.key());
        if (e == null) {
            Segmenter s = settings.model() == null ? DefaultModel.load(settings.options())
                    : Segmenter.load(modelDirectory(settings.model()), settings.options());
            e = new Entry(s);
            LOADED.put(settings.key(), e);
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(ExecutorSegmenters::closeAll,
                        "promptonce-segmenters-close"));
            }
        }
        return e;
    }

    /** The model directory: the path itself when this JVM sees it, else the copy Spark shipped (addFile/--files). */
    static Path modelDirectory(String model) {
        Path p = Path.of(model);
        if (Files.isDirectory(p)) {
            return p;
        }
        Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
        if (Files.isDirectory(shipped)) {
            return shipped;
        }
        throw new IllegalArgumentException("model " + model + " is neither a directory on this executor nor shipped "
                + "with SparkContext.addFile(dir, true) (looked in " + shipped + ")");
    }

    static synchronized void closeAll() {
        ExecutorReferences.closeAll();
        LOADED.values().forEach(e -> e.segmenter.close());
        LOADED.clear();
    }
}
