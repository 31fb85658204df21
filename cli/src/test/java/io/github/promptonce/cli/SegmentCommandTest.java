package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segment} on a small synthetic NIfTI with the tiny test exports. */
class SegmentCommandTest {
    @TempDir
    Path tmp;
    Path input;

    static Path model(String arch) {
        String root = System.getProperty("promptonce.testmodels");
        if (root == null) {
            fail("system property promptonce.testmodels is not set; run through Maven (it exports the test models)");
        }
        Path p = Path.of(root, arch);
        if (!Files.isRegularFile(p.resolve("manifest.json"))) {
            fail("test model " + p + " is missing: /usr/bin/python3 models/export.py --arch " + arch
                    + " --random-init --seed 0 --out " + p);
        }
        return p;
    }

    @BeforeEach
    void writeVolume() throws Exception {
        int nx = 40, ny = 32, nz = 6;
        float[] v = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    v[i + nx * (j + ny * k)] = Math.hypot(i - 20, j - 16) < 8 ? 300 : -200 + (i * 7 % 13);
                }
            }
        }
        input = tmp.resolve("in.nii.gz");
        NiftiWriter.write(Volume.of(v, nx, ny, nz, Geometry.ofSpacing(0.8, 0.8, 2.5)), input);
    }

    @Test
    void withoutModelTheEmbeddedDefaultSegments() throws Exception {
        Path out = tmp.resolve("default.nii.gz");
        MainTest.Result r = MainTest.run("segment", "--input", input.toString(), "--slice", "3", "--point", "20,16",
                "--window", "50,600", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using the embedded default promptonce-small"), r.err());
        assertTrue(r.err().contains("promptonce-small (sam2)"), r.err());
        assertTrue(Files.size(out) > 0);
    }

    @Test
    void sam2SegmentsTheWholeVolumeWithTheInputsGeometry() throws Exception {
        Path out = tmp.resolve("mask.nii.gz");
        Path logits = tmp.resolve("logits.nii.gz");
        MainTest.Result r = MainTest.run("segment", "--model", model("test-tiny").toString(), "--input",
                input.toString(), "--slice", "3", "--point", "20,16", "--box", "10,8,30,24", "--window", "50,600",
                "--out", out.toString(), "--logits", logits.toString(), "--overlay", tmp.resolve("ov").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("6/7 slices") || r.err().contains("7/7 slices"), r.err());
        Volume in = Volumes.read(input);
        Volume mask = Volumes.read(out);
        assertArrayEquals(in.dims(), mask.dims());
        assertTrue(in.geometry().sameGeometry(mask.geometry()), "mask keeps the input's geometry");
        assertEquals("uint8", mask.sourceDataType().toString().toLowerCase());
        for (int i = 0; i < mask.voxelCount(); i++) {
            float m = mask.get(i);
            assertTrue(m == 0f || m == 1f, "binary mask, voxel " + i + " = " + m);
        }
        Volume l = Volumes.read(logits);
        assertEquals("float32", l.sourceDataType().toString().toLowerCase());
        for (int i = 0; i < l.voxelCount(); i++) {
            assertEquals(l.get(i) > 0 ? 1f : 0f, mask.get(i), "mask = logits > 0 at voxel " + i);
        }
        assertTrue(Files.isRegularFile(tmp.resolve("ov/montage.png")));
    }

    @Test
    void withoutEncodingAheadTheMaskIsTheSame() throws Exception {
        Path ahead = tmp.resolve("ahead.nii.gz");
        Path serial = tmp.resolve("serial.nii.gz");
        String tiny = model("test-tiny").toString();
        MainTest.Result a = MainTest.run("segment", "--model", tiny, "--input", input.toString(), "--slice", "3",
                "--point", "20,16", "--window", "50,600", "--threads", "2", "--out", ahead.toString());
        MainTest.Result s = MainTest.run("segment", "--model", tiny, "--input", input.toString(), "--slice", "3",
                "--point", "20,16", "--window", "50,600", "--threads", "2", "--no-encode-ahead", "--out",
                serial.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(0, s.code(), s.err());
        Volume ma = Volumes.read(ahead);
        Volume ms = Volumes.read(serial);
        int foreground = 0;
        for (int i = 0; i < ma.voxelCount(); i++) {
            assertEquals(ms.get(i), ma.get(i), "voxel " + i);
            foreground += ma.get(i) > 0 ? 1 : 0;
        }
        assertTrue(foreground > 0, "something was segmented");
    }

    @Test
    void largestComponentOptionsCleanTheMaskAsTheLibraryDoes() throws Exception {
        Path out = tmp.resolve("clean.nii.gz");
        Path logits = tmp.resolve("raw-logits.nii.gz");
        MainTest.Result r = MainTest.run("segment", "--model", model("test-tiny").toString(), "--input",
                input.toString(), "--slice", "3", "--point", "20,16", "--window", "50,600", "--largest-component",
                "--largest-component-per-slice", "--out", out.toString(), "--logits", logits.toString());
        assertEquals(0, r.code(), r.err());
        Volume raw = Volumes.read(logits);
        Volume mask = Volumes.read(out);
        int[] d = raw.dims();
        byte[] thresholded = new byte[(int) raw.voxelCount()];
        for (int i = 0; i < thresholded.length; i++) {
            thresholded[i] = (byte) (raw.get(i) > 0 ? 1 : 0);
        }
        byte[] expected = VolumeSegmentation.largestComponentPerSlice(
                VolumeSegmentation.largestComponent(thresholded, d[0], d[1], d[2]), d[0], d[1], d[2]);
        int foreground = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], (byte) mask.get(i), "voxel " + i);
            foreground += expected[i];
        }
        assertTrue(foreground > 0, "something was segmented");
    }

    @Test
    void minObjectScoreLeavesSlicesBelowTheFloorEmpty() throws Exception {
        String[] common = {"segment", "--model", model("test-tiny").toString(), "--input", input.toString(),
                "--slice", "3", "--point", "20,16", "--window", "50,600"};
        Path plain = tmp.resolve("plain.nii.gz");
        assertEquals(0, MainTest.run(concat(common, "--out", plain.toString())).code());
        // test-tiny's manifest names no floor: "model" changes nothing
        Path model = tmp.resolve("model-floor.nii.gz");
        MainTest.Result r = MainTest.run(concat(common, "--min-object-score", "model", "--out", model.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("object-score floor none"), r.err());
        Volume a = Volumes.read(plain);
        Volume b = Volumes.read(model);
        double foreground = 0;
        for (int i = 0; i < a.voxelCount(); i++) {
            assertEquals(a.get(i), b.get(i), "voxel " + i);
            foreground += a.get(i);
        }
        assertTrue(foreground > 0, "something was segmented");
        Path none = tmp.resolve("none.nii.gz");
        r = MainTest.run(concat(common, "--min-object-score", "none", "--out", none.toString()));
        assertEquals(0, r.code(), r.err());
        Volume n = Volumes.read(none);
        for (int i = 0; i < a.voxelCount(); i++) {
            assertEquals(a.get(i), n.get(i), "voxel " + i);
        }
        // a floor above every score empties every slice
        Path high = tmp.resolve("high.nii.gz");
        r = MainTest.run(concat(common, "--min-object-score", "1e9", "--out", high.toString()));
        assertEquals(0, r.code(), r.err());
        Volume h = Volumes.read(high);
        for (int i = 0; i < h.voxelCount(); i++) {
            assertEquals(0.0, h.get(i), "voxel " + i);
        }
        r = MainTest.run(concat(common, "--min-object-score", "high", "--out", tmp.resolve("x.nii.gz").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--min-object-score high is not a finite number"), r.err());
        r = MainTest.run("segment", "--model", model("test-tiny-sam").toString(), "--input", input.toString(),
                "--slice", "3", "--point", "20,16", "--window", "50,600", "--min-object-score", "1", "--out",
                tmp.resolve("y.nii.gz").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs a SAM 2 model"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void timingsListEveryPropagatedSlice() throws Exception {
        Path timings = tmp.resolve("timings.csv");
        MainTest.Result r = MainTest.run("segment", "--model", model("test-tiny").toString(), "--input",
                input.toString(), "--slice", "0", "--point", "20,16", "--window", "50,600", "--mode", "forward",
                "--out", tmp.resolve("mask.nii.gz").toString(), "--timings", timings.toString());
        assertEquals(0, r.code(), r.err());
        java.util.List<String> lines = Files.readAllLines(timings);
        assertEquals("step,slice,seconds", lines.get(0));
        assertEquals(7, lines.size(), String.join("\n", lines)); // header + slices 0..5
        double last = -1;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            assertEquals(i, Integer.parseInt(f[0]));
            assertEquals(i - 1, Integer.parseInt(f[1]));
            double t = Double.parseDouble(f[2]);
            assertTrue(t >= last, "seconds increase: " + lines);
            last = t;
        }
    }

    @Test
    void samSegmentsOnlyThePromptedSlice() throws Exception {
        Path out = tmp.resolve("mask.nii.gz");
        MainTest.Result r = MainTest.run("segment", "--model", model("test-tiny-sam").toString(), "--input",
                input.toString(), "--slice", "2", "--point", "20,16", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("prompted slice only"), r.err());
        Volume mask = Volumes.read(out);
        for (int k = 0; k < mask.nz(); k++) {
            if (k == 2) {
                continue;
            }
            for (int j = 0; j < mask.ny(); j++) {
                for (int i = 0; i < mask.nx(); i++) {
                    assertEquals(0f, mask.get(i, j, k), "slice " + k + " untouched");
                }
            }
        }
    }

    @Test
    void badArgumentsAndModelsGiveTheirExitCodes() {
        String in = input.toString();
        String tiny = model("test-tiny").toString();
        String out = tmp.resolve("m.nii.gz").toString();
        MainTest.Result outside = MainTest.run("segment", "--model", tiny, "--input", in, "--slice", "1",
                "--point", "99,5", "--out", out);
        assertEquals(2, outside.code());
        assertTrue(outside.err().contains("(99.0,5.0) lies outside the 40x32 slice"), outside.err());
        MainTest.Result slice = MainTest.run("segment", "--model", tiny, "--input", in, "--slice", "6",
                "--point", "5,5", "--out", out);
        assertEquals(2, slice.code());
        assertTrue(slice.err().contains("--slice 6 is outside the volume's 0..5"), slice.err());
        MainTest.Result label = MainTest.run("segment", "--model", tiny, "--input", in, "--slice", "1",
                "--point", "5,5,2", "--out", out);
        assertEquals(2, label.code());
        assertTrue(label.err().contains("LABEL must be 1 (object) or 0 (background)"), label.err());
        MainTest.Result mode = MainTest.run("segment", "--model", tiny, "--input", in, "--slice", "1",
                "--point", "5,5", "--mode", "sideways", "--out", out);
        assertEquals(2, mode.code());
        assertTrue(mode.err().contains("--mode 'sideways'"), mode.err());
        MainTest.Result noPrompt = MainTest.run("segment", "--model", tiny, "--input", in, "--slice", "1",
                "--out", out);
        assertEquals(2, noPrompt.code());
        MainTest.Result missingModel = MainTest.run("segment", "--model", tmp.resolve("none").toString(),
                "--input", in, "--slice", "1", "--point", "5,5", "--out", out);
        assertEquals(4, missingModel.code(), missingModel.err());
        assertTrue(missingModel.err().contains("model directory not found"), missingModel.err());
        MainTest.Result missingInput = MainTest.run("segment", "--model", tiny, "--input",
                tmp.resolve("none.nii").toString(), "--slice", "1", "--point", "5,5", "--out", out);
        assertEquals(3, missingInput.code(), missingInput.err());
    }
}
