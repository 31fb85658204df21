package io.github.promptonce.jmh;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.Values;
import io.github.promptonce.sam.MemoryAttention;
import io.github.promptonce.sam.MemoryEncoder;
import io.github.promptonce.sam.PromptTensors;
import io.github.promptonce.sam.Sam2Features;
import io.github.promptonce.sam.Sam2ImageEncoder;
import io.github.promptonce.sam.Sam2MaskDecoder;
import io.github.promptonce.sam.TrackOutput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One SAM 2 video frame over a full memory bank, phase by phase, on the SAM layer's typed components (as
 * {@code Sam2Tracker.track} runs it): image encoder, memory attention over num_maskmem spatial memories and max_obj_ptrs object pointers,
 * mask decoder ({@code track}), memory encoder (+ the bfloat16 store). Inputs are real encoder outputs of a
 * random image; the bank holds memories the memory encoder produced. Shared by the JMH benchmarks.
 */
final class Sam2Frame implements AutoCloseable {
    private final Sam2ImageEncoder encoder;
    private final MemoryAttention attention;
    private final Sam2MaskDecoder decoder;
    private final MemoryEncoder memoryEncoder;
    private final Tensor image;
    private final Sam2Features features;
    private final Tensor conditioned;
    private final List<Tensor> memories = new ArrayList<>();
    private final long[] memoryTpos;
    private final List<Tensor> pointers = new ArrayList<>();
    private final long[] pointerPositions;
    private final PromptTensors noPrompt;
    private final Tensor highResMask;
    private final Tensor score;

    private final Device device;

    Sam2Frame(TorchRuntime runtime, Path model, boolean optimize) {
        this(runtime, model, optimize, Device.CPU);
    }

    /** On {@code device}: the modules, the inputs and the bank live there (CUDA: a frame ends by reading the
     * object score and the low-res mask back, as {@code Segmenter} does, which waits for the GPU). */
    Sam2Frame(TorchRuntime runtime, Path model, boolean optimize, Device device) {
        this(runtime, model, optimize, device, Precision.FP32);
    }

    /** At {@code precision} (FP32 or BF16: the bfloat16 variants of the image encoder and memory attention). */
    Sam2Frame(TorchRuntime runtime, Path model, boolean optimize, Device device, Precision precision) {
        this.device = device;
        if (precision == Precision.AUTO) {
            throw new IllegalArgumentException("benchmark precision must be fp32 or bf16, not auto");
        }
        ModelManifest m = ModelManifest.read(model);
        if (m.family() != ModelManifest.Family.SAM2) {
            throw new IllegalArgumentException(model + " is not a SAM 2 model");
        }
        if (precision == Precision.BF16 && !m.hasBfloat16()) {
            throw new IllegalArgumentException(model + " has no bfloat16 variants: re-export it (models/export.py)");
        }
        encoder = new Sam2ImageEncoder(runtime.load(m.component("image_encoder").file(precision), device, optimize));
        attention = new MemoryAttention(runtime.load(m.component("memory_attention").file(precision), device,
                optimize));
        decoder = new Sam2MaskDecoder(runtime.load(m.component("mask_decoder").file(precision), device, optimize));
        memoryEncoder = new MemoryEncoder(runtime.load(m.component("memory_encoder").file(precision), device,
                optimize));
        int s = m.imageSize();
        image = SamSlice.onDevice(runtime.tensor(SamSlice.randomImage(s), 1, 3, s, s), device);
        features = encoder.encode(image);
        noPrompt = new PromptTensors(runtime.empty(DType.FLOAT32, new long[] {1, 0, 2}, device),
                runtime.empty(DType.INT32, new long[] {1, 0}, device), null);
        score = SamSlice.onDevice(runtime.tensor(new float[] {1f}, 1, 1), device);
        float[] mask = new float[s * s];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i % s < s / 2) ? 2f : -2f;
        }
        highResMask = SamSlice.onDevice(runtime.tensor(mask, 1, 1, s, s), device);
        int numMaskmem = m.memoryConfig().numMaskmem();
        memoryTpos = new long[numMaskmem];
        for (int i = 0; i < numMaskmem; i++) {
            try (Tensor mem = memoryEncoder.encode(features.visionFeatures(), highResMask, score, false)) {
                memories.add(mem.to(device, DType.BFLOAT16));
            }
            memoryTpos[i] = i; // t_pos 0 = the conditioning frame, 1..num_maskmem-1 the recent ones
        }
        int maxPointers = m.memoryConfig().maxObjPtrs();
        pointerPositions = new long[maxPointers];
        try (Tensor noMemory = attention.noMemory(features.visionFeatures());
             TrackOutput out = decoder.track(noMemory, features, noPrompt, null, true, true)) {
            for (int i = 0; i < maxPointers; i++) {
                pointers.add(out.objectPointer().to(device));
                pointerPositions[i] = i == 0 ? 8 : i; // the conditioning frame's pointer, then t_diff 1..15
            }
        }
        conditioned = memoryAttention();
    }

    private Tensor memoryAttention() {
        return attention.condition(features.visionFeatures(), memories, memoryTpos, pointers, pointerPositions, 100L);
    }

    void imageEncoder() {
        encoder.encode(image).close();
        sync();
    }

    void memoryAttentionFullBank() {
        memoryAttention().close();
        sync();
    }

    void maskDecoder() {
        decoder.track(conditioned, features, noPrompt, null, true, true).close();
        sync();
    }

    void memoryEncoder() {
        try (Tensor mem = memoryEncoder.encode(features.visionFeatures(), highResMask, score, false)) {
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
        try (Sam2Features f = encoder.encode(image)) {
            trackEncoded(f);
        }
    }

    /**
     * A tracked frame in the steady state of a pipelined propagation: the next slice's image encoder runs on
     * {@code next} (another thread) while this frame's memory attention, decoder and memory encoder run here on
     * features encoded earlier. Per frame it costs the longer of the two, plus what they slow each other down.
     */
    void framePipelined(ExecutorService next) {
        Future<?> encoding = next.submit(() -> encoder.encode(image).close());
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
    private void trackEncoded(Sam2Features f) {
        try (Tensor pix = attention.condition(f.visionFeatures(), memories, memoryTpos, pointers, pointerPositions,
                100L);
             TrackOutput d = decoder.track(pix, f, noPrompt, null, true, true)) {
            try (Tensor mem = memoryEncoder.encode(f.visionFeatures(), d.highResMask(), d.objectScore(), false)) {
                mem.to(device, DType.BFLOAT16).close();
            }
            if (device.kind() == Device.Kind.CUDA) {
                d.score(); // as Sam2Tracker: object score and low-res mask to Java (waits for the GPU)
                d.lowResMask().toFloatArray();
            }
        }
    }

    @Override
    public void close() {
        features.close();
        Values.closeAll(memories);
        Values.closeAll(pointers);
        noPrompt.close();
        for (Tensor t : new Tensor[] {image, conditioned, highResMask, score}) {
            t.close();
        }
        encoder.close();
        attention.close();
        decoder.close();
        memoryEncoder.close();
    }
}
