package io.github.promptonce.cli;

import io.github.promptonce.DefaultModel;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Where a command's model comes from: the {@code --model} directory, or the embedded default when omitted. */
public final class ModelChoice {
    public static final String DEFAULT_DESCRIPTION = "Model directory exported by models/export.py (default: the embedded "
            + DefaultModel.ARCH + ", a demonstration model trained on synthetic phantoms; see models/MODEL_CARD.md).";

    private ModelChoice() {
    }

    /** {@code model} if given, else the default model's directory (saying so on {@code err}). */
    public static Path resolve(Path model, PrintWriter err) {
        if (model != null) {
            return model;
        }
        Path dir = DefaultModel.directory();
        err.println("promptonce: no --model given: using the embedded default " + DefaultModel.ARCH
                + " (synthetic-phantom demonstration model, not for clinical use)");
        return dir;
    }
}
