package io.github.promptonce.spark;

import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.NiftiWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small labelled phantoms written as NIfTI image/label pairs with the same file names, for the tests. */
final class Phantoms {
    static final int SIDE = 128;

    private Phantoms() {
    }

    /** Writes phantoms {@code p<seed>.nii.gz} of {@code slices[i]} slices into images/ and labels/ under dir. */
    static void write(Path dir, int[] slices) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        for (int i = 0; i < slices.length; i++) {
            Phantom p = PhantomGenerator.generate(SIDE, SIDE, slices[i], i + 1, Phantom.Shape.ANY, Phantom.Modality.CT);
            NiftiWriter.write(p.volume(), images.resolve(name(i) + ".nii.gz"));
            NiftiWriter.writeMask(p.truth(), labels.resolve(name(i) + ".nii.gz"));
        }
    }

    static String name(int i) {
        return "p" + (i + 1);
    }
}
