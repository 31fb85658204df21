package io.github.promptonce.cli.eval;

import io.github.promptonce.ImageEmbedding;
import io.github.promptonce.Prompt;
import io.github.promptonce.Prompts;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Slice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The per-slice protocol (image mode, any model): every slice holding a structure is encoded once and each
 * structure on it is prompted with {@link Prompts#fromMask} of its truth there. A structure's time on a slice is
 * the encoder's time plus its decoder's time (the paper's set_image + predict); prompts are derived before the
 * clock starts. Slices without the structure are not segmented (their prediction is empty).
 */
public final class PerSliceRunner {
    private PerSliceRunner() {
    }

    public static List<Outcome> run(Segmenter segmenter, SliceSource source, List<Structure> structures) {
        int n = source.sliceCount();
        int plane = source.width() * source.height();
        int m = structures.size();
        long[][] voxels = new long[m][];
        byte[][] predicted = new byte[m][n * plane];
        double[][] seconds = new double[m][n];
        List<Set<Integer>> prompted = new ArrayList<>();
        for (int s = 0; s < m; s++) {
            voxels[s] = structures.get(s).voxelsPerSlice();
            Arrays.fill(seconds[s], Double.NaN);
            prompted.add(new HashSet<>());
        }
        for (int k = 0; k < n; k++) {
            Prompt[] prompts = new Prompt[m];
            boolean any = false;
            for (int s = 0; s < m; s++) {
                if (voxels[s][k] > 0) {
                    prompts[s] = Prompts.fromMask(structures.get(s).sliceMask(k), source.width(), source.height());
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            Slice image = source.slice(k);
            long t0 = System.nanoTime();
            try (ImageEmbedding e = segmenter.encode(image)) {
                double encode = (System.nanoTime() - t0) / 1e9;
                for (int s = 0; s < m; s++) {
                    if (prompts[s] == null) {
                        continue;
                    }
                    long t1 = System.nanoTime();
                    SliceResult r = segmenter.predict(e, prompts[s]);
                    seconds[s][k] = encode + (System.nanoTime() - t1) / 1e9;
                    System.arraycopy(r.mask(), 0, predicted[s], k * plane, plane);
                    prompted.get(s).add(k);
                }
            }
        }
        List<Outcome> out = new ArrayList<>();
        for (int s = 0; s < m; s++) {
            double total = 0;
            for (double t : seconds[s]) {
                total += Double.isNaN(t) ? 0 : t;
            }
            int count = prompted.get(s).size();
            out.add(new Outcome(structures.get(s), predicted[s], "image", count, Set.copyOf(prompted.get(s)),
                    seconds[s], total, count, -1, ""));
        }
        return out;
    }
}
