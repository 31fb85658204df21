package io.github.promptonce.jmh;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Java side of a propagated slice: a tiny model (128 px, a few ms of LibTorch per slice) on large slices
 * (512²), so that windowing, preprocessing, result handling and upsampling weigh most. Per slice: propagate, then
 * read each result as a caller does (mask, logits, emptiness). Written against the API the library has had since
 * before the one-way core, so the same file runs on both commits: {@code scripts/bench/java-overhead.sh} measures
 * before and after, with {@code -prof gc} for the bytes allocated per slice (deterministic, unlike the time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class PropagationOverheadBenchmark {
    private static final int SLICES = 8;

    @Param({"bench-models/test-tiny"})
    public String model;

    @Param({"512"})
    public int size;

    private Segmenter segmenter;
    private SliceSource source;
    private List<ObjectPrompt> prompts;

    @Setup(Level.Trial)
    public void setUp() {
        segmenter = Segmenter.load(Path.of(model));
        Phantom phantom = PhantomGenerator.generate(size, size, SLICES, 1);
        source = SliceSource.of(phantom.volume(), phantom.suggestedWindow());
        int[] click = phantom.promptPoint(); // at the middle of the target's extent
        int slice = (phantom.firstTargetSlice() + phantom.lastTargetSlice()) / 2;
        prompts = List.of(new ObjectPrompt(1, slice, Prompt.point(click[0], click[1])));
    }

    /** One propagated slice, its result read as mask, logits and emptiness. */
    @Benchmark
    @OperationsPerInvocation(SLICES)
    public long slice() {
        VolumeSegmentation v = segmenter.propagate(source, prompts, PropagationOptions.defaults());
        long sum = 0;
        for (int k = 0; k < SLICES; k++) {
            SliceResult r = v.result(1, k);
            sum += r.mask().length + r.logits().length + (r.isEmpty() ? 0 : 1);
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        segmenter.close();
    }
}
