package io.github.promptonce.cli;

import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.metrics.SegmentationScore;
import io.github.promptonce.metrics.SliceScore;
import io.github.promptonce.overlay.Marker;
import io.github.promptonce.overlay.OverlayStyle;
import io.github.promptonce.overlay.Overlays;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.NiftiWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code promptonce demo}: prompt once on a held-out synthetic phantom, against the per-slice baseline. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Generates a synthetic 3-D phantom the default model never saw in training (a target object with "
                + "distractors of similar intensity; models/PHANTOMS.md), clicks once at the target's centre on its "
                + "middle slice and lets SAM 2's memory propagate the mask both ways through the volume. Then runs "
                + "the per-slice baseline (image mode, a mask-derived prompt on every slice that contains the target) "
                + "and prints both rows side by side: 3-D Dice, slices with false positives, prompts, time per slice.",
            "Writes into --out: input.nii.gz, truth.nii.gz, mask.nii.gz (prompt once), baseline-mask.nii.gz, "
                + "montage.png (the prompt-once mask over the slices, the click marked) and per-slice.csv (voxels, "
                + "Dice and status of each row per slice, with the prompt-once track's object score and whether "
                + "--min-object-score emptied the slice), all together once all are written; files of an earlier "
                + "demo there are refused unless --overwrite.",
            "Exit codes: 0 ok, 2 usage, 4 model error, 1 internal."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Phantom seed; held out from training are all seeds below 1000000 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", paramLabel = "N", defaultValue = "256",
            description = "Slice width and height in pixels (default: ${DEFAULT-VALUE}, the model's input size).")
    int size;

    @Option(names = "--slices", paramLabel = "N", defaultValue = "32",
            description = "Number of slices (default: ${DEFAULT-VALUE}).")
    int slices;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "promptonce-demo",
            description = "Output directory (default: ./${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--model", paramLabel = "DIR", description = ModelChoice.DEFAULT_DESCRIPTION)
    Path model;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--no-baseline", description = "Skip the per-slice baseline.")
    boolean noBaseline;

    @Option(names = "--no-largest-component",
            description = "Keep every predicted component; by default both rows keep only the largest 3-D connected "
                    + "component of their mask, then the largest region of each slice (as segment "
                    + "--largest-component --largest-component-per-slice), which removes specks beside the target.")
    boolean noLargestComponent;

    @Option(names = "--min-object-score", paramLabel = "X|model|none", defaultValue = ObjectScoreFloor.MODEL,
            description = ObjectScoreFloor.DESCRIPTION + " Default: ${DEFAULT-VALUE}.")
    String minObjectScore;

    @Option(names = "--overwrite", description = "Replace the files of an earlier demo in --out.")
    boolean overwrite;

    /** The files the demo writes into --out. */
    static final List<String> FILES = List.of("input.nii.gz", "truth.nii.gz", "mask.nii.gz", "baseline-mask.nii.gz",
            "montage.png", "per-slice.csv");

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (seed < 0 || seed >= 1_000_000) {
            throw usage("--seed " + seed + " is not held out: use 0 <= seed < 1000000 (training uses the others)");
        }
        if (size < 32) {
            throw usage("--size " + size + " must be >= 32");
        }
        if (slices < 6) {
            throw usage("--slices " + slices + " must be >= 6");
        }
        SegmenterOptions options = runtime.segmenterOptions();
        try (OutputFiles outputs = new OutputFiles(overwrite, List.of())) {
            for (String f : FILES) {
                outputs.check(out.resolve(f));
            }
            return run(o, err, options, outputs); // commits once every file is written
        }
    }

    private int run(PrintWriter o, PrintWriter err, SegmenterOptions options, OutputFiles outputs)
            throws IOException {
        long started = System.nanoTime();
        Phantom phantom = PhantomGenerator.generate(size, size, slices, seed);
        err.printf(Locale.ROOT, "promptonce demo: phantom seed %d, %s, %dx%dx%d, target on slices %d..%d, "
                        + "%d distractor(s)%n", seed, phantom.shape().id() + "/" + phantom.modality().id(), size, size,
                slices, phantom.firstTargetSlice(), phantom.lastTargetSlice(), phantom.distractorCount());
        DemoRun.Result r;
        try (Segmenter segmenter = Segmenter.load(ModelChoice.resolve(model, err), options)) {
            err.printf(Locale.ROOT, "promptonce demo: model %s, %s%n", segmenter.arch(),
                    segmenter.runtimeDescription());
            if (segmenter.family() != io.github.promptonce.model.ModelManifest.Family.SAM2) {
                throw usage("--model " + model + " is a SAM (v1) model; the demo propagates with SAM 2's memory");
            }
            double floor;
            try {
                floor = ObjectScoreFloor.resolve(minObjectScore, segmenter.manifest());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            err.printf(Locale.ROOT, "promptonce demo: object-score floor %s%n", ObjectScoreFloor.describe(floor));
            r = DemoRun.run(segmenter, phantom, !noBaseline, PropagationOptions.defaults(), !noLargestComponent,
                    floor);
        }
        write(phantom, r, outputs);
        outputs.commit();
        o.printf(Locale.ROOT, "click (x=%d, y=%d) on slice %d; %d slices, the target on %d of them%n", r.click()[0],
                r.click()[1], r.click()[2], slices, phantom.lastTargetSlice() - phantom.firstTargetSlice() + 1);
        o.println(table(r));
        o.printf(Locale.ROOT, "wrote %s (%.1f s in all)%n", out, (System.nanoTime() - started) / 1e9);
        o.flush();
        return ExitCodes.OK;
    }

    static String table(DemoRun.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-32s %7s %9s %9s %10s %9s %9s%n", "method", "prompts", "3-D Dice",
                "Jaccard", "slice Dice", "FP slices", "s/slice"));
        for (DemoRun.Row row : r.perSlice() == null ? List.of(r.once()) : List.of(r.once(), r.perSlice())) {
            SegmentationScore s = row.score();
            sb.append(String.format(Locale.ROOT, "%-32s %7d %9.4f %9.4f %10.4f %9d %9.3f%n", row.method(),
                    row.prompts(), s.dice(), s.jaccard(), s.meanSliceDice(), s.falsePositiveSlices(),
                    row.secondsPerSlice()));
        }
        for (DemoRun.Row row : r.perSlice() == null ? List.of(r.once()) : List.of(r.once(), r.perSlice())) {
            List<Integer> fp = row.score().falsePositiveSliceIndices();
            if (!fp.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "false-positive slices of %s: %s%n", row.method(), fp));
            }
        }
        return sb.toString().stripTrailing();
    }

    private void write(Phantom phantom, DemoRun.Result r, OutputFiles outputs) throws IOException {
        outputs.write(out.resolve("input.nii.gz"), f -> NiftiWriter.write(phantom.volume(), f));
        outputs.write(out.resolve("truth.nii.gz"), f -> NiftiWriter.writeMask(phantom.truth(), f));
        outputs.write(out.resolve("mask.nii.gz"), f -> NiftiWriter.writeMask(r.once().mask(), f));
        if (r.perSlice() != null) {
            outputs.write(out.resolve("baseline-mask.nii.gz"), f -> NiftiWriter.writeMask(r.perSlice().mask(), f));
        }
        Map<Integer, List<Marker>> click = Map.of(r.click()[2],
                List.of(new Marker.Point(r.click()[0], r.click()[1], true)));
        outputs.write(out.resolve("montage.png"), f -> Overlays.writeMontage(phantom.volume(),
                phantom.suggestedWindow(), r.once().mask(), click, Axis.K, null, f, OverlayStyle.defaults()));
        outputs.writeString(out.resolve("per-slice.csv"), perSliceCsv(r));
    }

    static String perSliceCsv(DemoRun.Result r) {
        StringBuilder sb = new StringBuilder("slice,truth_voxels,once_voxels,once_dice,once_jaccard,once_status,"
                + "once_object_score,once_below_floor");
        if (r.perSlice() != null) {
            sb.append(",baseline_prompted,baseline_voxels,baseline_dice,baseline_jaccard,baseline_status");
        }
        sb.append('\n');
        List<SliceScore> once = r.once().score().slices();
        for (int k = 0; k < once.size(); k++) {
            SliceScore s = once.get(k);
            sb.append(k).append(',').append(s.truth()).append(',').append(s.predicted()).append(',')
                    .append(num(s.dice())).append(',').append(num(s.jaccard())).append(',')
                    .append(s.status().csvName()).append(',').append(score(r.objectScores()[k])).append(',')
                    .append(r.belowFloor(k) ? 1 : 0);
            if (r.perSlice() != null) {
                SliceScore b = r.perSlice().score().slices().get(k);
                sb.append(',').append(b.truth() > 0 ? 1 : 0).append(',').append(b.predicted()).append(',')
                        .append(num(b.dice())).append(',').append(num(b.jaccard())).append(',')
                        .append(b.status().csvName());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String score(float v) {
        return Float.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
