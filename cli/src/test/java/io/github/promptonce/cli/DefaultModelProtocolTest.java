package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.DefaultModel;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.metrics.SliceScore;
import io.github.promptonce.metrics.SliceStatus;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The embedded default model on held-out phantoms ({@link HeldOutProtocol}), measured with the demo's code (hole
 * filling on; slices below the model's object-score floor emptied, the largest 3-D component, then each slice's
 * largest region kept, as the demo runs). Always prints the protocol's figures and issue 19's bar.
 *
 * <ul>
 *   <li>Default (CI): the fast version, seeds 1000–1019 at 128 × 128 × 16 (about a minute), asserting issue 19's
 *   thresholds ({@link #FAST_FLOOR}), which the committed model meets on this set; on the full set it does not yet
 *   (models/MODEL_CARD.md).</li>
 *   <li>{@code -Dpromptonce.protocol=full}: all 100 seeds at their sizes (6 minutes on 2 cores), asserting
 *   issue 19's bar.</li>
 * </ul>
 */
class DefaultModelProtocolTest {
    /**
     * What the fast set must reach: issue 19's thresholds (mean, 10th percentile, absent slices empty, clean slices;
     * and how far below the baseline's mean it may be). The committed model, measured 2026-12-07 (session 9: run 7's
     * weights with the object-score floor 2.0): mean 0.9176, 10th percentile 0.8196, absent slices empty 99.21 % (125
     * of 126), clean slices 99.69 %, baseline mean 0.9154.
     */
    static final double[] FAST_FLOOR = {HeldOutProtocol.MIN_MEAN, HeldOutProtocol.MIN_P10,
        HeldOutProtocol.MIN_ABSENT_EMPTY, HeldOutProtocol.MIN_CLEAN_SLICES, HeldOutProtocol.MAX_BELOW_BASELINE};

    @Test
    void heldOutPhantomsMeetTheBar() {
        boolean full = "full".equals(System.getProperty("promptonce.protocol", "fast"));
        List<HeldOutProtocol.Row> rows = new ArrayList<>();
        StringBuilder report = new StringBuilder(full ? "held-out protocol, full\n" : "held-out protocol, fast\n");
        try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults())) {
            assertEquals(DefaultModel.ARCH, s.arch());
            for (HeldOutProtocol.Case c : HeldOutProtocol.cases(!full)) {
                Phantom p = PhantomGenerator.generate(c.size(), c.size(), c.slices(), c.seed());
                DemoRun.Result r = DemoRun.run(s, p, true, PropagationOptions.defaults(), true,
                        ObjectScoreFloor.resolve(ObjectScoreFloor.MODEL, s.manifest()));
                int absent = 0;
                int absentEmpty = 0;
                for (SliceScore sc : r.once().score().slices()) {
                    if (sc.truth() == 0) {
                        absent++;
                        if (sc.status() == SliceStatus.BOTH_EMPTY) {
                            absentEmpty++;
                        }
                    }
                }
                HeldOutProtocol.Row row = new HeldOutProtocol.Row(c, p.shape().id() + "/" + p.modality().id(),
                        r.once().score().dice(), r.perSlice().score().dice(), absent, absentEmpty,
                        HeldOutProtocol.cleanSlices(p.truth(), r.once().mask()));
                rows.add(row);
                report.append(String.format(Locale.ROOT, "seed %d %s %dx%dx%d: 3-D Dice %.4f (per-slice %.4f), "
                        + "absent empty %d/%d, clean slices %d/%d%n", c.seed(), row.kind(), c.size(), c.size(),
                        c.slices(), row.dice(), row.baselineDice(), absentEmpty, absent, row.cleanSlices(),
                        c.slices()));
            }
        }
        HeldOutProtocol.Summary summary = HeldOutProtocol.Summary.of(rows);
        report.append(summary);
        System.out.println(report);
        assertTrue(rows.stream().anyMatch(r -> r.absentSlices() > 0), "no object-absent slices to check\n" + report);
        List<String> failures = summary.failures();
        System.out.println("issue 19's bar: " + (failures.isEmpty() ? "met" : "not met: " + failures));
        if (full) {
            assertTrue(failures.isEmpty(), "the bar is not met: " + failures + "\n" + report);
        } else {
            List<String> regressions = summary.below(FAST_FLOOR[0], FAST_FLOOR[1], FAST_FLOOR[2], FAST_FLOOR[3],
                    FAST_FLOOR[4]);
            assertTrue(regressions.isEmpty(),
                    "below issue 19's thresholds on the fast set: " + regressions + "\n" + report);
        }
    }
}
