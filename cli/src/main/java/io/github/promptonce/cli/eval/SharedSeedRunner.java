package io.github.promptonce.cli.eval;

import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The shared-seed protocol (SAM 2): one prompt for the whole dataset per structure label, on the reference slice
 * ({@link SharedReference}); {@link Segmenter#propagateDataset} seeds both halves of each volume with its memory
 * and tracks from the volume's middle slice ({@code slices / 2}, the paper's rule; no truth of the volume is used).
 * The reference volume counts the prompt, every other volume 0. Time: the wall time of the call (it includes
 * encoding and prompting the reference once) per segmented slice.
 */
final class SharedSeedRunner {
    private SharedSeedRunner() {
    }

    static List<Outcome> run(Segmenter segmenter, String volume, SliceSource source, List<Structure> structures,
                             Function<String, SharedReference> referenceOf) {
        List<Outcome> out = new ArrayList<>();
        for (Structure s : structures) {
            SharedReference ref = referenceOf.apply(s.label());
            boolean isReference = ref.volume().equals(volume);
            long t0 = System.nanoTime();
            VolumeSegmentation v = segmenter.propagateDataset(ref.image(), ref.prompt(), List.of(source),
                    PropagationOptions.defaults()).get(0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.add(new Outcome(s, v.mask(1), "halves", isReference ? 1 : 0,
                    isReference ? Set.of(ref.slice()) : Set.of(), null, seconds, v.slicesSegmented(1),
                    source.sliceCount() / 2, ref.id()));
        }
        return out;
    }
}
