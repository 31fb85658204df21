package io.github.promptonce.volume;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

/**
 * Writes NIfTI files (gzip-compressed when the name ends in {@code .gz}): volumes (float32 by default, e.g. logits),
 * and masks (uint8). The header carries the source geometry exactly — pixdim, xyzt_units, qform and sform with
 * their codes — so the output overlays the source in any viewer. Output is little-endian, 3-D, without extensions;
 * the NIfTI version follows the source (NIfTI-2 if the source was NIfTI-2 or a dimension exceeds 32767, NIfTI-1
 * otherwise). The file is written to a temporary sibling and moved into place, so a failed write leaves no partial
 * file; it is created with the default permissions (0666 less the umask).
 */
public final class NiftiWriter {
    private static final int CHUNK_VOXELS = 1 << 18;
    private static final java.security.SecureRandom TEMP_NAMES = new java.security.SecureRandom();

    private NiftiWriter() {
    }

    /** Writes the voxels as float32 (exact), with the volume's geometry. */
    public static void write(Volume volume, Path out) throws IOException {
        write(volume, out, DataType.FLOAT32);
    }

    /**
     * Writes the voxels as {@code type}. When {@code type} is the volume's {@link Volume#sourceDataType()} the
     * source scaling (scl_slope/scl_inter) is written back, so an int16 CT round-trips to the same stored values;
     * otherwise no scaling is written.
     *
     * @throws IllegalArgumentException if a voxel does not survive the conversion exactly (names the voxel)
     */
    public static void write(Volume volume, Path out, DataType type) throws IOException {
        double slope = 1;
        double inter = 0;
        if (type == volume.sourceDataType() && type.isInteger()) {
            slope = volume.sclSlope();
            inter = volume.sclInter();
        }
        float[] v = volume.voxels();
        if (type != DataType.FLOAT32 || slope != 1 || inter != 0) {
            int bad = VoxelCodec.firstUnrepresentable(v, type, slope, inter);
            if (bad >= 0) {
                int i = bad % volume.nx();
                int j = (bad / volume.nx()) % volume.ny();
                int k = bad / volume.nx() / volume.ny();
                throw new IllegalArgumentException("cannot write " + out + " as " + type + ": voxel (" + i + ", " + j
                        + ", " + k + ") = " + v[bad] + " is not representable"
                        + (slope != 1 || inter != 0 ? " with scl_slope " + slope + ", scl_inter " + inter : "")
                        + "; write float32 instead");
            }
        }
        String desc = volume.geometry().description();
        final double s = slope;
        final double b = inter;
        writeRaw(out, volume.nx(), volume.ny(), volume.nz(), volume.geometry(), type, s, b, desc,
                (buf, start, count) -> VoxelCodec.encode(v, start, count, type, buf, s, b));
    }

    /** Writes a mask as uint8 with its geometry (the source volume's). */
    public static void writeMask(VolumeMask mask, Path out) throws IOException {
        byte[] labels = mask.labelsArray();
        writeRaw(out, mask.nx(), mask.ny(), mask.nz(), mask.geometry(), DataType.UINT8, 1, 0, "promptonce mask",
                (buf, start, count) -> System.arraycopy(labels, start, buf, 0, count));
    }

    /** gzip at level 1 (as nibabel writes): several times faster than the default, masks still shrink ~100×. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(java.util.zip.Deflater.BEST_SPEED);
        }
    }

    @FunctionalInterface
    private interface ChunkEncoder {
        void encode(byte[] buf, int start, int count);
    }

    private static void writeRaw(Path out, int nx, int ny, int nz, Geometry g, DataType type, double slope,
                                 double inter, String description, ChunkEncoder encoder) throws IOException {
        int version = g.niftiVersion() == 2 || nx > Short.MAX_VALUE || ny > Short.MAX_VALUE || nz > Short.MAX_VALUE
                ? 2 : 1;
        byte[] header = NiftiHeader.encode(version, nx, ny, nz, type, g, slope, inter, description);
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // not Files.createTempFile: its 0600 would become the output's mode; CREATE_NEW gives 0666 less the umask
        Path tmp = (dir == null ? Path.of("") : dir).resolve("." + abs.getFileName() + "."
                + Long.toUnsignedString(TEMP_NAMES.nextLong(), 36) + ".tmp");
        boolean gz = abs.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz");
        try {
            try (OutputStream fileOut = new BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
                 OutputStream o = gz ? new FastGzip(fileOut) : fileOut) {
                o.write(header);
                long n = (long) nx * ny * nz;
                byte[] buf = new byte[CHUNK_VOXELS * type.bytes()];
                for (long start = 0; start < n; start += CHUNK_VOXELS) {
                    int count = (int) Math.min(CHUNK_VOXELS, n - start);
                    encoder.encode(buf, (int) start, count);
                    o.write(buf, 0, count * type.bytes());
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
