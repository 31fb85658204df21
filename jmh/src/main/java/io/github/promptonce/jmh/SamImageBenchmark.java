package io.github.promptonce.jmh;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One SAM (v1) image-mode slice, phase by phase, on either backend: the image encoder, the prompt encoder + mask
 * decoder for one positive click (multimask, as SamPredictor for a single click), and the whole slice (both in
 * sequence, as {@code Segmenter.encode} + {@code predict} run them).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar SamImage -p model=bench-models/sam_vit_b</pre>
 * {@code model} defaults to {@code bench-models/test-tiny-sam}; full-size exports: scripts/bench/export-bench-models.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class SamImageBenchmark {
    @Param({"native", "javacpp"})
    public String backend;

    @Param({"bench-models/test-tiny-sam"})
    public String model;

    @Param({"false"})
    public boolean optimize;

    /** cpu or cuda:N (the native backend on a CUDA build: scripts/gpu-check.sh). */
    @Param({"cpu"})
    public String device;

    private SamSlice slice;

    @Setup(Level.Trial)
    public void setUp() {
        TorchRuntime runtime = TorchRuntimes.get(Backend.parse(backend));
        slice = new SamSlice(runtime, Path.of(model), optimize, Device.parse(device));
    }

    @Benchmark
    public void imageEncoder() {
        slice.encode();
    }

    @Benchmark
    public void maskDecoder() {
        slice.decode();
    }

    /** The whole slice: encode, then decode one click. */
    @Benchmark
    public void slice() {
        slice.slice();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        slice.close();
    }
}
