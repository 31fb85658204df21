package io.github.promptonce.cli.eval;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Prompts;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The seed protocol (SAM 2): one prompt per structure and volume, {@link Prompts#fromMask} of the truth on the
 * seed slice ({@link SeedRule}), propagated through the volume ({@link PropagationMode#BOTH} or
 * {@link PropagationMode#HALVES}). Each structure propagates on its own; its time is the wall time of
 * {@link Segmenter#propagate} (the prompt is derived before the clock starts).
 */
final class SeedRunner {
    private SeedRunner() {
    }

    static List<Outcome> run(Segmenter segmenter, SliceSource source, List<Structure> structures, PropagationMode mode,
                             SeedRule rule) {
        List<Outcome> out = new ArrayList<>();
        PropagationOptions options = PropagationOptions.defaults().withMode(mode);
        for (Structure s : structures) {
            int seed = rule.seed(s.slices(), source.sliceCount());
            Prompt prompt = Prompts.fromMask(s.sliceMask(seed), source.width(), source.height());
            long t0 = System.nanoTime();
            VolumeSegmentation v = segmenter.propagate(source, List.of(new ObjectPrompt(1, seed, prompt)), options);
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.add(new Outcome(s, v.mask(1), mode.name().toLowerCase(Locale.ROOT), v.promptsUsed(), Set.of(seed),
                    null, seconds, v.slicesSegmented(1), seed, ""));
        }
        return out;
    }
}
