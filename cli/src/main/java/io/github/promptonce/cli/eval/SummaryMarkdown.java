package io.github.promptonce.cli.eval;

import java.util.List;
import java.util.Locale;

/** {@code summary.md}: the settings, the summary table and the t-tests, as Markdown (also printed). */
final class SummaryMarkdown {
    private SummaryMarkdown() {
    }

    static String of(EvalRun.Config config, List<VolumeRow> volumes, List<Summary.Row> rows,
                     List<PairedTests.Row> tests) {
        StringBuilder sb = new StringBuilder("# promptonce eval\n\n");
        long names = volumes.stream().map(VolumeRow::volume).distinct().count();
        sb.append(String.format(Locale.ROOT, "%d volume(s) with results; settings: %s.%n%n", names,
                String.join(", ", config.settings().entrySet().stream().filter(e -> !e.getValue().isEmpty())
                        .map(e -> e.getKey() + " " + e.getValue()).toList())));
        sb.append("| model | protocol | label | volumes | 3-D Dice | slice Dice | slice Jaccard | slices | s/slice "
                + "| prompts | prompts saved | FP slices |\n");
        sb.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Summary.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %d | %s | %d | %s | %d / %d |%n",
                    r.model(), r.protocol(), r.label(), r.volumes(), pm(r.dice3d(), 4), pm(r.sliceDice(), 4),
                    pm(r.sliceJaccard(), 4), r.sliceDice().n(), pm(r.secondsPerSlice(), 4), r.prompts(),
                    Double.isNaN(r.promptsSavedPct()) ? "" : String.format(Locale.ROOT, "%.2f %%", r.promptsSavedPct()),
                    r.fpSlices(), r.emptySlices()));
        }
        sb.append("\nMean ± sd. Slice Dice and Jaccard: over every slice whose truth holds the structure, pooled "
                + "(the paper's scores; `slices` = how many); 3-D Dice and s/slice: over volumes. Prompts saved: "
                + "against one prompt per structure slice. FP slices: slices with an empty truth where the prediction "
                + "is not empty / slices with an empty truth.\n\n");
        sb.append("## Paired t-tests: SAM per-slice (A) vs SAM 2 (B)\n\n");
        if (tests.isEmpty()) {
            sb.append("None: the results hold no SAM (v1) model on per-slice together with a SAM 2 model.\n");
        } else {
            sb.append("Per-slice scores paired on (volume, label, slice) over the structure slices; two-sided; "
                    + "difference B − A.\n\n");
            sb.append("| A | B | metric | n | mean A | mean B | B − A | t | p |\n");
            sb.append("|---|---|---|--:|--:|--:|--:|--:|--:|\n");
            for (PairedTests.Row t : tests) {
                sb.append(String.format(Locale.ROOT, "| %s %s | %s %s | %s | %d | %s | %s | %s | %s | %s |%n",
                        t.modelA(), t.protocolA(), t.modelB(), t.protocolB(), t.metric(), t.n(), f(t.meanA(), "%.4f"),
                        f(t.meanB(), "%.4f"), f(t.meanDiff(), "%+.4f"), f(t.t(), "%.3f"), f(t.p(), "%.3g")));
            }
        }
        return sb.toString();
    }

    private static String pm(Summary.Stat s, int digits) {
        if (s.n() == 0) {
            return "";
        }
        String fmt = "%." + digits + "f";
        return String.format(Locale.ROOT, fmt + " ± " + fmt, s.mean(), s.sd());
    }

    private static String f(double v, String fmt) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, fmt, v);
    }
}
