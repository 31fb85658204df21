package io.github.promptonce.jmh;

import io.github.promptonce.base.Backend;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The SAM vs SAM 2 time gap on a matched pair, in one JMH run: a SAM (v1) image-mode slice (encode + decode one
 * click) against a SAM 2 video frame over a full memory bank (encode + memory attention + decode + memory encode).
 * Pairs: {@code tiny} = sam_vit_b vs sam2.1_hiera_t, {@code large} = sam_vit_l vs sam2.1_hiera_l (the paper's
 * pair), {@code test} = test-tiny-sam vs test-tiny (a quick check that it runs). Each fork loads only the model its
 * benchmark needs. scripts/bench/sam2-vs-sam.sh exports the models, runs this and prints the SAM 2 / SAM ratio.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar Sam2VsSam -p pair=tiny</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class Sam2VsSamBenchmark {
    @Param({"native", "javacpp"})
    public String backend;

    @Param({"tiny"})
    public String pair;

    /** The folder holding the exports (named by arch, as scripts/bench/export-bench-models.sh writes them). */
    @Param({"bench-models"})
    public String models;

    @Param({"false"})
    public boolean optimize;

    private SamSlice sam;
    private Sam2Frame sam2;

    /** The SAM (v1) and SAM 2 archs of a pair. */
    static String[] archs(String pair) {
        return switch (pair) {
            case "tiny" -> new String[] {"sam_vit_b", "sam2.1_hiera_t"};
            case "large" -> new String[] {"sam_vit_l", "sam2.1_hiera_l"};
            case "test" -> new String[] {"test-tiny-sam", "test-tiny"};
            default -> throw new IllegalArgumentException("pair " + pair + ": expected tiny, large or test");
        };
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        TorchRuntime runtime = TorchRuntimes.get(Backend.parse(backend));
        String[] a = archs(pair);
        if (params.getBenchmark().endsWith(".samImageSlice")) {
            sam = new SamSlice(runtime, Path.of(models, a[0]), optimize);
        } else {
            sam2 = new Sam2Frame(runtime, Path.of(models, a[1]), optimize);
        }
    }

    /** SAM image mode, per slice: encode + decode one click. */
    @Benchmark
    public void samImageSlice() {
        sam.slice();
    }

    /** SAM 2 video mode, per frame over a full bank: encode + memory attention + decode + memory encode. */
    @Benchmark
    public void sam2VideoFrame() {
        sam2.frame();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sam != null) {
            sam.close();
        }
        if (sam2 != null) {
            sam2.close();
        }
    }
}
