package io.github.promptonce.jmh;

import io.github.promptonce.base.Device;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.NativeRuntime;
import io.github.promptonce.runtime.Tensor;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * What crossing into native code costs on each LibTorch backend ({@code backend} = {@code native} or
 * {@code javacpp}; every combination runs in its own forked JVM, as one JVM holds one backend):
 * <ul>
 *   <li>{@code cheapestCall}: the cheapest call into native code. Native: a bare no-op downcall ({@code po_noop}
 *       through a Panama downcall handle). JavaCPP: {@code at::Tensor::dim()} on a held tensor (one JNI call, the
 *       cheapest the presets offer; there is no no-op);</li>
 *   <li>{@code imageTensorRoundTrip}: a 1×3×1024×1024 float32 tensor (a SAM input image) in from a heap array, then
 *       out into one;</li>
 *   <li>{@code imageTensorZeroCopy}: the same through the tensor's zero-copy data view.</li>
 * </ul>
 * The checked no-op call of the native layer is in {@link NativeDowncallBenchmark}.
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

    @Param({"native", "javacpp"})
    public String backend;

    private TorchRuntime runtime;
    private NativeRuntime nativeRuntime;
    private org.bytedeco.pytorch.Tensor javacppTensor;
    private float[] image;
    private float[] back;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = TorchRuntimes.get(backend);
        if (runtime instanceof NativeRuntime n) {
            nativeRuntime = n;
        } else {
            // after TorchRuntimes loaded the javacpp backend (and claimed the JVM for it)
            javacppTensor = org.bytedeco.pytorch.global.torch.empty(1);
        }
        image = new float[3 * 1024 * 1024];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i % 255) / 255f;
        }
        back = new float[image.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (javacppTensor != null) {
            javacppTensor.deallocate();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long cheapestCall() {
        return nativeRuntime != null ? nativeRuntime.noopUnchecked() : javacppTensor.dim();
    }

    /** Heap array → tensor (one bulk copy, no intermediate buffer) → heap array. */
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
