package io.github.promptonce.volume;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads NIfTI-1 and NIfTI-2 single files ({@code .nii}, gzip-compressed {@code .nii.gz}, either byte order).
 *
 * <p>Supported datatypes: uint8, int8, int16, uint16, int32, uint32, float32, float64 (int32/uint32 beyond 2^24
 * and float64 lose precision in float32). {@code scl_slope}/{@code scl_inter} are applied when the slope is finite
 * and non-zero. {@code vox_offset} is honoured (0 means right after the 348/540-byte header plus extender, as
 * nibabel reads it). Files with more than three dimensions hold several 3-D volumes; one is chosen with
 * {@link ReadOptions#withVolumeIndex(int)}.
 *
 * <p>Lying headers never cause a large allocation: for an uncompressed file the data size the dims claim is checked
 * against the file size before anything is allocated; for gzip the compressed bytes are first inflated into chunks
 * (memory grows only with data that really exists) and the float array is allocated once all bytes are there.
 */
public final class NiftiReader {
    private static final int MAX_DEFLATE_RATIO = 1032; // DEFLATE cannot expand 1 byte into more than ~1032
    private static final int CHUNK = 1 << 20;

    private NiftiReader() {
    }

    /** Reads volume 0, rejecting non-finite voxels. */
    public static Volume read(Path path) throws VolumeFormatException {
        return read(path, ReadOptions.defaults());
    }

    public static Volume read(Path path, ReadOptions options) throws VolumeFormatException {
        String name = path.toString();
        long size;
        try {
            if (Files.isDirectory(path)) {
                throw new VolumeFormatException(name + ": is a directory, not a NIfTI file");
            }
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new VolumeFormatException(name + ": no such file");
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e, e);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, size, name, path, options);
        } catch (AccessDeniedException e) {
            throw new VolumeFormatException(name + ": permission denied");
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads a whole file's bytes (tests, in-memory data). */
    public static Volume read(byte[] file, String name, ReadOptions options) throws VolumeFormatException {
        try {
            return read(new ByteArrayInputStream(file), file.length, name, null, options);
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads only the header (for a quick look; the data is not checked). */
    static NiftiHeader readHeader(Path path) throws VolumeFormatException {
        String name = path.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
            InputStream s = maybeGunzip(raw, name);
            byte[] hdr = s.readNBytes(NiftiHeader.SIZE_V2);
            return NiftiHeader.parse(hdr, hdr.length, name);
        } catch (NoSuchFileException e) {
            throw new VolumeFormatException(name + ": no such file");
        } catch (EOFException e) {
            throw new VolumeFormatException(name + ": gzip data ends early (truncated file?)", e);
        } catch (ZipException e) {
            throw new VolumeFormatException(name + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static InputStream maybeGunzip(InputStream raw, String name) throws IOException, VolumeFormatException {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new GZIPInputStream(raw, 1 << 16);
            } catch (EOFException e) {
                throw new VolumeFormatException(name + ": gzip header ends early (truncated file?)", e);
            } catch (ZipException e) {
                throw new VolumeFormatException(name + ": corrupt gzip header: " + e.getMessage(), e);
            }
        }
        return raw;
    }

    static Volume read(InputStream rawIn, long rawSize, String name, Path path, ReadOptions options)
            throws IOException, VolumeFormatException {
        BufferedInputStream raw = new BufferedInputStream(rawIn, 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        try {
            InputStream s = maybeGunzip(raw, name);
            return readStream(s, gz, rawSize, name, path, options);
        } catch (EOFException e) {
            throw new VolumeFormatException(name + ": gzip data ends early (truncated file?)", e);
        } catch (ZipException e) {
            throw new VolumeFormatException(name + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    private static Volume readStream(InputStream s, boolean gz, long rawSize, String name, Path path,
                                     ReadOptions options) throws IOException, VolumeFormatException {
        byte[] hdrBytes = s.readNBytes(NiftiHeader.SIZE_V2 + 4);
        NiftiHeader h = NiftiHeader.parse(hdrBytes, hdrBytes.length, name);
        String what = (gz ? "decompressed data" : "file");

        DataType type = DataType.fromNiftiCode(h.datatype).orElseThrow(() -> new VolumeFormatException(name
                + ": unsupported datatype " + h.datatype + " (" + DataType.niftiName(h.datatype)
                + "); supported: uint8, int8, int16, uint16, int32, uint32, float32, float64"));

        long ndim = h.dim[0];
        if (ndim < 1 || ndim > 7) {
            throw new VolumeFormatException(name + ": dim[0] = " + ndim + "; expected 1 to 7 dimensions");
        }
        long total = 1;
        for (int i = 1; i <= ndim; i++) {
            if (h.dim[i] < 1) {
                throw new VolumeFormatException(name + ": dim[" + i + "] = " + h.dim[i]
                        + "; every used dimension must be at least 1");
            }
            try {
                total = Math.multiplyExact(total, h.dim[i]);
            } catch (ArithmeticException e) {
                throw new VolumeFormatException(name + ": dims " + dimsText(h) + " overflow: more than 2^63 voxels");
            }
        }
        long nx = h.dim[1];
        long ny = ndim >= 2 ? h.dim[2] : 1;
        long nz = ndim >= 3 ? h.dim[3] : 1;
        long perVolume = nx * ny * nz; // ≤ total, no overflow
        long volumes = total / perVolume;
        long totalBytes;
        try {
            totalBytes = Math.multiplyExact(total, (long) type.bytes());
        } catch (ArithmeticException e) {
            throw new VolumeFormatException(name + ": dims " + dimsText(h) + " of " + type
                    + " overflow: more than 2^63 bytes");
        }
        if (perVolume > Volume.MAX_VOXELS) {
            throw new VolumeFormatException(name + ": dims " + nx + "x" + ny + "x" + nz + " give " + perVolume
                    + " voxels per volume; at most " + Volume.MAX_VOXELS + " are supported");
        }
        int t = options.volumeIndex();
        if (t >= volumes) {
            throw new VolumeFormatException(name + ": volume index " + t + " is out of range; the file holds "
                    + volumes + (volumes == 1 ? " volume" : " volumes") + " (dims " + dimsText(h) + ")");
        }

        // vox_offset
        int minOffset = h.headerSize() + 4;
        double vo = h.voxOffset;
        if (!Double.isFinite(vo) || vo < 0 || vo != Math.floor(vo)) {
            throw new VolumeFormatException(name + ": vox_offset " + fmt(vo)
                    + " is not a non-negative whole number of bytes");
        }
        long offset = vo == 0 ? minOffset : (long) vo;
        if (offset < minOffset) {
            throw new VolumeFormatException(name + ": vox_offset " + offset + " lies inside the " + h.headerSize()
                    + "-byte header and its 4-byte extender; expected 0 or at least " + minOffset);
        }
        if (!gz && rawSize >= 0) {
            if (offset > rawSize) {
                throw new VolumeFormatException(name + ": vox_offset " + offset + " is beyond the end of the file ("
                        + rawSize + " bytes)");
            }
            if (totalBytes > rawSize - offset) {
                throw new VolumeFormatException(name + ": dims " + dimsText(h) + " of " + type + " claim "
                        + totalBytes + " bytes of voxel data from offset " + offset + ", but the file holds only "
                        + (rawSize - offset) + " bytes there (truncated file or wrong dims)");
            }
        } else if (gz && rawSize >= 0 && offset + totalBytes > rawSize * MAX_DEFLATE_RATIO + (1 << 16)) {
            throw new VolumeFormatException(name + ": dims " + dimsText(h) + " of " + type + " claim "
                    + totalBytes + " bytes of voxel data, more than a gzip file of " + rawSize
                    + " bytes can hold (wrong dims or truncated file)");
        }

        // Scaling and geometry fields
        boolean scaled = Double.isFinite(h.sclSlope) && h.sclSlope != 0;
        double slope = scaled ? h.sclSlope : 1;
        double inter = scaled && Double.isFinite(h.sclInter) ? h.sclInter : 0;
        scaled = scaled && !(slope == 1 && inter == 0);
        checkGeometry(h, name);

        // Position the stream at the start of the chosen volume.
        InputStream data = s;
        long pos = hdrBytes.length;
        if (offset < pos) {
            data = new SequenceInputStream(new ByteArrayInputStream(hdrBytes, (int) offset, (int) (pos - offset)), s);
            pos = offset;
        }
        long skip = offset - pos + t * perVolume * type.bytes();
        long skipped = skipFully(data, skip);
        if (skipped < skip) {
            long end = pos + skipped;
            if (offset > end) {
                throw new VolumeFormatException(name + ": vox_offset " + offset + " is beyond the end of the " + what
                        + " (" + end + " bytes)");
            }
            throw new VolumeFormatException(name + ": the " + what + " ends after " + end + " bytes, before volume "
                    + t + " (dims " + dimsText(h) + " of " + type + " from offset " + offset + ")");
        }

        int n = (int) perVolume;
        long volBytes = perVolume * type.bytes();
        float[] voxels;
        if (gz) {
            List<byte[]> chunks = new ArrayList<>();
            long got = 0;
            while (got < volBytes) {
                int want = (int) Math.min(CHUNK * 16L, volBytes - got);
                byte[] c = data.readNBytes(want);
                if (c.length > 0) {
                    chunks.add(c);
                }
                got += c.length;
                if (c.length < want) {
                    throw truncated(name, h, type, offset, t, perVolume, got, what);
                }
            }
            voxels = allocate(n, name);
            int p = 0;
            for (byte[] c : chunks) {
                int cnt = c.length / type.bytes();
                VoxelCodec.decode(c, 0, cnt, type, h.order, voxels, p, scaled, slope, inter);
                p += cnt;
            }
        } else {
            voxels = allocate(n, name);
            byte[] buf = new byte[CHUNK];
            int perChunk = buf.length / type.bytes();
            int p = 0;
            while (p < n) {
                int cnt = Math.min(perChunk, n - p);
                int len = cnt * type.bytes();
                int r = data.readNBytes(buf, 0, len);
                if (r < len) {
                    throw truncated(name, h, type, offset, t, perVolume, (long) p * type.bytes() + r, what);
                }
                VoxelCodec.decode(buf, 0, cnt, type, h.order, voxels, p, scaled, slope, inter);
                p += cnt;
            }
        }
        // The rest of a multi-volume file must be there too; for gzip this also checks the CRC at the end.
        long rest = (volumes - t - 1) * volBytes;
        long restSkipped = skipFully(data, rest);
        if (restSkipped < rest) {
            throw new VolumeFormatException(name + ": the " + what + " ends " + (rest - restSkipped)
                    + " bytes short of the " + volumes + " volumes that dims " + dimsText(h) + " of " + type
                    + " claim (truncated file)");
        }
        if (gz) {
            data.transferTo(java.io.OutputStream.nullOutputStream());
        }

        long nonFinite = applyNonFinite(voxels, options.nonFinite(), name);
        StringBuilder detail = new StringBuilder(h.version == 1 ? "NIfTI-1" : "NIfTI-2");
        detail.append(gz ? ", gzip" : "").append(h.order == java.nio.ByteOrder.BIG_ENDIAN ? ", big-endian"
                : ", little-endian");
        return new Volume(voxels, (int) nx, (int) ny, (int) nz, h.geometry(),
                h.version == 1 ? SourceFormat.NIFTI1 : SourceFormat.NIFTI2, detail.toString(), path, type, slope,
                inter, t, (int) Math.min(Integer.MAX_VALUE, volumes), nonFinite);
    }

    private static VolumeFormatException truncated(String name, NiftiHeader h, DataType type, long offset, int t,
                                                   long perVolume, long got, String what) {
        return new VolumeFormatException(name + ": dims " + dimsText(h) + " of " + type + " claim "
                + perVolume * type.bytes() + " bytes for volume " + t + " from offset " + offset + ", but the "
                + what + " holds only " + got + " there (truncated file or wrong dims)");
    }

    private static void checkGeometry(NiftiHeader h, String name) throws VolumeFormatException {
        if (h.sformCode != 0) {
            for (double v : h.srow) {
                if (!Double.isFinite(v)) {
                    throw new VolumeFormatException(name + ": sform_code " + h.sformCode + " but srow_x/y/z hold "
                            + v + "; expected finite numbers");
                }
            }
        }
        if (h.qformCode != 0) {
            for (double v : h.quatern) {
                if (!Double.isFinite(v)) {
                    throw new VolumeFormatException(name + ": qform_code " + h.qformCode
                            + " but quatern/qoffset hold " + v + "; expected finite numbers");
                }
            }
            for (int i = 0; i <= 3; i++) {
                if (!Double.isFinite(h.pixdim[i])) {
                    throw new VolumeFormatException(name + ": qform_code " + h.qformCode + " but pixdim[" + i
                            + "] = " + h.pixdim[i] + "; expected a finite number");
                }
            }
        }
    }

    static float[] allocate(int n, String name) throws VolumeFormatException {
        requireHeap(4L * n, name, "a volume of " + n + " voxels");
        return new float[n];
    }

    /** Throws unless {@code need} bytes of heap are free (after one GC); {@code what} names what needs them. */
    static void requireHeap(long need, String name, String what) throws VolumeFormatException {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            System.gc();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            if (need > free) {
                throw new VolumeFormatException(name + ": " + what + " needs " + (need >> 20)
                        + " MiB of heap but only about " + (free >> 20) + " MiB are free (maximum " + (rt.maxMemory() >> 20)
                        + " MiB); raise -Xmx (bin/promptonce reads PROMPTONCE_JAVA_OPTS)");
            }
        }
    }

    /** Counts NaN/Inf and applies the policy; returns the count kept (0 unless KEEP). */
    static long applyNonFinite(float[] v, NonFinitePolicy policy, String name) throws VolumeFormatException {
        long nan = 0;
        long inf = 0;
        for (float f : v) {
            if (Float.isNaN(f)) {
                nan++;
            } else if (Float.isInfinite(f)) {
                inf++;
            }
        }
        if (nan + inf == 0) {
            return 0;
        }
        switch (policy) {
            case REJECT -> throw new VolumeFormatException(name + ": " + (nan + inf) + " of " + v.length
                    + " voxels are not finite (" + nan + " NaN, " + inf + " infinite); expected finite values "
                    + "(read with non-finite policy ZERO to map them to 0, or KEEP to keep them)");
            case ZERO -> {
                for (int i = 0; i < v.length; i++) {
                    if (!Float.isFinite(v[i])) {
                        v[i] = 0f;
                    }
                }
                return 0;
            }
            case KEEP -> {
                return nan + inf;
            }
            default -> throw new AssertionError(policy);
        }
    }

    private static long skipFully(InputStream in, long n) throws IOException {
        long done = 0;
        byte[] buf = null;
        while (done < n) {
            long k = in.skip(n - done);
            if (k > 0) {
                done += k;
                continue;
            }
            if (buf == null) {
                buf = new byte[1 << 16];
            }
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    static String dimsText(NiftiHeader h) {
        StringBuilder sb = new StringBuilder();
        long nd = Math.max(1, Math.min(7, h.dim[0]));
        for (int i = 1; i <= nd; i++) {
            if (i > 1) {
                sb.append('x');
            }
            sb.append(h.dim[i]);
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%g", v);
    }
}
