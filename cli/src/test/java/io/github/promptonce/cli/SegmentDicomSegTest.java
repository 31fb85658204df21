package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment --out mask.dcm} on a real DICOM series (pydicom's CT5N) writes a DICOM SEG: Debian's dciodvfy
 * reports no error, pydicom reads it back with every frame equal to the NIfTI mask of the same (deterministic) run;
 * a non-DICOM input is a usage error and a broken input an input error, with no SEG file left.
 */
class SegmentDicomSegTest {
    @TempDir
    Path tmp;

    static Path ct5n() {
        String root = System.getProperty("promptonce.testdata");
        if (root == null) {
            fail("system property promptonce.testdata is not set; run through Maven after scripts/fetch-testdata.sh");
        }
        Path p = Path.of(root, "usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N");
        if (!Files.isDirectory(p)) {
            fail(p + " is missing: run scripts/fetch-testdata.sh");
        }
        return p;
    }

    /** Runs a tool installed by scripts/setup-dicom-tools.sh; returns exit code and output. */
    static String[] tool(String... command) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(command[0]))) {
            fail(command[0] + " is not installed: run scripts/setup-dicom-tools.sh");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(p.waitFor()), out};
    }

    private MainTest.Result segment(Path input, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("segment", "--model",
                SegmentCommandTest.model("test-tiny").toString(), "--input", input.toString(), "--slice", "2",
                "--point", "8,8", "--window", "40,400", "--threads", "1", "--no-encode-ahead", "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void segmentWritesAValidSegEqualToTheNiftiMask() throws Exception {
        Path seg = tmp.resolve("mask.dcm");
        Path nifti = tmp.resolve("mask.nii");
        MainTest.Result a = segment(ct5n(), seg, "--seg-label", "lesion", "--seg-type", "52988006,SCT,Lesion");
        MainTest.Result b = segment(ct5n(), nifti);
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        String[] v = tool("/usr/bin/dciodvfy", seg.toString());
        assertFalse(v[1].lines().anyMatch(l -> l.startsWith("Error")), "dciodvfy reports errors:\n" + v[1]);
        String[] check = tool("/usr/bin/python3", Path.of("../java/src/test/python/check_seg.py").toAbsolutePath()
                .toString(), seg.toString(), nifti.toString(), ct5n().toString(), "1");
        assertEquals("0", check[0], check[1]);
        assertTrue(check[1].contains("ok 5 frames"), check[1]);
        assertFalse(check[1].contains(" 0 foreground voxels"), "an empty mask would prove little: " + check[1]);
        String[] dump = tool("/usr/bin/dcmdump", seg.toString());
        assertTrue(dump[1].contains("[lesion]") && dump[1].contains("[Lesion]"), dump[1]);
        assertTrue(dump[1].contains("[promptonce]") && dump[1].contains("model=test-tiny"), dump[1]);
    }

    @Test
    void segOfANiftiInputIsAUsageErrorAndNothingIsWritten() throws Exception {
        Path nifti = tmp.resolve("in.nii.gz");
        io.github.promptonce.volume.NiftiWriter.write(io.github.promptonce.volume.Volume.of(new float[16 * 16 * 3],
                16, 16, 3, io.github.promptonce.volume.Geometry.ofSpacing(1, 1, 1)), nifti);
        Path seg = tmp.resolve("out.dcm");
        MainTest.Result r = segment(nifti, seg);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("writes a DICOM SEG, which references a DICOM input"), r.err());
        assertFalse(Files.exists(seg));
    }

    @Test
    void corruptCompressedInputIsAnInputErrorOnOneLine() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rle"));
        try (Stream<Path> s = Files.list(ct5n())) {
            for (Path f : s.toList()) {
                String[] r = tool("/usr/bin/dcmcrle", f.toString(), dir.resolve(f.getFileName()).toString());
                assertEquals("0", r[0], r[1]);
            }
        }
        Path victim = dir.resolve("2392");
        byte[] b = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(b, b.length - 300)); // a fragment cut by the end of the file
        Path seg = tmp.resolve("out.dcm");
        MainTest.Result r = segment(dir, seg);
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("2392") && r.err().contains("truncated"), r.err());
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("out.dcm")), "no SEG, no temp file");
        }
    }
}
