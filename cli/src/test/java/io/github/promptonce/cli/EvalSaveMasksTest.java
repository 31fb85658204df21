package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --save-masks seg|nifti} on a DICOM series (pydicom's CT5N) with a label NIfTI on its grid: every
 * predicted mask is written; the SEG passes dciodvfy and equals the NIfTI mask of the same run frame for frame; a SEG of a NIfTI image fails that unit with a clear message.
 */
class EvalSaveMasksTest {
    @TempDir
    Path tmp;

    private Path pairs() throws Exception {
        Volume ct = Volumes.read(SegmentDicomSegTest.ct5n());
        VolumeMask truth = VolumeMask.empty(ct);
        for (int k = 1; k < 4; k++) {
            for (int j = 5; j < 11; j++) {
                for (int i = 4; i < 12; i++) {
                    truth.set(i, j, k, 1);
                }
            }
        }
        Path label = tmp.resolve("ct5n-label.nii.gz");
        NiftiWriter.writeMask(truth, label);
        return Files.writeString(tmp.resolve("pairs.csv"), SegmentDicomSegTest.ct5n() + "," + label + "\n");
    }

    private MainTest.Result eval(Path pairs, Path out, String format) {
        return MainTest.run("eval", "--pairs", pairs.toString(), "--model",
                SegmentCommandTest.model("test-tiny").toString(), "--protocol", "seed", "--window", "40,400",
                "--out", out.toString(), "--save-masks", format);
    }

    private static Path only(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            var found = s.filter(p -> p.toString().endsWith(suffix)).toList();
            assertEquals(1, found.size(), "one " + suffix + " under " + dir + ": " + found);
            return found.get(0);
        }
    }

    @Test
    void segAndNiftiMasksOfTheSameRunAgree() throws Exception {
        MainTest.Result r = eval(pairs(), tmp.resolve("out"), "seg,nifti");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Path dcm = only(tmp.resolve("out/masks"), ".dcm");
        assertTrue(dcm.getParent().endsWith(Path.of("test-tiny", "seed")), dcm.toString());
        Path mask = tmp.resolve("mask.nii"); // the run's NIfTI mask, uncompressed for check_seg.py
        NiftiWriter.writeMask(VolumeMask.fromVolume(Volumes.read(only(tmp.resolve("out/masks"), ".nii.gz"))), mask);
        String[] v = SegmentDicomSegTest.tool("/usr/bin/dciodvfy", dcm.toString());
        assertFalse(v[1].lines().anyMatch(l -> l.startsWith("Error")), "dciodvfy reports errors:\n" + v[1]);
        String[] check = SegmentDicomSegTest.tool("/usr/bin/python3", Path.of("../java/src/test/python/check_seg.py")
                .toAbsolutePath().toString(), dcm.toString(), mask.toString(), SegmentDicomSegTest.ct5n().toString(),
                "1");
        assertEquals("0", check[0], check[1]);
        assertTrue(check[1].contains("ok 5 frames") && !check[1].contains(" 0 foreground"), check[1]);
    }

    @Test
    void segOfANiftiImageFailsThatUnit() throws Exception {
        Volume ct = Volumes.read(SegmentDicomSegTest.ct5n());
        Path image = tmp.resolve("ct.nii.gz");
        NiftiWriter.write(ct, image);
        VolumeMask truth = VolumeMask.empty(ct);
        truth.set(8, 8, 2, 1);
        Path label = tmp.resolve("label.nii.gz");
        NiftiWriter.writeMask(truth, label);
        Path pairs = Files.writeString(tmp.resolve("p.csv"), image + "," + label + "\n");
        MainTest.Result r = eval(pairs, tmp.resolve("o"), "seg");
        assertEquals(5, r.code(), r.err());
        assertTrue(r.err().contains("was not read from DICOM"), r.err());
        MainTest.Result bad = eval(pairs, tmp.resolve("o2"), "png");
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        assertTrue(bad.err().contains("--save-masks png: expected nifti or seg"), bad.err());
    }
}
