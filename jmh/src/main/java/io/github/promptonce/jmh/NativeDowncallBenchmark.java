package io.github.promptonce.jmh;

import io.github.promptonce.base.Backend;
import io.github.promptonce.runtime.NativeRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
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

import java.util.concurrent.TimeUnit;

/**
 * The native backend only: a bare no-op downcall and a checked one (error buffer in a per-call confined arena, as
 * every real call of the native layer has). The javacpp backend has no such call; see
 * {@link RuntimeOverheadBenchmark#cheapestCall()} for the comparison of both backends.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar NativeDowncall</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NativeDowncallBenchmark {
    private NativeRuntime runtime;

    @Setup
    public void setUp() {
        runtime = (NativeRuntime) TorchRuntimes.get(Backend.NATIVE);
    }

    @Benchmark
    public int noopDowncall() {
        return runtime.noopUnchecked();
    }

    @Benchmark
    public void noopCheckedCall() {
        runtime.noop();
    }
}
