package io.github.promptonce.cli;

import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What segment, demo and eval leave on disk: nothing new when they fail part-way (a failure injected through
 * {@link OutputFiles#failureHook}), no existing file or input overwritten, the model pin.
 */
class CommandOutputsTest {
    @TempDir
    Path tmp;
    Path input;
    String tiny;

    /** {@code dir/in.nii.gz}: 40x32x6, a bright disc around (20, 16) on every slice. */
    static Path discVolume(Path dir) throws IOException {
        int nx = 40, ny = 32, nz = 6;
        float[] v = new float[nx * ny * nz];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.hypot(i % nx - 20, (i / nx) % ny - 16) < 8 ? 300 : -200;
        }
        Path input = dir.resolve("in.nii.gz");
        NiftiWriter.write(Volume.of(v, nx, ny, nz, Geometry.ofSpacing(0.8, 0.8, 2.5)), input);
        return input;
    }

    @BeforeEach
    void writeVolume() throws Exception {
        input = discVolume(tmp);
        tiny = SegmentCommandTest.model("test-tiny").toString();
    }

    @AfterEach
    void noInjection() {
        OutputFiles.failureHook = null;
    }

    /** Fails when the output named {@code file} reaches {@code stage} ("write" or "move"). */
    static void failAt(String stage, String file) {
        OutputFiles.failureHook = (s, target) -> {
            if (s.equals(stage) && target.getFileName().toString().equals(file)) {
                throw new IOException("injected failure at " + stage + " " + file);
            }
        };
    }

    MainTest.Result segment(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("segment", "--model", tiny, "--input",
                input.toString(), "--slice", "3", "--point", "20,16", "--window", "50,600"));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void aSegmentThatFailsPartWayLeavesNoFile() throws Exception {
        for (String[] at : new String[][] {{"write", "montage.png"}, {"move", "slice_0005.png"},
                {"write", "timings.csv"}}) {
            failAt(at[0], at[1]);
            MainTest.Result r = segment("--out", tmp.resolve("out/mask.nii.gz").toString(), "--logits",
                    tmp.resolve("logits.nii.gz").toString(), "--overlay", tmp.resolve("ov").toString(),
                    "--timings", tmp.resolve("timings.csv").toString());
            assertEquals(ExitCodes.INTERNAL, r.code(), r.err());
            assertTrue(r.err().contains("injected failure at " + at[0] + " " + at[1]), r.err());
            assertEquals(List.of("in.nii.gz"), OutputFilesTest.names(tmp), "after a failure at " + at[0] + " "
                    + at[1] + ": no mask, logits, overlay, timings, temporary file or directory");
        }
        OutputFiles.failureHook = null;
        MainTest.Result ok = segment("--out", tmp.resolve("out/mask.nii.gz").toString(), "--overlay",
                tmp.resolve("ov").toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(List.of("mask.nii.gz"), OutputFilesTest.names(tmp.resolve("out")));
        assertEquals(7, OutputFilesTest.names(tmp.resolve("ov")).size(), "montage + 6 slices");
        assertEquals(OutputFilesTest.umaskPermissions(tmp),
                Files.getPosixFilePermissions(tmp.resolve("out/mask.nii.gz")), "the mask follows the umask");
    }

    @Test
    void segmentRefusesExistingOutputsAndItsInput() throws Exception {
        Path out = Files.writeString(tmp.resolve("mask.nii.gz"), "an earlier result");
        MainTest.Result existing = segment("--out", out.toString());
        assertEquals(ExitCodes.USAGE, existing.code(), existing.err());
        assertEquals("promptonce: output " + out + " exists: add --overwrite to replace it, or choose another path",
                existing.err().strip());
        assertEquals("an earlier result", Files.readString(out));

        byte[] in = Files.readAllBytes(input);
        MainTest.Result self = segment("--overwrite", "--out", tmp.resolve(".").resolve("in.nii.gz").toString());
        assertEquals(ExitCodes.USAGE, self.code(), self.err());
        assertTrue(self.err().contains("is an input of this command"), self.err());
        MainTest.Result twice = segment("--out", tmp.resolve("m.nii.gz").toString(), "--logits",
                tmp.resolve("m.nii.gz").toString());
        assertEquals(ExitCodes.USAGE, twice.code(), twice.err());
        assertTrue(twice.err().contains("named twice"), twice.err());
        assertTrue(java.util.Arrays.equals(in, Files.readAllBytes(input)), "the input is untouched");

        MainTest.Result replaced = segment("--overwrite", "--out", out.toString());
        assertEquals(0, replaced.code(), replaced.err());
        assertFalse(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).contains("earlier"));
    }

    @Test
    void aDemoThatFailsLeavesNoFileAndAnEarlierDemoIsKeptUnlessOverwriting() throws Exception {
        Path out = tmp.resolve("demo");
        String[] demo = {"demo", "--model", tiny, "--size", "48", "--slices", "6", "--no-baseline", "--threads", "1",
            "--out", out.toString()};
        failAt("move", "per-slice.csv");
        MainTest.Result failed = MainTest.run(demo);
        assertEquals(ExitCodes.INTERNAL, failed.code(), failed.err());
        assertFalse(Files.exists(out), "no demo directory: " + failed.err());
        OutputFiles.failureHook = null;

        MainTest.Result first = MainTest.run(demo);
        assertEquals(0, first.code(), first.err());
        assertEquals(List.of("input.nii.gz", "mask.nii.gz", "montage.png", "per-slice.csv", "truth.nii.gz"),
                OutputFilesTest.names(out));
        MainTest.Result again = MainTest.run(demo);
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertTrue(again.err().contains("input.nii.gz exists: add --overwrite"), again.err());
        String[] overwrite = java.util.Arrays.copyOf(demo, demo.length + 1);
        overwrite[demo.length] = "--overwrite";
        assertEquals(0, MainTest.run(overwrite).code());
    }

    @Test
    void anEvalThatFailsWritingItsReportLeavesNoReportFileAndResumes() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path labels = Files.createDirectories(tmp.resolve("labels"));
        for (int seed = 1; seed <= 2; seed++) {
            Phantom p = PhantomGenerator.generate(48, 48, 6, seed, Phantom.Shape.ANY, Phantom.Modality.CT);
            NiftiWriter.write(p.volume(), images.resolve("p" + seed + ".nii.gz"));
            NiftiWriter.writeMask(p.truth(), labels.resolve("p" + seed + ".nii.gz"));
        }
        Path out = tmp.resolve("eval");
        String[] eval = {"eval", "--images", images.toString(), "--labels", labels.toString(), "--model", tiny,
            "--protocol", "seed", "--threads", "1", "--out", out.toString()};
        failAt("move", "summary.md");
        MainTest.Result failed = MainTest.run(eval);
        assertEquals(ExitCodes.INTERNAL, failed.code(), failed.err());
        // the finished volumes stay in the ledger (that is what a rerun resumes from); no report file, no temp file
        assertEquals(List.of("failures.csv", "per_slice.csv", "per_volume.csv", "run.properties"),
                OutputFilesTest.names(out));
        OutputFiles.failureHook = null;
        MainTest.Result resumed = MainTest.run(eval);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("0 run, 2 skipped (finished before)"), resumed.err());
        assertTrue(OutputFilesTest.names(out).containsAll(List.of("summary.md", "summary.csv", "ttest.csv",
                "dice_boxplot.png", "slices-p1.png", "slices-p2.png")), OutputFilesTest.names(out).toString());

        MainTest.Result intoInput = MainTest.run("eval", "--images", images.toString(), "--labels",
                labels.toString(), "--model", tiny, "--out", images.toString());
        assertEquals(ExitCodes.USAGE, intoInput.code(), intoInput.err());
        assertTrue(intoInput.err().contains("is an input of this command"), intoInput.err());
    }

    @Test
    void aPinnedModelSha256RefusesAnyOtherModel() throws Exception {
        String sha = ModelManifest.read(Path.of(tiny)).sha256();
        MainTest.Result info = MainTest.run("info", "--model", tiny);
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("sha256:       " + sha), info.out());
        assertEquals(0, segment("--model-sha256", sha, "--out", tmp.resolve("a.nii.gz").toString()).code());
        MainTest.Result other = segment("--model-sha256", "ab".repeat(32), "--out", tmp.resolve("b.nii.gz").toString());
        assertEquals(ExitCodes.MODEL, other.code(), other.err());
        assertTrue(other.err().contains(sha) && other.err().contains("ab".repeat(32)), other.err());
        assertFalse(Files.exists(tmp.resolve("b.nii.gz")));
        MainTest.Result malformed = segment("--model-sha256", "xyz", "--out", tmp.resolve("c.nii.gz").toString());
        assertEquals(ExitCodes.USAGE, malformed.code(), malformed.err());
        assertTrue(malformed.err().contains("--model-sha256: 'xyz' is not a SHA-256"), malformed.err());
    }
}
