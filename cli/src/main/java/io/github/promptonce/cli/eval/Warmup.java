package io.github.promptonce.cli.eval;

import io.github.promptonce.ImageEmbedding;
import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.volume.Slice;

import java.util.List;

/**
 * Runs every component of a freshly loaded model a few times, untimed, so that LibTorch's first-call costs (graph
 * optimisation, allocations) are not charged to the first volume's time per slice.
 */
final class Warmup {
    private static final int SIDE = 64;

    private Warmup() {
    }

    static void run(Segmenter segmenter) {
        float[] pixels = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                pixels[y * SIDE + x] = Math.hypot(x - SIDE / 2.0, y - SIDE / 2.0) < SIDE / 4.0 ? 0.8f : 0.2f;
            }
        }
        Slice image = new Slice(SIDE, SIDE, pixels);
        Prompt prompt = Prompt.point(SIDE / 2.0, SIDE / 2.0).withBox(new Prompt.Box(16, 16, 48, 48));
        for (int i = 0; i < 2; i++) {
            try (ImageEmbedding e = segmenter.encode(image)) {
                segmenter.predict(e, prompt);
            }
        }
        if (segmenter.family() == ModelManifest.Family.SAM2) {
            SliceSource two = SliceSource.of(SIDE, SIDE, 2, k -> image);
            segmenter.propagate(two, List.of(new ObjectPrompt(1, 0, prompt)), PropagationOptions.defaults());
        }
    }
}
