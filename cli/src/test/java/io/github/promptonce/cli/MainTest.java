package io.github.promptonce.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The command line: exit codes, one-line errors, and {@code info} on real files (scripts/fetch-testdata.sh). */
class MainTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static Path data(String relative) {
        String root = System.getProperty("promptonce.testdata");
        if (root == null) {
            fail("system property promptonce.testdata is not set; run through Maven after scripts/fetch-testdata.sh");
        }
        Path p = Path.of(root).resolve(relative);
        if (!Files.exists(p)) {
            fail("real test file " + p + " is missing: run scripts/fetch-testdata.sh");
        }
        return p;
    }

    static final String NIBABEL = "usr/lib/python3/dist-packages/nibabel/tests/data/";
    static final String PYDICOM = "usr/lib/python3/dist-packages/pydicom/data/test_files/";

    @Test
    void helpAndVersion() {
        Result h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("info"), h.out());
        assertTrue(h.out().contains("Exit codes: 0 ok, 1 internal error, 2 usage, 3 input error"), h.out());
        Result ih = run("info", "--help");
        assertEquals(0, ih.code());
        assertTrue(ih.out().contains("--volume=T"), ih.out());
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("promptonce 0.1.0"), v.out());
        assertEquals(0, run("help", "info").code());
    }

    @Test
    void runtimeInfoNamesTheBackendAndLibTorch() {
        Result r = run("info", "--runtime");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("backend:      native"), r.out());
        assertTrue(r.out().matches("(?s).*libtorch:     \\d+\\.\\d+.*"), r.out());
        assertTrue(r.out().contains("libpromptonce.so"), r.out());
        PrecisionOptionTest.withCpuBf16("false", () -> assertTrue(run("info", "--runtime").out().contains(
                "cpu bf16:     no (neither avx512_bf16 nor amx_bf16): --precision auto runs fp32"),
                "says what auto picks on a CPU without bf16"));
        PrecisionOptionTest.withCpuBf16("true", () -> assertTrue(run("info", "--runtime").out().contains(
                "cpu bf16:     yes"), "and on one with it"));
    }

    @Test
    void usageErrorsAreOneLineWithCode2() {
        Result none = run();
        assertEquals(ExitCodes.USAGE, none.code());
        assertEquals("promptonce: missing command, e.g. info (see 'promptonce --help')",
                none.err().strip());
        Result missing = run("info");
        assertEquals(2, missing.code());
        assertEquals("promptonce info: give a PATH, --runtime or --model (see 'promptonce info --help')",
                missing.err().strip());
        Result unknown = run("info", "--bogus", "x.nii");
        assertEquals(2, unknown.code());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
        Result badSpacing = run("info", "--spacing", "1,2", "x.png");
        assertEquals(2, badSpacing.code());
        assertTrue(badSpacing.err().contains("--spacing '1,2' is not three positive numbers"), badSpacing.err());
        Result cmd = run("segmentt");
        assertEquals(2, cmd.code());
        assertEquals(1, cmd.err().strip().lines().count(), cmd.err());
    }

    @Test
    void inputErrorsAreOneLineWithCode3AndTraceWithVerbose() throws Exception {
        Result r = run("info", tmp.resolve("nope.nii").toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertEquals("promptonce: " + tmp.resolve("nope.nii") + ": no such file or directory", r.err().strip());
        assertEquals("", r.out());
        Path bad = tmp.resolve("bad.nii");
        Files.write(bad, new byte[400]);
        Result b = run("info", bad.toString());
        assertEquals(3, b.code());
        assertEquals(1, b.err().strip().lines().count(), b.err());
        assertTrue(b.err().contains("sizeof_hdr is 0"), b.err());
        Result verbose = run("info", "--verbose", bad.toString());
        assertEquals(3, verbose.code());
        assertTrue(verbose.err().contains("VolumeFormatException"), verbose.err());
        assertTrue(verbose.err().contains("\tat io.github.promptonce"), verbose.err());
        Result rle = run("info", data(PYDICOM + "MR_small_RLE.dcm").toString());
        assertEquals(0, rle.code(), rle.err());
        assertTrue(rle.out().contains("RLE Lossless"), rle.out());
        Result rgb = run("info", data(PYDICOM + "SC_rgb_rle.dcm").toString());
        assertEquals(3, rgb.code());
        assertTrue(rgb.err().contains("SamplesPerPixel 3 (RGB); expected 1: only greyscale images are supported"),
                rgb.err());
        Result multi = run("info", data(PYDICOM + "dicomdirtests/98892001/CT5N/2062").getParent().getParent()
                .toString());
        assertEquals(3, multi.code());
        assertTrue(multi.err().contains("holds 2 DICOM series; choose one with --series UID"), multi.err());
        Result vol = run("info", "--volume", "5", data(NIBABEL + "example4d.nii.gz").toString());
        assertEquals(3, vol.code());
        assertTrue(vol.err().contains("volume index 5 is out of range; the file holds 2 volumes"), vol.err());
    }

    @Test
    void infoOnNifti() {
        Result r = run("info", data(NIBABEL + "anatomical.nii").toString());
        assertEquals(0, r.code(), r.err());
        String expected = """
                format:       NIfTI-1, big-endian
                dims:         33 x 41 x 25
                spacing:      2 x 2 x 2 mm
                datatype:     int16
                value range:  -610 .. 30393
                orientation:  LAS
                qform_code:   2 (aligned)
                sform_code:   2 (aligned)
                affine:       voxel (i, j, k) -> RAS mm, from the sform
                  [  -2   0   0  32 ]
                  [   0   2   0 -40 ]
                  [   0   0   2 -16 ]
                """;
        assertTrue(r.out().endsWith(expected), r.out());
        Result f = run("info", "--volume", "1", data(NIBABEL + "functional.nii").toString());
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("dims:         17 x 21 x 3  (volume 1 of 20; choose with --volume)"), f.out());
        assertTrue(f.out().contains("datatype:     int16  (scaled: slope 0.07540697, intercept 3100.762)"),
                f.out());
        Result nan = run("info", data(NIBABEL + "resampled_anat_moved.nii").toString());
        assertEquals(0, nan.code(), nan.err());
        assertTrue(nan.out().contains("value range:  409.3004 .. 13360.96  (153 NaN/Inf voxels)"), nan.out());
    }

    @Test
    void infoOnDicom() {
        Result r = run("info", data(PYDICOM + "dicomdirtests/98892001/CT5N/2062").getParent().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:       DICOM series, 5 files, Explicit VR Little Endian, CT"), r.out());
        assertTrue(r.out().contains("dims:         16 x 16 x 5"), r.out());
        assertTrue(r.out().contains("value range:  -888 .. 85"), r.out());
        assertTrue(r.out().contains("orientation:  LPS"), r.out());
        assertTrue(r.out().contains("  [ -0.488281         0         0 72.199997 ]"), r.out());
        Result one = run("info", data(PYDICOM + "CT_small.dcm").toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("value range:  -896 .. 1167"), one.out());
        Result series = run("info", "--series", "1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6",
                data(PYDICOM + "dicomdirtests/98892001/CT5N/2062").getParent().getParent().toString());
        assertEquals(0, series.code(), series.err());
        assertTrue(series.out().contains("dims:         16 x 16 x 5"), series.out());
    }

    @Test
    void inputOptions() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("stack"));
        for (int k = 0; k < 3; k++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(4, 3,
                    java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
            img.getRaster().setSample(1, 1, 0, 1000 * (k + 1));
            javax.imageio.ImageIO.write(img, "png", dir.resolve("s" + (k + 1) + ".png").toFile());
        }
        Result r = run("info", "--spacing", "0.5,0.5,2", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:       image stack, 3 images, uint16, spacing from options"), r.out());
        assertTrue(r.out().contains("spacing:      0.5 x 0.5 x 2 mm"), r.out());
        assertTrue(r.out().contains("value range:  0 .. 3000"), r.out());
        assertTrue(r.out().contains("qform_code:   0 (unknown)"), r.out());

        String nan = data(NIBABEL + "resampled_anat_moved.nii").toString();
        Result reject = run("info", "--non-finite", "reject", nan);
        assertEquals(3, reject.code());
        assertTrue(reject.err().contains("153 of 1071 voxels are not finite (153 NaN, 0 infinite)"), reject.err());
        Result zero = run("info", "--non-finite", "ZERO", nan);
        assertEquals(0, zero.code(), zero.err());
        assertTrue(zero.out().contains("value range:  0 .. 13360.96"), zero.out());
        Result bad = run("info", "--non-finite", "drop", nan);
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--non-finite 'drop' is not one of reject, zero, keep"), bad.err());
        Result neg = run("info", "--volume", "-1", nan);
        assertEquals(2, neg.code());
    }
}
