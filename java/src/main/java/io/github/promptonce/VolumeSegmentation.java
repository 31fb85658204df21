package io.github.promptonce;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The result of a propagation: for each object, the segmentation of every slice a pass reached (slices never
 * reached, e.g. before the prompt in {@link PropagationMode#FORWARD}, have none and count as background).
 * Volume masks are laid out with the first axis fastest: {@code i + nx * (j + ny * k)}.
 */
public final class VolumeSegmentation {
    private final int width;
    private final int height;
    private final int slices;
    private final Map<Integer, SliceResult[]> results = new TreeMap<>();
    private final Map<Integer, List<Integer>> driftStops = new TreeMap<>();
    private int promptsUsed;

    VolumeSegmentation(int width, int height, int slices) {
        this.width = width;
        this.height = height;
        this.slices = slices;
    }

    void put(int objectId, int slice, SliceResult r) {
        results.computeIfAbsent(objectId, k -> new SliceResult[slices])[slice] = r;
    }

    void driftStop(int objectId, int slice) {
        driftStops.computeIfAbsent(objectId, k -> new ArrayList<>()).add(slice);
    }

    void promptsUsed(int n) {
        promptsUsed = n;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int sliceCount() {
        return slices;
    }

    /** How many prompts (one per object and slice) this segmentation used. */
    public int promptsUsed() {
        return promptsUsed;
    }

    public List<Integer> objectIds() {
        return List.copyOf(results.keySet());
    }

    /** The result of one object on one slice, or null when no pass reached that slice. */
    public SliceResult result(int objectId, int slice) {
        SliceResult[] r = results.get(objectId);
        if (r == null) {
            throw new IllegalArgumentException("no object " + objectId + " (objects: " + results.keySet() + ")");
        }
        return r[slice];
    }

    /** Slices where the drift guard stopped a pass for this object (empty when it never did). */
    public List<Integer> driftStops(int objectId) {
        return Collections.unmodifiableList(driftStops.getOrDefault(objectId, List.of()));
    }

    /** The first slice where a pass stopped for this object, if any. */
    public OptionalInt firstDriftStop(int objectId) {
        return driftStops(objectId).stream().mapToInt(Integer::intValue).min();
    }

    /** Number of slices with a result for this object. */
    public int slicesSegmented(int objectId) {
        int n = 0;
        for (SliceResult r : results.get(objectId)) {
            n += r != null ? 1 : 0;
        }
        return n;
    }

    /** The binary volume mask of one object (1 = object). */
    public byte[] mask(int objectId) {
        return mask(objectId, Double.NEGATIVE_INFINITY);
    }

    /**
     * The binary volume mask of one object with every slice whose object score is below {@code minObjectScore}
     * left empty. SAM 2 itself empties a slice only when its score is at most 0; a model whose tracks linger past
     * the object's end with low positive scores can ask for a higher floor
     * ({@link io.github.promptonce.model.ModelManifest#minObjectScore()}, chosen on validation data). Only the
     * output changes: the memory the propagation kept is the same. Slices without a score (SAM v1's NaN) are kept.
     *
     * @throws IllegalArgumentException when {@code minObjectScore} is NaN
     */
    public byte[] mask(int objectId, double minObjectScore) {
        if (Double.isNaN(minObjectScore)) {
            throw new IllegalArgumentException("minObjectScore is NaN, expected a number (any negative value keeps "
                    + "every slice)");
        }
        SliceResult[] r = resultsOf(objectId);
        byte[] out = new byte[width * height * slices];
        for (int k = 0; k < slices; k++) {
            if (r[k] != null && !(r[k].objectScore() < minObjectScore)) {
                System.arraycopy(r[k].maskView(), 0, out, k * width * height, width * height);
            }
        }
        return out;
    }

    /** The object score logit of each slice for one object: NaN where no pass reached it or the model has none. */
    public float[] objectScores(int objectId) {
        SliceResult[] r = resultsOf(objectId);
        float[] out = new float[slices];
        for (int k = 0; k < slices; k++) {
            out[k] = r[k] == null ? Float.NaN : r[k].objectScore();
        }
        return out;
    }

    private SliceResult[] resultsOf(int objectId) {
        SliceResult[] r = results.get(objectId);
        if (r == null) {
            throw new IllegalArgumentException("no object " + objectId + " (objects: " + results.keySet() + ")");
        }
        return r;
    }

    /** Full-resolution logits of one object (slices not reached: -1024, SAM 2's "no object" score). */
    public float[] logits(int objectId) {
        SliceResult[] r = results.get(objectId);
        float[] out = new float[width * height * slices];
        java.util.Arrays.fill(out, -1024f);
        for (int k = 0; k < slices; k++) {
            if (r[k] != null) {
                System.arraycopy(r[k].logitsView(), 0, out, k * width * height, width * height);
            }
        }
        return out;
    }

    /**
     * A label map of every object (its id as label). Where objects overlap the one with the highest logit wins,
     * as the official {@code non_overlap_masks} rule.
     */
    public byte[] labels() {
        byte[] out = new byte[width * height * slices];
        float[] best = new float[width * height];
        for (int k = 0; k < slices; k++) {
            java.util.Arrays.fill(best, 0f);
            for (Map.Entry<Integer, SliceResult[]> e : results.entrySet()) {
                SliceResult r = e.getValue()[k];
                if (r == null) {
                    continue;
                }
                float[] logits = r.logitsView();
                for (int p = 0; p < logits.length; p++) {
                    if (logits[p] > best[p]) {
                        best[p] = logits[p];
                        out[k * width * height + p] = (byte) (int) e.getKey();
                    }
                }
            }
        }
        return out;
    }

    /**
     * Keeps only the largest 26-connected component of a binary volume mask (the optional 3-D clean-up); returns
     * a new array.
     */
    public static byte[] largestComponent(byte[] mask, int nx, int ny, int nz) {
        int n = mask.length;
        if (n != nx * ny * nz) {
            throw new IllegalArgumentException("mask of " + n + " voxels does not match " + nx + "x" + ny + "x" + nz);
        }
        int[] label = new int[n];
        int[] stack = new int[n];
        int bestLabel = 0;
        int bestSize = 0;
        int next = 0;
        for (int s = 0; s < n; s++) {
            if (mask[s] == 0 || label[s] != 0) {
                continue;
            }
            next++;
            int size = 0;
            int top = 0;
            stack[top++] = s;
            label[s] = next;
            while (top > 0) {
                int p = stack[--top];
                size++;
                int i = p % nx;
                int j = (p / nx) % ny;
                int k = p / (nx * ny);
                for (int dk = -1; dk <= 1; dk++) {
                    int kk = k + dk;
                    if (kk < 0 || kk >= nz) {
                        continue;
                    }
                    for (int dj = -1; dj <= 1; dj++) {
                        int jj = j + dj;
                        if (jj < 0 || jj >= ny) {
                            continue;
                        }
                        for (int di = -1; di <= 1; di++) {
                            int ii = i + di;
                            if (ii < 0 || ii >= nx) {
                                continue;
                            }
                            int q = ii + nx * (jj + ny * kk);
                            if (mask[q] != 0 && label[q] == 0) {
                                label[q] = next;
                                stack[top++] = q;
                            }
                        }
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                bestLabel = next;
            }
        }
        byte[] out = new byte[n];
        for (int p = 0; p < n; p++) {
            out[p] = (byte) (label[p] == bestLabel && bestLabel != 0 ? 1 : 0);
        }
        return out;
    }

    /**
     * Keeps, in each slice, only the largest 8-connected component of a binary volume mask (ties: the one whose
     * first voxel comes first in row-major order); returns a new array. For one object whose cross-sections are
     * single regions, as the demo's phantom targets are: run after {@link #largestComponent}, it removes the islands
     * that the 3-D component still holds through a diagonal neighbour in the next slice. An object with several
     * regions in one slice (a vessel that forks) loses all but the largest, so it is not a default.
     */
    public static byte[] largestComponentPerSlice(byte[] mask, int nx, int ny, int nz) {
        int n = mask.length;
        if (nx < 1 || ny < 1 || nz < 1 || n != nx * ny * nz) {
            throw new IllegalArgumentException("mask of " + n + " voxels does not match " + nx + "x" + ny + "x" + nz);
        }
        int area = nx * ny;
        byte[] out = new byte[n];
        for (int k = 0; k < nz; k++) {
            // within one slice, 26-connectivity is 8-connectivity
            byte[] slice = java.util.Arrays.copyOfRange(mask, k * area, (k + 1) * area);
            System.arraycopy(largestComponent(slice, nx, ny, 1), 0, out, k * area, area);
        }
        return out;
    }
}
