package io.github.promptonce.jmh;

import io.github.promptonce.base.Device;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.Values;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One SAM 2 video frame over a full memory bank, phase by phase, on the module level (as {@code Segmenter.track}
 * runs it): image encoder, memory attention over num_maskmem spatial memories and max_obj_ptrs object pointers,
 * mask decoder ({@code track}), memory encoder (+ the bfloat16 store). Inputs are real encoder outputs of a
 * random image; the bank holds memories the memory encoder produced. Shared by the JMH benchmarks.
 */
final class Sam2Frame implements AutoCloseable {
    private final TorchModule encoder;
    private final TorchModule attention;
    private final TorchModule decoder;
    private final TorchModule memoryEncoder;
    private final Tensor image;
    private final List<Tensor> features;
    private final Tensor conditioned;
    private final List<Tensor> memories = new ArrayList<>();
    private final long[] memoryTpos;
    private final List<Tensor> pointers = new ArrayList<>();
    private final long[] pointerPositions;
    private final Tensor coords;
    private final Tensor labels;
    private final Tensor highResMask;
    private final Tensor score;

    private final Device device;

    Sam2Frame(TorchRuntime runtime, Path model, boolean optimize) {
        this(runtime, model, optimize, Device.CPU);
    }

    /** On {@code device}: the modules, the inputs and the bank live there (CUDA: a frame ends by reading the
     * object score and the low-res mask back, as {@code Segmenter} does, which waits for the GPU). */
    Sam2Frame(TorchRuntime runtime, Path model, boolean optimize, Device device) {
        this.device = device;
        ModelManifest m = ModelManifest.read(model);
        if (m.family() != ModelManifest.Family.SAM2) {
            throw new IllegalArgumentException(model + " is not a SAM 2 model");
        }
        encoder = runtime.load(m.component("image_encoder").file(), device, optimize);
        attention = runtime.load(m.component("memory_attention").file(), device, optimize);
        decoder = runtime.load(m.component("mask_decoder").file(), device, optimize);
        memoryEncoder = runtime.load(m.component("memory_encoder").file(), device, optimize);
        int s = m.imageSize();
        image = SamSlice.onDevice(runtime.tensor(SamSlice.randomImage(s), 1, 3, s, s), device);
        features = Values.tensors(encoder.call("forward", image));
        coords = runtime.empty(DType.FLOAT32, new long[] {1, 0, 2}, device);
        labels = runtime.empty(DType.INT32, new long[] {1, 0}, device);
        score = SamSlice.onDevice(runtime.tensor(new float[] {1f}, 1, 1), device);
        float[] mask = new float[s * s];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i % s < s / 2) ? 2f : -2f;
        }
        highResMask = SamSlice.onDevice(runtime.tensor(mask, 1, 1, s, s), device);
        int numMaskmem = m.memoryConfig().numMaskmem();
        memoryTpos = new long[numMaskmem];
        for (int i = 0; i < numMaskmem; i++) {
            try (Tensor mem = (Tensor) memoryEncoder.call("forward", features.get(2), highResMask, score, false)) {
                memories.add(mem.to(device, DType.BFLOAT16));
            }
            memoryTpos[i] = i; // t_pos 0 = the conditioning frame, 1..num_maskmem-1 the recent ones
        }
        Object out;
        try (Tensor noMemory = (Tensor) attention.call("no_memory", features.get(2))) {
            out = decoder.call("track", noMemory, features.get(0), features.get(1), coords, labels, null, true, true);
        }
        List<Tensor> t = Values.tensors(out);
        int maxPointers = m.memoryConfig().maxObjPtrs();
        pointerPositions = new long[maxPointers];
        for (int i = 0; i < maxPointers; i++) {
            pointers.add(t.get(4).to(device));
            pointerPositions[i] = i == 0 ? 8 : i; // the conditioning frame's pointer, then t_diff 1..15
        }
        Values.closeAll(out);
        conditioned = memoryAttention();
    }

    private Tensor memoryAttention() {
        return (Tensor) attention.call("forward", features.get(2), memories, memoryTpos, pointers, pointerPositions,
                100L);
    }

    void imageEncoder() {
        Values.closeAll(encoder.call("forward", image));
        sync();
    }

    void memoryAttentionFullBank() {
        memoryAttention().close();
        sync();
    }

    void maskDecoder() {
        Values.closeAll(decoder.call("track", conditioned, features.get(0), features.get(1), coords, labels, null, true,
                true));
        sync();
    }

    void memoryEncoder() {
        try (Tensor mem = (Tensor) memoryEncoder.call("forward", features.get(2), highResMask, score, false)) {
            mem.to(device, DType.BFLOAT16).close();
        }
        sync();
    }

    /** On a GPU, wait for the queued work (reading a value back); nothing to do on the CPU. */
    private void sync() {
        if (device.kind() == Device.Kind.CUDA) {
            try (Tensor probe = score.to(Device.CPU)) {
                probe.toFloatArray();
            }
        }
    }

    /** The whole tracked frame: encode, memory attention, decode, memory encode. */
    void frame() {
        Object enc = encoder.call("forward", image);
        try {
            trackEncoded(Values.tensors(enc));
        } finally {
            Values.closeAll(enc);
        }
    }

    /**
     * A tracked frame in the steady state of a pipelined propagation: the next slice's image encoder runs on
     * {@code next} (another thread) while this frame's memory attention, decoder and memory encoder run here on
     * features encoded earlier. Per frame it costs the longer of the two, plus what they slow each other down.
     */
    void framePipelined(ExecutorService next) {
        Future<?> encoding = next.submit(() -> Values.closeAll(encoder.call("forward", image)));
        try {
            trackEncoded(features);
        } finally {
            try {
                encoding.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the next slice was encoded", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("encoding the next slice failed", e.getCause());
            }
        }
    }

    /** Memory attention over the full bank, decode, memory encode (+ the bfloat16 store) on encoded features. */
    private void trackEncoded(List<Tensor> f) {
        try (Tensor pix = (Tensor) attention.call("forward", f.get(2), memories, memoryTpos, pointers,
                pointerPositions, 100L)) {
            Object dec = decoder.call("track", pix, f.get(0), f.get(1), coords, labels, null, true, true);
            try {
                List<Tensor> d = Values.tensors(dec);
                try (Tensor mem = (Tensor) memoryEncoder.call("forward", f.get(2), d.get(3), d.get(5), false)) {
                    mem.to(device, DType.BFLOAT16).close();
                }
                if (device.kind() == Device.Kind.CUDA) {
                    d.get(5).toFloatArray(); // as Segmenter.store: object score and low-res mask to Java
                    d.get(2).toFloatArray();
                }
            } finally {
                Values.closeAll(dec);
            }
        }
    }

    @Override
    public void close() {
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
