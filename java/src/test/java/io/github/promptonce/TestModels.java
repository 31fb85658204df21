package io.github.promptonce;

import io.github.promptonce.volume.Slice;

import java.nio.file.Files;
import java.nio.file.Path;

/** The tiny random-weight exports the tests use (written by Maven with models/export.py before the tests). */
final class TestModels {
    private TestModels() {
    }

    /**
     * {@code test-tiny} (SAM 2.1 architecture, 128 px, scores the phantoms' object present), {@code test-tiny-absent}
     * (the same architecture, other weights: scores it absent everywhere) or {@code test-tiny-sam} (SAM v1).
     */
    static Path dir(String arch) {
        String root = System.getProperty("promptonce.testmodels");
        if (root == null) {
            throw new IllegalStateException("system property promptonce.testmodels is not set: run the tests with"
                    + " Maven, which exports the test models with models/export.py");
        }
        Path p = Path.of(root, arch);
        if (!Files.isRegularFile(p.resolve("manifest.json"))) {
            throw new IllegalStateException("test model " + p + " is missing: /usr/bin/python3 models/export.py"
                    + " --arch " + arch + " --random-init --seed 0 --out " + p);
        }
        return p;
    }

    /** A synthetic volume: a bright disc drifting across slices on a dark, slightly textured background. */
    static SliceSource phantom(int width, int height, int slices) {
        return SliceSource.of(width, height, slices, k -> {
            float[] px = new float[width * height];
            double cx = width * (0.35 + 0.3 * k / Math.max(1, slices - 1));
            double cy = height * 0.5;
            double r = Math.min(width, height) * 0.2;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                    float texture = (float) (0.05 * (((x * 7 + y * 13 + k * 3) % 11) / 10.0));
                    px[y * width + x] = d < r ? 0.8f + texture : 0.1f + texture;
                }
            }
            return new Slice(width, height, px);
        });
    }
}
