package io.github.promptonce.jmh;

import io.github.promptonce.Backend;
import io.github.promptonce.Device;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import io.github.promptonce.runtime.Values;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One SAM 2 video frame, phase by phase, on either backend: image encoder, memory attention over a full bank
 * (num_maskmem spatial memories and 16 object pointers), mask decoder ({@code track}), memory encoder, and the whole
 * frame (the four in sequence, as {@code Segmenter.track} runs them). Inputs are real encoder outputs of a random
 * image; the bank is filled with memories the memory encoder produced (stored as bfloat16, as promptonce does).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar Sam2Frame -p model=DIR</pre>
 * {@code model} defaults to {@code bench-models/test-tiny}; full-size exports: scripts/bench/export-bench-models.sh.
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

    private TorchRuntime runtime;
    private TorchModule encoder;
    private TorchModule attention;
    private TorchModule decoder;
    private TorchModule memoryEncoder;
    private Tensor image;
    private List<Tensor> features;
    private Tensor conditioned;
    private final List<Tensor> memories = new ArrayList<>();
    private long[] memoryTpos;
    private final List<Tensor> pointers = new ArrayList<>();
    private long[] pointerPositions;
    private Tensor coords;
    private Tensor labels;
    private Tensor highResMask;
    private Tensor score;

    @Setup(Level.Trial)
    public void setUp() {
        ModelManifest m = ModelManifest.read(Path.of(model));
        if (m.family() != ModelManifest.Family.SAM2) {
            throw new IllegalArgumentException(model + " is not a SAM 2 model");
        }
        runtime = TorchRuntimes.get(Backend.parse(backend));
        runtime.setThreads(Runtime.getRuntime().availableProcessors());
        encoder = runtime.load(m.component("image_encoder").file(), Device.CPU, false);
        attention = runtime.load(m.component("memory_attention").file(), Device.CPU, false);
        decoder = runtime.load(m.component("mask_decoder").file(), Device.CPU, false);
        memoryEncoder = runtime.load(m.component("memory_encoder").file(), Device.CPU, false);
        int s = m.imageSize();
        float[] px = new float[3 * s * s];
        Random r = new Random(0);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        image = runtime.tensor(px, 1, 3, s, s);
        features = Values.tensors(encoder.call("forward", image));
        coords = runtime.empty(DType.FLOAT32, new long[] {1, 0, 2}, Device.CPU);
        labels = runtime.empty(DType.INT32, new long[] {1, 0}, Device.CPU);
        score = runtime.tensor(new float[] {1f}, 1, 1);
        float[] mask = new float[s * s];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i % s < s / 2) ? 2f : -2f;
        }
        highResMask = runtime.tensor(mask, 1, 1, s, s);
        int numMaskmem = m.memoryConfig().numMaskmem();
        memoryTpos = new long[numMaskmem];
        for (int i = 0; i < numMaskmem; i++) {
            try (Tensor mem = (Tensor) memoryEncoder.call("forward", features.get(2), highResMask, score, false)) {
                memories.add(mem.to(Device.CPU, DType.BFLOAT16));
            }
            memoryTpos[i] = i; // t_pos 0 = the conditioning frame, 1..num_maskmem-1 the recent ones
        }
        Object out = decoder.call("track", noMemory(), features.get(0), features.get(1), coords, labels, null, true,
                true);
        List<Tensor> t = Values.tensors(out);
        int maxPointers = m.memoryConfig().maxObjPtrs();
        pointerPositions = new long[maxPointers];
        for (int i = 0; i < maxPointers; i++) {
            pointers.add(t.get(4).to(Device.CPU));
            pointerPositions[i] = i == 0 ? 8 : i; // the conditioning frame's pointer, then t_diff 1..15
        }
        Values.closeAll(out);
        conditioned = memoryAttention();
    }

    private Tensor noMemory() {
        return (Tensor) attention.call("no_memory", features.get(2));
    }

    private Tensor memoryAttention() {
        return (Tensor) attention.call("forward", features.get(2), memories, memoryTpos, pointers, pointerPositions,
                100L);
    }

    @Benchmark
    public void imageEncoder() {
        Values.closeAll(encoder.call("forward", image));
    }

    @Benchmark
    public void memoryAttentionFullBank() {
        memoryAttention().close();
    }

    @Benchmark
    public void maskDecoder() {
        Values.closeAll(decoder.call("track", conditioned, features.get(0), features.get(1), coords, labels, null, true,
                true));
    }

    @Benchmark
    public void memoryEncoder() {
        try (Tensor mem = (Tensor) memoryEncoder.call("forward", features.get(2), highResMask, score, false)) {
            mem.to(Device.CPU, DType.BFLOAT16).close();
        }
    }

    /** The whole tracked frame: encode, memory attention, decode, memory encode. */
    @Benchmark
    public void frame() {
        Object enc = encoder.call("forward", image);
        try {
            List<Tensor> f = Values.tensors(enc);
            try (Tensor pix = (Tensor) attention.call("forward", f.get(2), memories, memoryTpos, pointers,
                    pointerPositions, 100L)) {
                Object dec = decoder.call("track", pix, f.get(0), f.get(1), coords, labels, null, true, true);
                try {
                    List<Tensor> d = Values.tensors(dec);
                    try (Tensor mem = (Tensor) memoryEncoder.call("forward", f.get(2), d.get(3), d.get(5), false)) {
                        mem.to(Device.CPU, DType.BFLOAT16).close();
                    }
                } finally {
                    Values.closeAll(dec);
                }
            }
        } finally {
            Values.closeAll(enc);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Values.closeAll(features);
        Values.closeAll(memories);
        Values.closeAll(pointers);
        for (Tensor t : new Tensor[] {image, conditioned, coords, labels, highResMask, score}) {
            t.close();
        }
        for (TorchModule mod : new TorchModule[] {encoder, attention, decoder, memoryEncoder}) {
            mod.close();
        }
    }
}
