package io.github.promptonce.cli.eval;

import io.github.promptonce.volume.VolumeMask;

/**
 * One structure to segment in one volume: a binary truth mask.
 *
 * @param label its name in the results: the label value ({@code 3}), the merged values ({@code 1+2}) or
 *              {@code all} (every non-zero value merged)
 * @param truth the binary truth (1 = structure), the label volume's grid and geometry
 */
public record Structure(String label, VolumeMask truth) {

    /** Truth voxels per slice (third axis). */
    public long[] voxelsPerSlice() {
        int plane = truth.nx() * truth.ny();
        long[] out = new long[truth.nz()];
        for (int k = 0; k < truth.nz(); k++) {
            for (int p = 0; p < plane; p++) {
                out[k] += truth.get(k * plane + p) != 0 ? 1 : 0;
            }
        }
        return out;
    }

    /** The slices (third axis) holding the structure, ascending. */
    public int[] slices() {
        long[] v = voxelsPerSlice();
        return java.util.stream.IntStream.range(0, v.length).filter(k -> v[k] > 0).toArray();
    }

    /** Slice {@code k} of the truth as the row-major inside/outside mask {@code Prompts.fromMask} takes. */
    public boolean[] sliceMask(int k) {
        int plane = truth.nx() * truth.ny();
        boolean[] out = new boolean[plane];
        for (int p = 0; p < plane; p++) {
            out[p] = truth.get(k * plane + p) != 0;
        }
        return out;
    }
}
