package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.NiftiReader;
import io.github.promptonce.volume.ReadOptions;
import io.github.promptonce.volume.Volume;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo} with the embedded default model on one small held-out phantom: a real result, asserted against
 * issue 6's CI bar, Dice ≥ {@link #MIN_DICE} (random weights score 0.03 on this phantom).
 */
class DemoCommandTest {
    static final double MIN_DICE = 0.85;

    @TempDir
    Path tmp;

    @Test
    void promptOnceSegmentsAHeldOutPhantom() throws Exception {
        Path out = tmp.resolve("demo");
        MainTest.Result r = MainTest.run("demo", "--seed", "1", "--slices", "16", "--out", out.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("embedded default promptonce-small"), r.err());
        double floor = ObjectScoreFloor.resolve(ObjectScoreFloor.MODEL,
                io.github.promptonce.model.ModelManifest.read(io.github.promptonce.DefaultModel.directory()));
        assertTrue(r.err().contains("object-score floor " + ObjectScoreFloor.describe(floor)), r.err());

        // the printed table: prompt once uses one prompt, the baseline one per slice with the target
        Matcher once = row("prompt once \\(SAM 2 memory\\)", r.out());
        Matcher base = row("per-slice prompts \\(image mode\\)", r.out());
        assertEquals(1, Integer.parseInt(once.group(1)));
        double dice = Double.parseDouble(once.group(2));
        assertTrue(dice >= MIN_DICE, "prompt-once 3-D Dice " + dice + " < " + MIN_DICE + "\n"
                + r.out());
        assertTrue(Integer.parseInt(base.group(1)) > 1, r.out());

        for (String f : List.of("input.nii.gz", "truth.nii.gz", "mask.nii.gz", "baseline-mask.nii.gz",
                "montage.png", "per-slice.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        Volume mask = NiftiReader.read(out.resolve("mask.nii.gz"), ReadOptions.defaults());
        assertEquals(16, mask.nz());
        BufferedImage montage = ImageIO.read(out.resolve("montage.png").toFile());
        assertTrue(montage.getWidth() >= 256, "montage " + montage.getWidth());

        // the CSV agrees with the printed Dice: recompute the 3-D Dice from its per-slice counts
        List<String> csv = Files.readAllLines(out.resolve("per-slice.csv"));
        assertEquals(17, csv.size());
        assertTrue(csv.get(0).startsWith("slice,truth_voxels,once_voxels,once_dice"), csv.get(0));
        long t = 0;
        long p = 0;
        double twiceIntersection = 0;
        for (String line : csv.subList(1, csv.size())) {
            String[] c = line.split(",", -1);
            long tv = Long.parseLong(c[1]);
            long pv = Long.parseLong(c[2]);
            t += tv;
            p += pv;
            if (!c[3].isEmpty()) {
                twiceIntersection += Double.parseDouble(c[3]) * (tv + pv);
            }
        }
        assertEquals(dice, twiceIntersection / (t + p), 1e-3);

        // each slice's object score, and the floor's decision from it: below the floor, the slice is empty
        List<String> header = List.of(csv.get(0).split(","));
        int scoreColumn = header.indexOf("once_object_score");
        int belowColumn = header.indexOf("once_below_floor");
        assertTrue(scoreColumn > 0 && belowColumn > 0, csv.get(0));
        int below = 0;
        for (String line : csv.subList(1, csv.size())) {
            String[] c = line.split(",", -1);
            double score = Double.parseDouble(c[scoreColumn]);
            boolean emptied = "1".equals(c[belowColumn]);
            assertEquals(score < floor, emptied, line);
            if (emptied) {
                below++;
                assertEquals("0", c[2], "a slice below the floor is empty: " + line);
            }
        }
        String prompted = csv.get(1 + Integer.parseInt(r.out().replaceAll("(?s).* on slice (\\d+);.*", "$1")));
        assertTrue(Double.parseDouble(prompted.split(",", -1)[scoreColumn]) > floor, "prompted slice " + prompted);
        assertTrue(below > 0, "seed 1's track ends below the floor on some slice:\n" + String.join("\n", csv));
    }

    @Test
    void trainingSeedsAreRefused() {
        MainTest.Result r = MainTest.run("demo", "--seed", "1000000", "--out", tmp.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("not held out"), r.err());
    }

    @Test
    void badSizesAndASamModelAreUsageErrorsNamingTheValue() {
        MainTest.Result size = MainTest.run("demo", "--size", "16", "--out", tmp.toString());
        assertEquals(ExitCodes.USAGE, size.code());
        assertTrue(size.err().contains("--size 16 must be >= 32"), size.err());
        MainTest.Result slices = MainTest.run("demo", "--slices", "5", "--out", tmp.toString());
        assertEquals(ExitCodes.USAGE, slices.code());
        assertTrue(slices.err().contains("--slices 5 must be >= 6"), slices.err());
        MainTest.Result threads = MainTest.run("demo", "--threads", "-1", "--out", tmp.toString());
        assertEquals(ExitCodes.USAGE, threads.code());
        assertTrue(threads.err().contains("--threads -1 must be >= 0"), threads.err());
        MainTest.Result floor = MainTest.run("demo", "--min-object-score", "-inf", "--slices", "6", "--size", "64",
                "--out", tmp.resolve("floor").toString());
        assertEquals(ExitCodes.USAGE, floor.code());
        assertTrue(floor.err().contains("--min-object-score -inf is not a finite number"), floor.err());
        String sam = SegmentCommandTest.model("test-tiny-sam").toString();
        MainTest.Result v1 = MainTest.run("demo", "--model", sam, "--slices", "6", "--size", "64", "--out",
                tmp.resolve("sam").toString());
        assertEquals(ExitCodes.USAGE, v1.code());
        assertTrue(v1.err().contains("is a SAM (v1) model; the demo propagates with SAM 2's memory"), v1.err());
    }

    private static Matcher row(String method, String out) {
        Matcher m = Pattern.compile(method + "\\s+(\\d+)\\s+([0-9.]+)").matcher(out);
        assertTrue(m.find(), "no row '" + method + "' in\n" + out);
        return m;
    }
}
