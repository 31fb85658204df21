package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.DefaultModel;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.metrics.SliceScore;
import io.github.promptonce.metrics.SliceStatus;
import io.github.promptonce.phantom.PhantomGenerator;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's bar for the embedded default model, measured as {@code demo} measures it: held-out phantoms seeds 1–5
 * (256 × 256 × 32, with distractors), one click on the middle target slice, propagation both ways. Mean 3-D Dice
 * ≥ 0.90 and object-absent slices left empty in ≥ 95 % of cases.
 */
class DefaultModelBarTest {
    @Test
    void heldOutPhantomsMeetTheBar() {
        StringBuilder report = new StringBuilder();
        double diceSum = 0;
        int absent = 0;
        int absentEmpty = 0;
        int n = 0;
        try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults())) {
            assertEquals(DefaultModel.ARCH, s.arch());
            for (long seed = 1; seed <= 5; seed++) {
                var p = PhantomGenerator.generate(256, 256, 32, seed);
                assertTrue(p.distractorCount() >= 1, "seed " + seed + " has no distractor");
                DemoRun.Result r = DemoRun.run(s, p, false, PropagationOptions.defaults(), true,
                        ObjectScoreFloor.resolve(ObjectScoreFloor.MODEL, s.manifest()));
                double dice = r.once().score().dice();
                diceSum += dice;
                n++;
                for (SliceScore sc : r.once().score().slices()) {
                    if (sc.truth() == 0) {
                        absent++;
                        if (sc.status() == SliceStatus.BOTH_EMPTY) {
                            absentEmpty++;
                        }
                    }
                }
                report.append(String.format(Locale.ROOT, "seed %d %s/%s: 3-D Dice %.4f, FP slices %s%n", seed,
                        p.shape().id(), p.modality().id(), dice, r.once().score().falsePositiveSliceIndices()));
            }
        }
        double mean = diceSum / n;
        double emptyShare = (double) absentEmpty / absent;
        report.append(String.format(Locale.ROOT, "mean 3-D Dice %.4f; absent slices empty %d/%d (%.1f %%)", mean,
                absentEmpty, absent, 100 * emptyShare));
        System.out.println(report);
        assertTrue(absent > 0, "no object-absent slices to check\n" + report);
        assertTrue(mean >= 0.90, report.toString());
        assertTrue(emptyShare >= 0.95, report.toString());
    }
}
