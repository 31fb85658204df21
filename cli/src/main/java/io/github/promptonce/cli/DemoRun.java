package io.github.promptonce.cli;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.cli.eval.Outcome;
import io.github.promptonce.cli.eval.PerSliceRunner;
import io.github.promptonce.cli.eval.Structure;
import io.github.promptonce.metrics.Metrics;
import io.github.promptonce.metrics.SegmentationScore;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.volume.VolumeMask;
import java.util.List;

/**
 * The demo's measurements on one phantom: SAM 2 prompted once (one click at the target's centre on its middle
 * slice, propagated both ways) and, optionally, the per-slice image-mode baseline.
 */
final class DemoRun {
    /** One row of the demo's table. */
    record Row(String method, int prompts, int slicesRun, double seconds, SegmentationScore score, VolumeMask mask) {
        double secondsPerSlice() {
            return slicesRun == 0 ? Double.NaN : seconds / slicesRun;
        }
    }

    /**
     * The click ({x, y, slice}) and the rows: prompt once first, then the baseline (null when skipped); the
     * prompt-once track's object score per slice (NaN where the model has none) and the floor applied to it
     * ({@code -Infinity}: none).
     */
    record Result(int[] click, Row once, Row perSlice, float[] objectScores, double minObjectScore) {
        /** Whether the floor left slice {@code k} empty (VolumeSegmentation.mask(id, floor)'s rule). */
        boolean belowFloor(int k) {
            return objectScores[k] < minObjectScore;
        }
    }

    private DemoRun() {
    }

    /**
     * @param largestComponent the demo's post-processing of each row's volume mask, which removes specks beside the
     *                         object: its largest 26-connected component ({@link VolumeSegmentation#largestComponent}),
     *                         then the largest 8-connected region of each slice
     *                         ({@link VolumeSegmentation#largestComponentPerSlice}: a phantom's target is one region
     *                         in every slice), as {@code segment --largest-component --largest-component-per-slice}
     * @param minObjectScore   slices of the prompt-once row scored below it are left empty before that
     *                         ({@link VolumeSegmentation#mask(int, double)}; {@code -Infinity}: none). The baseline
     *                         row is prompted only where the target is, so it has no track to end.
     */
    static Result run(Segmenter segmenter, Phantom phantom, boolean baseline, PropagationOptions options,
                      boolean largestComponent, double minObjectScore) {
        VolumeMask truth = phantom.truth();
        SliceSource source = SliceSource.of(phantom.volume(), phantom.suggestedWindow());
        int[] click = phantom.promptPoint();
        // integer pixel coordinates, as the training's clicks (models/train_default.py)
        Prompt prompt = Prompt.point(click[0], click[1]);
        long t0 = System.nanoTime();
        VolumeSegmentation v = segmenter.propagate(source,
                List.of(new ObjectPrompt(1, click[2], prompt)), options.withMode(PropagationMode.BOTH));
        double seconds = (System.nanoTime() - t0) / 1e9;
        VolumeMask onceMask = VolumeMask.of(post(v.mask(1, minObjectScore), truth, largestComponent), truth.nx(),
                truth.ny(), truth.nz(), truth.geometry());
        Row once = new Row("prompt once (SAM 2 memory)", v.promptsUsed(), v.slicesSegmented(1), seconds,
                Metrics.compare(truth, onceMask), onceMask);
        Row perSlice = null;
        if (baseline) {
            // the per-slice protocol of eval: image mode, a prompt from the truth on every slice with the target
            Outcome b = PerSliceRunner.run(segmenter, source, List.of(new Structure("target", truth))).get(0);
            VolumeMask m = VolumeMask.of(post(b.predicted(), truth, largestComponent), truth.nx(), truth.ny(),
                    truth.nz(), truth.geometry());
            perSlice = new Row("per-slice prompts (image mode)", b.prompts(), b.slicesProcessed(), b.seconds(),
                    Metrics.compare(truth, m), m);
        }
        return new Result(click, once, perSlice, v.objectScores(1), minObjectScore);
    }

    private static byte[] post(byte[] mask, VolumeMask grid, boolean largestComponent) {
        if (!largestComponent) {
            return mask;
        }
        byte[] body = VolumeSegmentation.largestComponent(mask, grid.nx(), grid.ny(), grid.nz());
        return VolumeSegmentation.largestComponentPerSlice(body, grid.nx(), grid.ny(), grid.nz());
    }
}
