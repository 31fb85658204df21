package io.github.promptonce.cli.eval;

import io.github.promptonce.model.ModelManifest;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A model of an eval run.
 *
 * @param name      its name in the results (the directory's name)
 * @param directory the exported model directory
 * @param family    SAM or SAM 2 (from the manifest; read without loading the model)
 * @param arch      the manifest's architecture name
 */
public record EvalModel(String name, Path directory, ModelManifest.Family family, String arch) {

    /** {@code sam} or {@code sam2}, as in the CSVs. */
    public String familyId() {
        return family.name().toLowerCase(Locale.ROOT);
    }
}
