package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** Each kind of bad NIfTI input gives a VolumeFormatException whose message names the value and the expectation. */
class NiftiBadInputTest {
    @TempDir
    Path tmp;

    private static String fails(NiftiBytes b) {
        return fails(() -> b.read());
    }

    private static String fails(Executable e) {
        return assertThrows(VolumeFormatException.class, e).getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "message '" + message + "' lacks '" + part + "'");
    }

    @Test
    void truncatedGzip() throws Exception {
        byte[] full = new NiftiBytes().dims(40, 40, 10).gz().build();
        byte[] cut = Arrays.copyOf(full, full.length / 2);
        Path f = tmp.resolve("cut.nii.gz");
        Files.write(f, cut);
        String m = fails(() -> Volumes.read(f));
        assertContains(m, "cut.nii.gz: gzip data ends early (truncated file?)");
        // cut inside the gzip header itself
        Files.write(f, Arrays.copyOf(full, 5));
        assertContains(fails(() -> Volumes.read(f)), "gzip header ends early");
    }

    @Test
    void corruptGzip() throws Exception {
        byte[] full = new NiftiBytes().dims(40, 40, 10).gz().build();
        byte[] bad = full.clone();
        for (int i = 20; i < 60; i++) {
            bad[i] = (byte) 0xff;
        }
        assertContains(fails(() -> NiftiReader.read(bad, "bad.nii.gz", ReadOptions.defaults())),
                "bad.nii.gz: corrupt gzip data: ");
        byte[] crc = full.clone();
        crc[crc.length - 6] ^= 0x55; // CRC32 in the trailer
        assertContains(fails(() -> NiftiReader.read(crc, "crc.nii.gz", ReadOptions.defaults())),
                "crc.nii.gz: corrupt gzip data: Corrupt GZIP trailer");
        byte[] method = full.clone();
        method[2] = 7; // compression method other than deflate
        assertContains(fails(() -> NiftiReader.read(method, "m.nii.gz", ReadOptions.defaults())),
                "m.nii.gz: corrupt gzip header: Unsupported compression method");
    }

    @Test
    void wrongMagic() {
        NiftiBytes b = new NiftiBytes();
        b.magicOverride = new byte[] {'n', '+', '3', 0};
        assertContains(fails(b), "test.nii: wrong magic \"n+3\\x00\" at byte 344; expected \"n+1\" (single-file NIfTI-1)");
        NiftiBytes pair = new NiftiBytes();
        pair.magicOverride = new byte[] {'n', 'i', '1', 0};
        assertContains(fails(pair), "magic \"ni1\" marks a NIfTI-1 header/image pair (.hdr + .img), which is not "
                + "supported");
        NiftiBytes v2 = new NiftiBytes().v2();
        v2.magicOverride = new byte[] {'n', '+', '2', 0, 'x', 'x', 'x', 'x'};
        assertContains(fails(v2), "wrong magic \"n+2\\x00xxxx\" at byte 4; expected \"n+2\\0\\r\\n\\032\\n\"");
    }

    @Test
    void wrongSizeofHdr() {
        byte[] f = new NiftiBytes().build();
        f[0] = 0x5d; // 349 little-endian
        assertContains(fails(() -> NiftiReader.read(f, "x.nii", ReadOptions.defaults())),
                "x.nii: sizeof_hdr is 349 (little-endian; 1560346624 big-endian); expected 348 (NIfTI-1) or 540 "
                        + "(NIfTI-2): not a NIfTI file");
    }

    @Test
    void tooShortForAHeader() {
        assertContains(fails(() -> NiftiReader.read(new byte[0], "e.nii", ReadOptions.defaults())),
                "e.nii: file holds only 0 bytes; a NIfTI header needs 348 (NIfTI-1) or 540 (NIfTI-2)");
        byte[] f = Arrays.copyOf(new NiftiBytes().build(), 100);
        assertContains(fails(() -> NiftiReader.read(f, "s.nii", ReadOptions.defaults())),
                "s.nii: file ends after 100 bytes, inside the NIfTI-1 header (348 bytes)");
    }

    @Test
    void zeroNegativeAndOverflowingDims() {
        assertContains(fails(new NiftiBytes().dims(4, 0, 2)), "test.nii: dim[2] = 0; every used dimension must be "
                + "at least 1");
        assertContains(fails(new NiftiBytes().dims(4, -3, 2)), "dim[2] = -3; every used dimension must be at least 1");
        NiftiBytes d0 = new NiftiBytes();
        d0.dim[0] = 0;
        assertContains(fails(d0), "dim[0] = 0; expected 1 to 7 dimensions");
        NiftiBytes d8 = new NiftiBytes();
        d8.dim[0] = 8;
        assertContains(fails(d8), "dim[0] = 8; expected 1 to 7 dimensions");
        NiftiBytes big = new NiftiBytes().v2().dims(1L << 40, 1L << 30, 4);
        assertContains(fails(big), "dims 1099511627776x1073741824x4 overflow: more than 2^63 voxels");
        NiftiBytes huge = new NiftiBytes().dims(32767, 32767, 32767);
        assertContains(fails(huge), "dims 32767x32767x32767 give 35181150961663 voxels per volume; at most "
                + "2147483639 are supported");
    }

    @Test
    void dimsClaimingMoreDataThanTheFileHolds() {
        // Would be a 1.9 GB float array if allocated first: the check comes before any allocation.
        NiftiBytes plain = new NiftiBytes().type(DataType.UINT8).dims(30000, 30000, 2);
        plain.extraDataBytes = 0;
        String m = fails(() -> NiftiReader.read(Arrays.copyOf(plain.header(), 400), "lie.nii",
                ReadOptions.defaults()));
        assertContains(m, "lie.nii: dims 30000x30000x2 of uint8 claim 1800000000 bytes of voxel data from offset "
                + "352, but the file holds only 48 bytes there (truncated file or wrong dims)");

        byte[] gz = NiftiBytes.gzip(Arrays.copyOf(plain.header(), 400));
        assertContains(fails(() -> NiftiReader.read(gz, "lie.nii.gz", ReadOptions.defaults())),
                "lie.nii.gz: dims 30000x30000x2 of uint8 claim 1800000000 bytes of voxel data, more than a gzip file "
                        + "of " + gz.length + " bytes can hold");

        NiftiBytes small = new NiftiBytes().dims(40, 40, 10).gz();
        small.extraDataBytes = -100;
        assertContains(fails(small), "test.nii: dims 40x40x10 of int16 claim 32000 bytes for volume 0 from offset "
                + "352, but the decompressed data holds only 31900 there (truncated file or wrong dims)");

        NiftiBytes fourD = new NiftiBytes().dims(4, 3, 2, 3);
        fourD.extraDataBytes = -(4 * 3 * 2 * 2 * 3) + 48; // only the first volume is present
        assertContains(fails(fourD), "dims 4x3x2x3 of int16 claim 144 bytes of voxel data from offset 352, but "
                + "the file holds only 48 bytes there");
    }

    @Test
    void voxOffsetBeyondTheFileOrInsideTheHeader() throws Exception {
        NiftiBytes b = new NiftiBytes();
        byte[] f = b.build();
        java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(108, 100000f);
        assertContains(fails(() -> NiftiReader.read(f, "o.nii", ReadOptions.defaults())),
                "o.nii: vox_offset 100000 is beyond the end of the file (400 bytes)");
        byte[] gz = NiftiBytes.gzip(f);
        assertContains(fails(() -> NiftiReader.read(gz, "o.nii.gz", ReadOptions.defaults())),
                "o.nii.gz: vox_offset 100000 is beyond the end of the decompressed data (400 bytes)");
        java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(108, 100f);
        assertContains(fails(() -> NiftiReader.read(f, "o.nii", ReadOptions.defaults())),
                "vox_offset 100 lies inside the 348-byte header and its 4-byte extender; expected 0 or at least 352");
        java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(108, 352.5f);
        assertContains(fails(() -> NiftiReader.read(f, "o.nii", ReadOptions.defaults())),
                "vox_offset 352.500 is not a non-negative whole number of bytes");
    }

    @Test
    void nonFiniteVoxelsRejectedWithCountsOrMapped() throws Exception {
        NiftiBytes b = new NiftiBytes().type(DataType.FLOAT32);
        b.values = i -> i == 3 || i == 7 ? Double.NaN : i == 11 ? Double.NEGATIVE_INFINITY : i;
        assertContains(fails(b), "test.nii: 3 of 24 voxels are not finite (2 NaN, 1 infinite); expected finite "
                + "values (read with non-finite policy ZERO to map them to 0, or KEEP to keep them)");
        Volume zero = b.read(ReadOptions.defaults().withNonFinite(NonFinitePolicy.ZERO));
        assertEquals(0f, zero.get(3));
        assertEquals(0f, zero.get(11));
        assertEquals(5f, zero.get(5));
        assertEquals(0, zero.nonFiniteCount());
        Volume keep = b.read(ReadOptions.defaults().withNonFinite(NonFinitePolicy.KEEP));
        assertEquals(3, keep.nonFiniteCount());
        assertTrue(Float.isNaN(keep.get(7)));
        assertEquals(0f, Window.preset("ct-lung").apply(keep.get(7)), "NaN windows to 0");
        // float64 beyond float32's range becomes infinite: rejected too
        NiftiBytes d = new NiftiBytes().type(DataType.FLOAT64);
        d.values = i -> i == 0 ? 1e300 : 1;
        assertContains(fails(d), "1 of 24 voxels are not finite (0 NaN, 1 infinite)");
    }

    @Test
    void unsupportedDatatypes() {
        int[] codes = {32, 128, 1024, 1280, 1536, 1792, 2048, 2304, 1, 0, 7};
        String[] names = {"complex64", "rgb24", "int64", "uint64", "float128", "complex128", "complex256", "rgba32",
            "binary", "unknown", "not a NIfTI datatype"};
        for (int i = 0; i < codes.length; i++) {
            NiftiBytes b = new NiftiBytes();
            b.datatype = codes[i];
            assertContains(fails(b), "test.nii: unsupported datatype " + codes[i] + " (" + names[i] + "); supported: "
                    + "uint8, int8, int16, uint16, int32, uint32, float32, float64");
        }
    }

    @Test
    void nonFiniteTransformsWithNonZeroCode() {
        NiftiBytes s = new NiftiBytes();
        s.srow[3] = Double.NaN;
        assertContains(fails(s), "sform_code 1 but srow_x/y/z hold NaN; expected finite numbers");
        NiftiBytes q = new NiftiBytes();
        q.qformCode = 1;
        q.quatern[4] = Double.POSITIVE_INFINITY;
        assertContains(fails(q), "qform_code 1 but quatern/qoffset hold Infinity; expected finite numbers");
        NiftiBytes ignored = new NiftiBytes(); // code 0: the garbage is kept but unused
        ignored.sformCode = 0;
        ignored.srow[0] = Double.NaN;
        assertEquals(24, assertDoesNotThrow(ignored).voxelCount());
    }

    private static Volume assertDoesNotThrow(NiftiBytes b) {
        try {
            return b.read();
        } catch (VolumeFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void missingFileDirectoryAndUnknownFormat() throws Exception {
        assertContains(fails(() -> Volumes.read(tmp.resolve("nope.nii"))), "nope.nii: no such file or directory");
        assertContains(fails(() -> NiftiReader.read(tmp.resolve("nope.nii"))), "nope.nii: no such file");
        assertContains(fails(() -> NiftiReader.read(tmp)), "is a directory, not a NIfTI file");
        Path txt = tmp.resolve("notes.txt");
        Files.writeString(txt, "hello, this is not an image at all, just some text that is long enough");
        assertContains(fails(() -> Volumes.read(txt)), "notes.txt: unrecognised format");
        Path fakeNii = tmp.resolve("fake.nii");
        Files.writeString(fakeNii, "not a header");
        assertContains(fails(() -> Volumes.read(fakeNii)), "fake.nii: sizeof_hdr is ");
    }

    @Test
    void emptyDirectory() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("empty"));
        assertContains(fails(() -> Volumes.read(d)), "empty: directory is empty; expected a DICOM series or PNG/TIFF "
                + "images");
    }
}
