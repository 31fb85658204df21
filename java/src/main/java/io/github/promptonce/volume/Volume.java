package io.github.promptonce.volume;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A 3-D image: {@code nx × ny × nz} float32 voxels with their geometry and where they came from. Immutable and
 * thread-safe.
 *
 * <p>Voxel (i, j, k) is at {@code index = i + nx·(j + ny·k)}: i varies fastest, as in a NIfTI file, so a
 * {@link Axis#K} slice (the default, {@link #slice(int)}) is one contiguous block of {@code nx·ny} values laid out
 * row-major with row = j and column = i.
 *
 * <p>Storage: one heap {@code float[]}. Chosen over off-heap memory because (1) the segmentation code consumes
 * slices as {@code float[]} (on the heap) and a K slice is then a single {@code System.arraycopy}; (2) the lifetime
 * is the garbage collector's, so a Volume needs no {@code close()} and can be shared between threads freely;
 * (3) off-heap segments allocated through FFM count against the same limit (MaxDirectMemorySize defaults to the
 * heap size), so they would not buy room. The cost is the Java array limit: at most 2,147,483,639 voxels (a
 * 512×512×300 CT is 78.6 M voxels, 315 MB; VolumeSizeTest measures building and slicing one along every axis).
 * A larger volume is refused with a {@link VolumeFormatException} before any allocation.
 */
public final class Volume {
    /** Largest voxel count a volume can hold (the JVM's array limit). */
    public static final int MAX_VOXELS = Integer.MAX_VALUE - 8;

    private final float[] data;
    private final int nx;
    private final int ny;
    private final int nz;
    private final Geometry geometry;
    private final SourceFormat format;
    private final String formatDetail;
    private final Path source;
    private final DataType sourceDataType;
    private final double sclSlope;
    private final double sclInter;
    private final int volumeIndex;
    private final int volumeCount;
    private final long nonFiniteCount;
    private final DicomSource dicomSource;
    private volatile float[] range; // lazily computed finite min/max

    Volume(float[] data, int nx, int ny, int nz, Geometry geometry, SourceFormat format, String formatDetail,
           Path source, DataType sourceDataType, double sclSlope, double sclInter, int volumeIndex, int volumeCount,
           long nonFiniteCount) {
        this(data, nx, ny, nz, geometry, format, formatDetail, source, sourceDataType, sclSlope, sclInter,
                volumeIndex, volumeCount, nonFiniteCount, null);
    }

    Volume(float[] data, int nx, int ny, int nz, Geometry geometry, SourceFormat format, String formatDetail,
           Path source, DataType sourceDataType, double sclSlope, double sclInter, int volumeIndex, int volumeCount,
           long nonFiniteCount, DicomSource dicomSource) {
        checkDims(nx, ny, nz);
        if (data.length != (long) nx * ny * nz) {
            throw new IllegalArgumentException("volume " + nx + "x" + ny + "x" + nz + " needs " + (long) nx * ny * nz
                    + " voxels, got " + data.length);
        }
        this.data = data;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        this.format = format;
        this.formatDetail = formatDetail == null ? format.label() : formatDetail;
        this.source = source;
        this.sourceDataType = sourceDataType;
        this.sclSlope = sclSlope;
        this.sclInter = sclInter;
        this.volumeIndex = volumeIndex;
        this.volumeCount = volumeCount;
        this.nonFiniteCount = nonFiniteCount;
        if (dicomSource != null && dicomSource.slices().size() != nz) {
            throw new IllegalArgumentException("DICOM source lists " + dicomSource.slices().size()
                    + " slices for a volume of " + nz);
        }
        this.dicomSource = dicomSource;
    }

    static void checkDims(int nx, int ny, int nz) {
        if (nx < 1 || ny < 1 || nz < 1) {
            throw new IllegalArgumentException("volume dims " + nx + "x" + ny + "x" + nz + " must be at least 1");
        }
        if ((long) nx * ny * nz > MAX_VOXELS) {
            throw new IllegalArgumentException("volume dims " + nx + "x" + ny + "x" + nz + " exceed "
                    + MAX_VOXELS + " voxels");
        }
    }

    /**
     * A volume over a copy of {@code voxels} (i fastest, see the class comment), recorded as float32 from memory.
     *
     * @throws IllegalArgumentException if the length does not match the dims
     */
    public static Volume of(float[] voxels, int nx, int ny, int nz, Geometry geometry) {
        return new Volume(voxels.clone(), nx, ny, nz, geometry, SourceFormat.MEMORY, null, null, DataType.FLOAT32,
                1, 0, 0, 1, countNonFinite(voxels));
    }

    /**
     * A volume with this one's dims and geometry over a copy of other voxels, e.g. full-resolution logits to be
     * written next to the source ({@link NiftiWriter#write(Volume, Path)}).
     */
    public Volume withVoxels(float[] voxels) {
        if (voxels.length != data.length) {
            throw new IllegalArgumentException("withVoxels needs " + data.length + " voxels (" + nx + "x" + ny + "x"
                    + nz + "), got " + voxels.length);
        }
        return new Volume(voxels.clone(), nx, ny, nz, geometry, SourceFormat.MEMORY, null, source, DataType.FLOAT32,
                1, 0, 0, 1, countNonFinite(voxels));
    }

    static long countNonFinite(float[] v) {
        long n = 0;
        for (float f : v) {
            if (!Float.isFinite(f)) {
                n++;
            }
        }
        return n;
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

    /** {nx, ny, nz}. */
    public int[] dims() {
        return new int[] {nx, ny, nz};
    }

    /** Size along one axis. */
    public int size(Axis axis) {
        return switch (axis) {
            case I -> nx;
            case J -> ny;
            case K -> nz;
        };
    }

    public long voxelCount() {
        return data.length;
    }

    public Geometry geometry() {
        return geometry;
    }

    /** Voxel size along i, j, k in the geometry's unit (mm for DICOM and most NIfTI). */
    public double[] spacing() {
        return geometry.spacing();
    }

    /** Voxel → world (RAS, mm) affine, see {@link Geometry#affine(int, int, int)}. */
    public Affine affine() {
        return geometry.affine(nx, ny, nz);
    }

    /** Orientation code of {@link #affine()}, e.g. "RAS", "LAS", "LPS" (as nibabel's aff2axcodes). */
    public String orientation() {
        return affine().orientation();
    }

    public SourceFormat format() {
        return format;
    }

    /** One line about the source format, e.g. "NIfTI-1, gzip, big-endian" or "DICOM series, 5 files, CT". */
    public String formatDetail() {
        return formatDetail;
    }

    /** The file or directory read, or null for a volume built in memory. */
    public Path source() {
        return source;
    }

    /** The datatype of the stored values (before scaling), e.g. int16 for CT. */
    public DataType sourceDataType() {
        return sourceDataType;
    }

    /**
     * The scaling applied on reading (NIfTI scl_slope, DICOM RescaleSlope; 1 when none). For a DICOM series with
     * per-slice rescaling this is the first slice's.
     */
    public double sclSlope() {
        return sclSlope;
    }

    /** The intercept applied on reading (NIfTI scl_inter, DICOM RescaleIntercept; 0 when none). */
    public double sclInter() {
        return sclInter;
    }

    /** Which volume of a 4-D (or higher) file this is, 0-based. */
    public int volumeIndex() {
        return volumeIndex;
    }

    /** How many 3-D volumes the source holds (1 for 3-D). */
    public int volumeCount() {
        return volumeCount;
    }

    /** NaN/±Inf voxels present (after {@link NonFinitePolicy#KEEP}); 0 otherwise. */
    public long nonFiniteCount() {
        return nonFiniteCount;
    }

    /**
     * For a volume read from DICOM: its study, series, frame of reference, patient attributes and the source SOP
     * instance of every slice (what a DICOM SEG of it references); empty for other sources.
     */
    public java.util.Optional<DicomSource> dicomSource() {
        return java.util.Optional.ofNullable(dicomSource);
    }

    /** Linear index of voxel (i, j, k). */
    public int index(int i, int j, int k) {
        Objects.checkIndex(i, nx);
        Objects.checkIndex(j, ny);
        Objects.checkIndex(k, nz);
        return i + nx * (j + ny * k);
    }

    /** The voxel value at (i, j, k). */
    public float get(int i, int j, int k) {
        return data[index(i, j, k)];
    }

    /** The voxel at a linear index (see the class comment). */
    public float get(int linearIndex) {
        return data[linearIndex];
    }

    /** A copy of all voxels, i fastest. */
    public float[] copyVoxels() {
        return data.clone();
    }

    /** The K slice {@code k} (row = j, column = i): {@code nx} wide, {@code ny} high. */
    public Slice slice(int k) {
        return slice(Axis.K, k);
    }

    /**
     * The 2-D slice at {@code index} along {@code axis}; columns run along {@link Axis#columnAxis()}, rows along
     * {@link Axis#rowAxis()} (see {@link Axis}). A fresh array.
     */
    public Slice slice(Axis axis, int index) {
        Objects.checkIndex(index, size(axis));
        switch (axis) {
            case K -> {
                float[] out = new float[nx * ny];
                System.arraycopy(data, index * nx * ny, out, 0, out.length);
                return new Slice(nx, ny, out);
            }
            case J -> {
                float[] out = new float[nx * nz];
                for (int k = 0; k < nz; k++) {
                    System.arraycopy(data, nx * (index + ny * k), out, k * nx, nx);
                }
                return new Slice(nx, nz, out);
            }
            case I -> {
                float[] out = new float[ny * nz];
                int p = 0;
                for (int k = 0; k < nz; k++) {
                    int base = index + nx * ny * k;
                    for (int j = 0; j < ny; j++) {
                        out[p++] = data[base + nx * j];
                    }
                }
                return new Slice(ny, nz, out);
            }
            default -> throw new AssertionError(axis);
        }
    }

    /** Smallest finite voxel value (NaN if there is none). */
    public float min() {
        return range()[0];
    }

    /** Largest finite voxel value (NaN if there is none). */
    public float max() {
        return range()[1];
    }

    private float[] range() {
        float[] r = range;
        if (r == null) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : data) {
                if (Float.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            r = lo > hi ? new float[] {Float.NaN, Float.NaN} : new float[] {lo, hi};
            range = r;
        }
        return r;
    }

    /**
     * The {@code p}-th percentile (0..100) of the finite voxels, with linear interpolation between order statistics
     * as numpy's default; NaN if no voxel is finite. Exact, in two passes over the data (no full sort).
     */
    public double percentile(double p) {
        return Percentiles.percentile(data, p);
    }

    /** Package access to the voxels without a copy (readers/writers in this package only). */
    float[] voxels() {
        return data;
    }

    @Override
    public String toString() {
        return "Volume[" + nx + "x" + ny + "x" + nz + ", " + formatDetail + ", " + sourceDataType + ", "
                + orientation() + (source == null ? "" : ", " + source.getFileName()) + "]";
    }
}
