package io.github.promptonce.cli.eval;

import io.github.promptonce.DefaultModel;
import io.github.promptonce.model.ModelManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves the {@code --model} options of {@code eval} into models: the one place that decides which models run.
 * Without {@code --model}, the command uses {@link #defaultModel}.
 */
public final class EvalModels {
    private EvalModels() {
    }

    /** The embedded default model, copied out at {@code dir}, named by its architecture in the results. */
    public static EvalModel defaultModel(Path dir) {
        ModelManifest m = ModelManifest.read(dir);
        return new EvalModel(DefaultModel.ARCH, dir, m.family(), m.arch());
    }

    /**
     * The models to evaluate, in the order given; reads each manifest (a wrong directory fails here, before any
     * work, with the model layer's exception).
     *
     * @throws IllegalArgumentException when no model is given or two share a directory name
     */
    public static List<EvalModel> resolve(List<Path> given) {
        if (given == null || given.isEmpty()) {
            throw new IllegalArgumentException("give at least one --model DIR (a model exported by models/export.py)");
        }
        List<EvalModel> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path dir : given) {
            Path abs = dir.toAbsolutePath().normalize();
            String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
            if (!names.add(name)) {
                throw new IllegalArgumentException("two --model directories are named '" + name
                        + "': results are keyed by the directory's name, rename one");
            }
            ModelManifest m = ModelManifest.read(dir);
            out.add(new EvalModel(name, dir, m.family(), m.arch()));
        }
        return out;
    }
}
