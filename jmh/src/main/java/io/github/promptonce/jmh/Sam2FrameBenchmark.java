package io.github.promptonce.jmh;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One SAM 2 video frame, phase by phase, on either backend: image encoder, memory attention over a full bank
 * (num_maskmem spatial memories and 16 object pointers), mask decoder ({@code track}), memory encoder, and the whole
 * frame (the four in sequence, as {@code Segmenter.track} runs them), and the frame of a pipelined propagation
 * (the next slice encoded on a second thread meanwhile, the threads split between the two). Inputs are real
 * encoder outputs of a random image; the bank is filled with memories the memory encoder produced (stored as
 * bfloat16, as promptonce does).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar Sam2Frame -p model=DIR</pre>
 * {@code model} defaults to {@code bench-models/test-tiny}; full-size exports: scripts/bench/export-bench-models.sh.
 * {@code -p optimize=false,true} also measures the modules frozen and optimised for inference at load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class Sam2FrameBenchmark {
    @Param({"native", "javacpp"})
    public String backend;

    @Param({"bench-models/test-tiny"})
    public String model;

    @Param({"false"})
    public boolean optimize;

    /** cpu or cuda:N (the native backend on a CUDA build: scripts/gpu-check.sh). */
    @Param({"cpu"})
    public String device;

    /** fp32, or bf16 (the bfloat16 variants of the image encoder and memory attention). */
    @Param({"fp32"})
    public String precision;

    private Sam2Frame frame;
    private TorchRuntime runtime;
    private int threads;
    private ExecutorService nextSlice;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = TorchRuntimes.get(Backend.parse(backend));
        threads = TorchRuntimes.processThreads(); // the process-wide count TorchRuntimes.get has set
        int ahead = Math.max(1, threads / 2);
        nextSlice = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                runtime.setThreadsHere(ahead); // as the library's encode-ahead thread: half the threads, its own
                r.run();
            }, "next-slice-encoder");
            t.setDaemon(true);
            return t;
        });
        frame = new Sam2Frame(runtime, Path.of(model), optimize, Device.parse(device), Precision.parse(precision));
    }

    @Benchmark
    public void imageEncoder() {
        frame.imageEncoder();
    }

    @Benchmark
    public void memoryAttentionFullBank() {
        frame.memoryAttentionFullBank();
    }

    @Benchmark
    public void maskDecoder() {
        frame.maskDecoder();
    }

    @Benchmark
    public void memoryEncoder() {
        frame.memoryEncoder();
    }

    /** The whole tracked frame: encode, memory attention, decode, memory encode. */
    @Benchmark
    public void frame() {
        frame.frame();
    }

    /**
     * The tracked frame of a pipelined propagation, as the library runs it by default (encode-ahead): the next
     * slice's encoder on a second thread with half the threads, concurrently with this frame's memory work on the
     * other half (compare with {@link #frame()}, all threads, one stream, in the same run).
     */
    @Benchmark
    public void framePipelined() {
        runtime.setThreadsHere(Math.max(1, threads - threads / 2));
        try {
            frame.framePipelined(nextSlice);
        } finally {
            runtime.setThreadsHere(threads);
        }
    }

    /**
     * {@link #framePipelined()} as the library ran it before the one-way core: OpenBLAS's process-wide pool split to
     * half for the pass (and restored), as if no other pass ran. The library no longer changes process-wide counts
     * per pass; this keeps the comparison measurable.
     */
    @Benchmark
    public void framePipelinedSplitBlas() {
        int half = Math.max(1, threads - threads / 2);
        runtime.setThreadsHere(half);
        runtime.setProcessThreads(half, half);
        try {
            frame.framePipelined(nextSlice);
        } finally {
            runtime.setProcessThreads(threads, TorchRuntimes.blasThreads());
            runtime.setThreadsHere(threads);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nextSlice.shutdownNow();
        frame.close();
    }
}
