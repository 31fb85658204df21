package io.github.promptonce.cli;

import io.github.promptonce.ImageEmbedding;
import io.github.promptonce.Prompts;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.VolumeMask;

/**
 * The seed paper's per-slice baseline: image mode on every slice that contains the structure, each prompted with
 * {@link Prompts#fromMask} of that slice's truth; slices without the structure get no prompt and stay empty.
 */
final class PerSliceBaseline {
    /** The predicted mask and the number of prompts (= slices containing the structure). */
    record Result(byte[] mask, int prompts) {
    }

    private PerSliceBaseline() {
    }

    static Result run(Segmenter segmenter, SliceSource source, VolumeMask truth) {
        int nx = source.width();
        int ny = source.height();
        if (truth.nx() != nx || truth.ny() != ny || truth.nz() != source.sliceCount()) {
            throw new IllegalArgumentException("truth " + truth.nx() + "x" + truth.ny() + "x" + truth.nz()
                    + " does not match the volume " + nx + "x" + ny + "x" + source.sliceCount());
        }
        int plane = nx * ny;
        byte[] mask = new byte[plane * source.sliceCount()];
        int prompts = 0;
        for (int k = 0; k < source.sliceCount(); k++) {
            if (truth.isSliceEmpty(Axis.K, k)) {
                continue;
            }
            byte[] t = truth.slice(k);
            boolean[] inside = new boolean[plane];
            for (int i = 0; i < plane; i++) {
                inside[i] = t[i] != 0;
            }
            SliceResult r;
            try (ImageEmbedding e = segmenter.encode(source.slice(k))) {
                r = segmenter.predict(e, Prompts.fromMask(inside, nx, ny));
            }
            System.arraycopy(r.mask(), 0, mask, k * plane, plane);
            prompts++;
        }
        return new Result(mask, prompts);
    }
}
