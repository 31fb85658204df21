package io.github.promptonce;

import io.github.promptonce.volume.Slice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library against the official code, in CI: the outputs of the official SAM2VideoPredictor and SamPredictor on
 * small random-weight models, written by {@code scripts/parity/make_ci_fixtures.py} (which needs the official
 * sources; CI only reads its files), are reproduced through the public API — every object on every slice: the
 * decoder's low-resolution logits and the object score (SAM: the IoU) within 1e-4, the mask at the slice's
 * resolution equal pixel for pixel. A random-weight model's logits are small (|logit| < 0.3) and cross 0 everywhere,
 * so a few hundred pixels lie within 1e-4 of 0, some within 1e-7, where the last bit of a float order decides
 * the sign; at those ties (their official full-resolution logits are in the fixtures) our logit must be within
 * 1e-4 of the official one and a differing mask pixel is reported, not failed. Each comparison is printed. Runs on
 * the native backend here and on the javacpp backend in javacpp/ (same test jar).
 */
class OfficialParityTest {
    private static ParityFixtures fixtures;
    private static double maxLogit;

    @BeforeAll
    static void load() {
        fixtures = ParityFixtures.load();
        maxLogit = ParityFixtures.number(fixtures.section("tolerance"), "max_abs_logit");
        assertEquals(1e-4, maxLogit, "the bar of issue 16: max |dlogit| <= 1e-4");
        assertEquals(1.0, ParityFixtures.number(fixtures.section("tolerance"), "mask_agreement"));
    }

    @Test
    void sam21PropagationMatchesTheOfficialVideoPredictor() {
        Map<String, Object> f = fixtures.section("sam2");
        Path model = exportedFrom(f);
        Map<String, Object> volume = ParityFixtures.map(f.get("volume"), "sam2.volume");
        List<Long> shape = ParityFixtures.shape(volume); // [slices, H, W]
        int slices = Math.toIntExact(shape.get(0));
        int h = Math.toIntExact(shape.get(1));
        int w = Math.toIntExact(shape.get(2));
        SliceSource source = grey(ParityFixtures.bytes(volume), w, h, slices);
        List<Object> objects = ParityFixtures.list(f.get("objects"), "sam2.objects");

        Map<String, Object> lowEntry = ParityFixtures.map(f.get("low_res_logits"), "sam2.low_res_logits");
        float[] low = ParityFixtures.floats(lowEntry);
        float[] scores = ParityFixtures.floats(ParityFixtures.map(f.get("object_score_logits"), "sam2.scores"));
        Map<String, Object> maskEntry = ParityFixtures.map(f.get("masks"), "sam2.masks");
        byte[] masks = ParityFixtures.packed(maskEntry);
        Map<String, Object> nearZero = ParityFixtures.map(f.get("near_zero"), "sam2.near_zero");
        assertEquals(maxLogit, ParityFixtures.number(nearZero, "below"), "ties are the pixels within the bar of 0");
        int l = Math.toIntExact(ParityFixtures.shape(lowEntry).get(2));
        assertEquals(List.of((long) objects.size(), (long) slices, (long) l, (long) l), ParityFixtures.shape(lowEntry));

        Report report = new Report("SAM 2.1 propagation vs SAM2VideoPredictor", maxLogit);
        try (Segmenter sam2 = Segmenter.load(model, SegmenterOptions.defaults().withFillHoles(false));
             SegmentationSession session = sam2.session(source)) {
            List<Integer> ids = new ArrayList<>();
            for (Object o : objects) {
                Map<String, Object> obj = ParityFixtures.map(o, "sam2.objects[]");
                int id = Math.toIntExact((long) ParityFixtures.number(obj, "id"));
                session.prompt(id, Math.toIntExact((long) ParityFixtures.number(obj, "slice")), prompt(obj));
                ids.add(id);
            }
            VolumeSegmentation result = session.propagate(PropagationOptions.defaults());
            for (int i = 0; i < ids.size(); i++) {
                for (int k = 0; k < slices; k++) {
                    int at = i * slices + k;
                    SliceResult r = result.result(ids.get(i), k);
                    report.compare("object " + ids.get(i) + " slice " + k, r, low, at * l * l, r.objectScore(),
                            scores[at], ParityFixtures.mask(maskEntry, masks, at),
                            ParityFixtures.nearZero(nearZero, at, w * h));
                }
            }
        }
        report.check();
    }

    @Test
    void samImageModeMatchesTheOfficialSamPredictor() {
        Map<String, Object> f = fixtures.section("sam");
        Path model = exportedFrom(f);
        Map<String, Object> image = ParityFixtures.map(f.get("image"), "sam.image");
        List<Long> shape = ParityFixtures.shape(image); // [H, W]
        int h = Math.toIntExact(shape.get(0));
        int w = Math.toIntExact(shape.get(1));
        Slice slice = grey(ParityFixtures.bytes(image), w, h, 1).slice(0);
        List<Object> cases = ParityFixtures.list(f.get("cases"), "sam.cases");
        Map<String, Object> lowEntry = ParityFixtures.map(f.get("low_res_logits"), "sam.low_res_logits");
        float[] low = ParityFixtures.floats(lowEntry);
        float[] iou = ParityFixtures.floats(ParityFixtures.map(f.get("iou"), "sam.iou"));
        Map<String, Object> maskEntry = ParityFixtures.map(f.get("masks"), "sam.masks");
        byte[] masks = ParityFixtures.packed(maskEntry);
        Map<String, Object> nearZero = ParityFixtures.map(f.get("near_zero"), "sam.near_zero");
        assertEquals(maxLogit, ParityFixtures.number(nearZero, "below"), "ties are the pixels within the bar of 0");
        int l = Math.toIntExact(ParityFixtures.shape(lowEntry).get(1));
        assertEquals(List.of((long) cases.size(), (long) l, (long) l), ParityFixtures.shape(lowEntry));

        Report report = new Report("SAM image mode vs SamPredictor", maxLogit);
        try (Segmenter sam = Segmenter.load(model); ImageEmbedding embedding = sam.encode(slice)) {
            for (int c = 0; c < cases.size(); c++) {
                Map<String, Object> one = ParityFixtures.map(cases.get(c), "sam.cases[]");
                SliceResult r = sam.predict(embedding, prompt(one));
                report.compare(ParityFixtures.string(one, "name"), r, low, c * l * l, r.iou(), iou[c],
                        ParityFixtures.mask(maskEntry, masks, c), ParityFixtures.nearZero(nearZero, c, w * h));
            }
        }
        report.check();
    }

    /** The exported test model of a fixture section, refused unless exported from the fixtures' checkpoint. */
    private static Path exportedFrom(Map<String, Object> section) {
        Path model = TestModels.dir(ParityFixtures.string(section, "arch"));
        assertEquals(ParityFixtures.string(section, "checkpoint_sha256"), ParityFixtures.exportedCheckpointSha256(model),
                model + " was not exported from parity/" + ParityFixtures.string(section, "checkpoint")
                        + " (java/pom.xml exports it before the tests)");
        return model;
    }

    /** uint8 slices → the library's [0, 1] grey (the official predictors see value / 255). */
    private static SliceSource grey(byte[] voxels, int w, int h, int slices) {
        return SliceSource.of(w, h, slices, k -> {
            float[] px = new float[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = (voxels[k * w * h + i] & 0xff) / 255f;
            }
            return new Slice(w, h, px);
        });
    }

    private static Prompt prompt(Map<String, Object> p) {
        List<Prompt.Point> points = new ArrayList<>();
        for (Object o : ParityFixtures.list(p.get("points"), "points")) {
            Map<String, Object> pt = ParityFixtures.map(o, "point");
            points.add(new Prompt.Point(ParityFixtures.number(pt, "x"), ParityFixtures.number(pt, "y"),
                    Boolean.TRUE.equals(pt.get("positive"))));
        }
        Prompt.Box box = null;
        if (p.get("box") != null) {
            List<Object> b = ParityFixtures.list(p.get("box"), "box");
            box = new Prompt.Box(((Number) b.get(0)).doubleValue(), ((Number) b.get(1)).doubleValue(),
                    ((Number) b.get(2)).doubleValue(), ((Number) b.get(3)).doubleValue());
        }
        return new Prompt(points, box);
    }

    /** Collects every comparison, prints them all, then fails naming each one over the bar. */
    private static final class Report {
        private final StringBuilder text;
        private final List<String> failures = new ArrayList<>();
        private double worst;

        private final double bar;

        Report(String title, double bar) {
            this.text = new StringBuilder(title).append(", backend ")
                    .append(System.getProperty(SegmenterOptions.BACKEND_PROPERTY, "auto")).append('\n');
            this.bar = bar;
        }

        /**
         * One object on one slice: the low-res logits and the scalar (object score or IoU) within the bar, the mask at
         * the slice's resolution equal wherever the official logit lies farther than the bar from 0; where it lies
         * within (a tie: {@code nearZero}, the official full-resolution logits there) our full-resolution logit must
         * be within the bar of it, so a pixel can differ only as a consequence of a logit difference within the bar.
         */
        void compare(String what, SliceResult r, float[] officialLow, int offset, float ourScalar,
                     float officialScalar, byte[] officialMask, Map<Integer, Float> nearZero) {
            float[] low = r.lowResLogits();
            double d = low.length == 0 ? Double.NaN : 0;
            for (int i = 0; i < low.length; i++) {
                d = Math.max(d, Math.abs(low[i] - officialLow[offset + i]));
                d = Float.isNaN(low[i]) ? Double.NaN : d;
            }
            double ds = Math.abs(ourScalar - officialScalar);
            float[] full = r.logits();
            byte[] mask = r.mask();
            double dNear = 0;
            for (Map.Entry<Integer, Float> e : nearZero.entrySet()) {
                dNear = Math.max(dNear, Math.abs(full[e.getKey()] - e.getValue()));
            }
            int differ = 0;
            int untied = 0;
            int foreground = 0;
            for (int i = 0; i < officialMask.length; i++) {
                if (mask[i] != officialMask[i]) {
                    differ++;
                    untied += nearZero.containsKey(i) ? 0 : 1;
                }
                foreground += officialMask[i];
            }
            worst = Math.max(worst, Math.max(d, Math.max(ds, dNear)));
            text.append(String.format("  %-18s max |dlogit| %.2e (full res. at the %4d pixels within %.0e of 0: %.2e)"
                    + "  |dscore| %.2e  mask agreement %.4f %% (%d of %d pixels differ, %d outside the ties;"
                    + " official foreground %d)%n", what, d, nearZero.size(), bar, dNear, ds,
                    100.0 * (officialMask.length - differ) / officialMask.length, differ, officialMask.length, untied,
                    foreground));
            if (!(d <= bar) || !(ds <= bar) || !(dNear <= bar) || untied != 0 || mask.length != officialMask.length) {
                failures.add(what + ": max |dlogit| " + d + ", |dscore| " + ds + ", full-res near 0 " + dNear + ", "
                        + untied + " mask pixels differ where the official logit is not within " + bar + " of 0");
            }
        }

        void check() {
            text.append(String.format("  worst |d| %.2e (bar %.0e)%n", worst, bar));
            System.out.print(text);
            assertTrue(failures.isEmpty(), "over the bar (max |dlogit| <= " + bar + ", masks equal outside the ties): "
                    + failures + "\n" + text);
        }
    }
}
