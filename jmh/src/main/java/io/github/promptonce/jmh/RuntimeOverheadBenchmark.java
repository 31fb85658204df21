package io.github.promptonce.jmh;

import io.github.promptonce.Device;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.NativeRuntime;
import io.github.promptonce.runtime.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * What crossing into native code costs, so that binding overhead is known: a bare no-op downcall, a checked one
 * (error buffer in a per-call confined arena, as every real call has), and a 1×3×1024×1024 float32 tensor round
 * trip (a SAM input image in, then out).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar RuntimeOverhead</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RuntimeOverheadBenchmark {
    private static final long[] IMAGE_SHAPE = {1, 3, 1024, 1024};

    private NativeRuntime runtime;
    private float[] image;
    private float[] back;

    @Setup
    public void setUp() {
        runtime = NativeRuntime.get();
        image = new float[3 * 1024 * 1024];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i % 255) / 255f;
        }
        back = new float[image.length];
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int noopDowncall() {
        return runtime.noopUnchecked();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void noopCheckedCall() {
        runtime.noop();
    }

    /** Heap array → tensor (one memcpy, no intermediate buffer) → heap array. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] imageTensorRoundTrip() {
        try (Tensor t = runtime.tensor(MemorySegment.ofArray(image), DType.FLOAT32, IMAGE_SHAPE, Device.CPU)) {
            t.copyTo(MemorySegment.ofArray(back));
        }
        return back;
    }

    /** Native tensor filled and read in place through its zero-copy view. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] imageTensorZeroCopy() {
        try (Tensor t = runtime.empty(DType.FLOAT32, IMAGE_SHAPE, Device.CPU)) {
            MemorySegment data = t.data();
            MemorySegment.copy(MemorySegment.ofArray(image), 0, data, 0, data.byteSize());
            MemorySegment.copy(data, 0, MemorySegment.ofArray(back), 0, data.byteSize());
        }
        return back;
    }
}
