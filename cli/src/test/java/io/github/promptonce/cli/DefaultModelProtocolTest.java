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
 * Issue 19's bar for the embedded default model on held-out phantoms, measured with the demo's code (hole filling
 * on, as the demo runs): {@link HeldOutProtocol}. CI runs the fast version (seeds 1000–1019 at 128 × 128 × 16);
 * {@code -Dpromptonce.protocol=full} runs all 100 seeds at their sizes (about 15 minutes on 2 cores).
 */
class DefaultModelProtocolTest {
    @Test
    void heldOutPhantomsMeetTheBar() {
        boolean full = "full".equals(System.getProperty("promptonce.protocol", "fast"));
        List<HeldOutProtocol.Row> rows = new ArrayList<>();
        StringBuilder report = new StringBuilder(full ? "held-out protocol, full\n" : "held-out protocol, fast\n");
        try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults())) {
            assertEquals(DefaultModel.ARCH, s.arch());
            for (HeldOutProtocol.Case c : HeldOutProtocol.cases(!full)) {
                Phantom p = PhantomGenerator.generate(c.size(), c.size(), c.slices(), c.seed());
                DemoRun.Result r = DemoRun.run(s, p, true, PropagationOptions.defaults(), true);
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
        assertTrue(failures.isEmpty(), "the bar is not met: " + failures + "\n" + report);
    }
}
