package io.github.promptonce.cli.eval;

import io.github.promptonce.Segmenter;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A cluster task's side of {@code eval}: runs units ({@link EvalCluster.Unit}) exactly as the local loop does
 * ({@link EvalRun}'s unit: the same reading, protocol, scoring and mask files), loading each model once (and warming
 * it up, untimed) on first use. Thread-safe: tasks running at once in one JVM share the segmenters. Close it to free
 * the models.
 */
public final class EvalWorker implements AutoCloseable {
    private final EvalRun.Config config;
    private final LoadedVolume.Reader reader;
    private final Map<String, String> previousReferences;
    private final Map<Integer, Segmenter> segmenters = new HashMap<>();
    private SharedReferences references;

    /**
     * @param config             the run's settings, rebuilt from the command's arguments
     * @param previousReferences the shared-seed references of the finished results, by label
     */
    public EvalWorker(EvalRun.Config config, Map<String, String> previousReferences) {
        this.config = config;
        this.previousReferences = Map.copyOf(previousReferences);
        this.reader = new LoadedVolume.Reader(config.imageOptions(), config.window(), config.labelMode(),
                config.labels());
    }

    public EvalRun.Config config() {
        return config;
    }

    /**
     * Runs one unit. A failure (unreadable volume, model error) is thrown, for the cluster to retry or report.
     *
     * @param note told what the local run would print (warnings, the shared-seed reference, a volume not scored)
     * @return the scored rows; empty when the volume holds no structure to score
     */
    public List<Scoring.Scored> run(EvalCluster.Unit unit, Consumer<String> note) throws IOException {
        EvalModel model = config.models().get(unit.model());
        if (!model.name().equals(unit.modelName())) {
            throw new IllegalArgumentException("unit for model " + unit.modelName() + " but model " + unit.model()
                    + " of these settings is " + model.name());
        }
        DatasetItem item = config.dataset().items().stream().filter(i -> i.name().equals(unit.volume()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("volume " + unit.volume()
                        + " is not in the dataset"));
        Segmenter segmenter = segmenter(unit.model(), note);
        LoadedVolume volume = reader.read(item, note);
        if (volume.structures().isEmpty()) {
            note.accept(item.name() + ": no structure to segment (labels "
                    + (config.labels().isEmpty() ? "any non-zero" : config.labels()) + "), not scored");
            return List.of();
        }
        SharedReferences refs = references(note);
        return EvalRun.runUnit(config, segmenter, model, unit.protocol(), volume, refs::get);
    }

    private synchronized Segmenter segmenter(int index, Consumer<String> note) {
        Segmenter s = segmenters.get(index);
        if (s == null) {
            s = Segmenter.load(config.models().get(index).directory(), config.segmenterOptions());
            try {
                Warmup.run(s);
            } catch (RuntimeException e) {
                note.accept(config.models().get(index).name() + ": the warm-up failed (" + e.getMessage()
                        + "); going on");
            }
            segmenters.put(index, s);
        }
        return s;
    }

    private synchronized SharedReferences references(Consumer<String> note) {
        if (references == null) {
            references = new SharedReferences(config.dataset(), reader,
                    label -> Optional.ofNullable(previousReferences.get(label)), config.seedRule(), note);
        }
        return references;
    }

    @Override
    public synchronized void close() {
        segmenters.values().forEach(Segmenter::close);
        segmenters.clear();
    }
}
