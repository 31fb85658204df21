package io.github.promptonce.volume;

import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A label volume on a source volume's grid: one unsigned byte per voxel (0 = background; 1 for a binary mask, 1..255
 * for labels), same layout as {@link Volume} (i fastest) and the source's {@link Geometry}, so
 * {@link NiftiWriter#writeMask} produces a uint8 NIfTI that overlays the source.
 *
 * <p>Mutable (the segmentation fills it slice by slice) and not thread-safe: confine one mask to one thread, or
 * let threads write disjoint slices and publish the result through a happens-before edge (e.g. a join).
 */
public final class VolumeMask {
    private final byte[] labels;
    private final int nx;
    private final int ny;
    private final int nz;
    private final Geometry geometry;

    private VolumeMask(byte[] labels, int nx, int ny, int nz, Geometry geometry) {
        this.labels = labels;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.geometry = Objects.requireNonNull(geometry, "geometry");
    }

    /** An all-zero mask on {@code source}'s grid and geometry. */
    public static VolumeMask empty(Volume source) {
        return empty(source.nx(), source.ny(), source.nz(), source.geometry());
    }

    /** An all-zero mask of these dims and geometry. */
    public static VolumeMask empty(int nx, int ny, int nz, Geometry geometry) {
        Volume.checkDims(nx, ny, nz);
        return new VolumeMask(new byte[nx * ny * nz], nx, ny, nz, geometry);
    }

    /** A mask over a copy of {@code labels} (i fastest, unsigned). */
    public static VolumeMask of(byte[] labels, int nx, int ny, int nz, Geometry geometry) {
        Volume.checkDims(nx, ny, nz);
        if (labels.length != (long) nx * ny * nz) {
            throw new IllegalArgumentException("mask " + nx + "x" + ny + "x" + nz + " needs " + (long) nx * ny * nz
                    + " labels, got " + labels.length);
        }
        return new VolumeMask(labels.clone(), nx, ny, nz, geometry);
    }

    /**
     * A mask from a label volume read from a file (e.g. a ground-truth NIfTI): every voxel must be a whole number
     * in 0..255.
     *
     * @throws VolumeFormatException naming the first voxel that is not
     */
    public static VolumeMask fromVolume(Volume labelVolume) throws VolumeFormatException {
        float[] v = labelVolume.voxels();
        byte[] out = new byte[v.length];
        for (int p = 0; p < v.length; p++) {
            float f = v[p];
            if (!(f >= 0 && f <= 255 && f == Math.rint(f))) {
                int i = p % labelVolume.nx();
                int j = (p / labelVolume.nx()) % labelVolume.ny();
                int k = p / labelVolume.nx() / labelVolume.ny();
                throw new VolumeFormatException((labelVolume.source() == null ? "label volume"
                        : labelVolume.source().toString()) + ": voxel (" + i + ", " + j + ", " + k + ") = " + f
                        + " is not a label; expected whole numbers 0..255");
            }
            out[p] = (byte) (int) f;
        }
        return new VolumeMask(out, labelVolume.nx(), labelVolume.ny(), labelVolume.nz(), labelVolume.geometry());
    }

    public int nx() {
        return nx;
    }

    public int ny() {
        return ny;
    }

    public int nz() {
        return nz;
    }

    public int[] dims() {
        return new int[] {nx, ny, nz};
    }

    public int size(Axis axis) {
        return switch (axis) {
            case I -> nx;
            case J -> ny;
            case K -> nz;
        };
    }

    public Geometry geometry() {
        return geometry;
    }

    /** Whether {@code other} has the same dims. */
    public boolean sameGrid(VolumeMask other) {
        return nx == other.nx && ny == other.ny && nz == other.nz;
    }

    private int index(int i, int j, int k) {
        Objects.checkIndex(i, nx);
        Objects.checkIndex(j, ny);
        Objects.checkIndex(k, nz);
        return i + nx * (j + ny * k);
    }

    /** Label at (i, j, k), 0..255. */
    public int get(int i, int j, int k) {
        return labels[index(i, j, k)] & 0xff;
    }

    /** Label at a linear index (i fastest), 0..255. */
    public int get(int linearIndex) {
        return labels[linearIndex] & 0xff;
    }

    /** Sets the label at (i, j, k) to 0..255. */
    public void set(int i, int j, int k, int label) {
        labels[index(i, j, k)] = checkLabel(label);
    }

    private static byte checkLabel(int label) {
        if (label < 0 || label > 255) {
            throw new IllegalArgumentException("label " + label + " is not within 0..255");
        }
        return (byte) label;
    }

    /** Width of a slice along {@code axis} (see {@link Axis}). */
    public int sliceWidth(Axis axis) {
        return size(axis.columnAxis());
    }

    /** Height of a slice along {@code axis}. */
    public int sliceHeight(Axis axis) {
        return size(axis.rowAxis());
    }

    /** The labels of a slice, row-major {@code [y * width + x]} as {@link Volume#slice(Axis, int)} (a copy). */
    public byte[] slice(Axis axis, int index) {
        Objects.checkIndex(index, size(axis));
        int w = sliceWidth(axis);
        int h = sliceHeight(axis);
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = labels[linear(axis, index, x, y)];
            }
        }
        return out;
    }

    /** The K slice {@code k}. */
    public byte[] slice(int k) {
        return slice(Axis.K, k);
    }

    /** Replaces a slice's labels (row-major as {@link #slice(Axis, int)}). */
    public void setSlice(Axis axis, int index, byte[] sliceLabels) {
        Objects.checkIndex(index, size(axis));
        int w = sliceWidth(axis);
        int h = sliceHeight(axis);
        if (sliceLabels.length != w * h) {
            throw new IllegalArgumentException("slice along " + axis + " needs " + w + "x" + h + " = " + w * h
                    + " labels, got " + sliceLabels.length);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                labels[linear(axis, index, x, y)] = sliceLabels[y * w + x];
            }
        }
    }

    /** Sets a slice from a binary image: {@code label} where true, 0 where false. */
    public void setSlice(Axis axis, int index, boolean[] inside, int label) {
        byte l = checkLabel(label);
        byte[] b = new byte[inside.length];
        for (int p = 0; p < inside.length; p++) {
            b[p] = inside[p] ? l : 0;
        }
        setSlice(axis, index, b);
    }

    private int linear(Axis axis, int index, int x, int y) {
        return switch (axis) {
            case K -> x + nx * (y + ny * index);
            case J -> x + nx * (index + ny * y);
            case I -> index + nx * (x + ny * y);
        };
    }

    /** Whether the slice holds no non-zero label. */
    public boolean isSliceEmpty(Axis axis, int index) {
        Objects.checkIndex(index, size(axis));
        int w = sliceWidth(axis);
        int h = sliceHeight(axis);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (labels[linear(axis, index, x, y)] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Number of non-zero voxels. */
    public long count() {
        long n = 0;
        for (byte b : labels) {
            if (b != 0) {
                n++;
            }
        }
        return n;
    }

    /** Number of voxels with this label. */
    public long count(int label) {
        byte l = checkLabel(label);
        long n = 0;
        for (byte b : labels) {
            if (b == l) {
                n++;
            }
        }
        return n;
    }

    /** The non-zero labels present. */
    public SortedSet<Integer> labelSet() {
        boolean[] seen = new boolean[256];
        for (byte b : labels) {
            seen[b & 0xff] = true;
        }
        SortedSet<Integer> s = new TreeSet<>();
        for (int l = 1; l < 256; l++) {
            if (seen[l]) {
                s.add(l);
            }
        }
        return s;
    }

    /** Whether every voxel is 0 or 1. */
    public boolean isBinary() {
        for (byte b : labels) {
            if (b != 0 && b != 1) {
                return false;
            }
        }
        return true;
    }

    /** A new binary mask: 1 where the label equals {@code label}, else 0. */
    public VolumeMask select(int label) {
        byte l = checkLabel(label);
        byte[] out = new byte[labels.length];
        for (int p = 0; p < labels.length; p++) {
            out[p] = labels[p] == l ? (byte) 1 : 0;
        }
        return new VolumeMask(out, nx, ny, nz, geometry);
    }

    /** A new binary mask: 1 where any label is set. */
    public VolumeMask foreground() {
        byte[] out = new byte[labels.length];
        for (int p = 0; p < labels.length; p++) {
            out[p] = labels[p] != 0 ? (byte) 1 : 0;
        }
        return new VolumeMask(out, nx, ny, nz, geometry);
    }

    /** A copy of all labels (unsigned bytes, i fastest). */
    public byte[] labels() {
        return labels.clone();
    }

    /** Package access without a copy. */
    byte[] labelsArray() {
        return labels;
    }

    @Override
    public String toString() {
        return "VolumeMask[" + nx + "x" + ny + "x" + nz + ", " + count() + " non-zero]";
    }
}
