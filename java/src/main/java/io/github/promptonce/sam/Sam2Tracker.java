package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.memory.MemorySelection;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * SAM 2's video steps on one object's {@link MemoryState}, as the official {@code SAM2VideoPredictor}: prompting a
 * frame ({@code add_new_points_or_box}) and tracking a frame (a step of {@code propagate_in_video}). Thread-safe
 * (stateless beyond the model); a memory state is used by one thread at a time. Mask tensors stay native from the
 * decoder to the bank; only the low-resolution logits are read out, once, for the result and hole filling.
 */
public final class Sam2Tracker {
    private final Sam2Model model;
    private final TrackingRules rules;
    private final boolean fillHoles;

    /** @param fillHoles apply SAM 2's {@code fill_hole_area} to the stored and returned masks */
    public Sam2Tracker(Sam2Model model, boolean fillHoles) {
        this.model = model;
        this.rules = model.rules();
        this.fillHoles = fillHoles;
    }

    public Sam2Model model() {
        return model;
    }

    /** A new memory for one object over {@code numFrames} frames. */
    public MemoryState newMemory(int numFrames, boolean keepAll) {
        return new MemoryState(rules.memory(), numFrames, keepAll);
    }

    /**
     * Prompts a frame: it becomes a conditioning frame. A frame never tracked before is segmented without memory; a
     * frame already tracked (a correction) with the memory, as tracked in its recorded direction, and its previous
     * mask (clamped) as the mask prompt.
     */
    public MaskPrediction prompt(MemoryState bank, int frame, Sam2EncodedImage image, PromptPoints prompt) {
        boolean initial = !bank.wasVisited(frame);
        boolean reverse = !initial && bank.visitedInReverse(frame);
        FrameMemory previous = bank.get(frame);
        boolean multimask = rules.multimask(initial, prompt.pointCount());
        try (Tensor conditioned = initial ? null : conditioned(bank, frame, reverse, image);
             PromptTensors p = model.prompt(prompt, image.width(), image.height());
             Tensor previousMask = previous == null ? null : clamped(previous.lowResMasks())) {
            TrackOutput out = model.maskDecoder().track(initial ? image.noMemoryEmbed() : conditioned,
                    image.features(), p, previousMask, multimask, rules.stabilityFallback());
            return store(bank, frame, out, image.features(), true, reverse);
        }
    }

    /**
     * Tracks the object onto {@code frame}: memory attention over the frames the official policy selects, the
     * decoder without prompt, then the new memory. A conditioning frame returns its stored result.
     */
    public MaskPrediction track(MemoryState bank, int frame, Sam2EncodedImage image, boolean reverse) {
        if (bank.isConditioning(frame)) {
            bank.markVisited(frame, reverse);
            return stored(bank.get(frame));
        }
        try (Tensor conditioned = conditioned(bank, frame, reverse, image); PromptTensors p = model.noPrompt()) {
            TrackOutput out = model.maskDecoder().track(conditioned, image.features(), p, null,
                    rules.multimask(false, 0), rules.stabilityFallback());
            return store(bank, frame, out, image.features(), false, reverse);
        }
    }

    /** The stored result of a frame (e.g. a conditioning frame reused by a pass). */
    public MaskPrediction stored(FrameMemory m) {
        int l = (int) m.lowResMasks().shape()[3]; // [1, 1, L, L]
        return new MaskPrediction(m.lowResMasks().toFloatArray(), l, m.iou(), m.objectScore());
    }

    /**
     * Fills small holes, encodes the memory and stores the frame. The decoder's low-res tensor is kept as it is
     * unless hole filling changed it.
     */
    private MaskPrediction store(MemoryState bank, int frame, TrackOutput out, Sam2Features f, boolean fromPrompt,
                                 boolean reverse) {
        TorchRuntime runtime = model.runtime;
        Device device = model.device;
        try (out) {
            float score = out.score();
            float iou = out.bestIou();
            float[] low = out.lowResMask().toFloatArray();
            int l = (int) out.lowResMask().shape()[3];
            boolean filled = fillHoles && ImageOps.fillHoles(low, l, l, rules.fillHoleArea()) > 0;
            Tensor lowT = filled
                    ? runtime.tensor(MemorySegment.ofArray(low), DType.FLOAT32, new long[] {1, 1, l, l}, device)
                    : out.lowResMask().to(device); // a new handle on the same storage: no copy
            Tensor memory = null;
            Tensor pointer = null;
            try {
                // prompted frames: memory from the (hole-filled) low-res mask, binarised
                // (propagate_in_video_preflight); tracked frames: from the high-res mask through a sigmoid
                // (_encode_new_memory)
                try (Tensor m = model.memoryEncoder().encode(f.visionFeatures(), fromPrompt ? lowT
                        : out.highResMask(), out.objectScore(), fromPrompt && rules.binarizeFromPoints())) {
                    memory = m.to(device, DType.BFLOAT16); // the official store keeps memories in bfloat16
                }
                pointer = out.objectPointer().to(device);
                FrameMemory fm = new FrameMemory(memory, pointer, lowT, score, iou);
                if (fromPrompt) {
                    bank.putConditioning(frame, fm);
                } else {
                    bank.putTracked(frame, fm);
                    bank.markVisited(frame, reverse);
                }
                return new MaskPrediction(low, l, iou, score);
            } catch (RuntimeException e) {
                lowT.close();
                if (memory != null) {
                    memory.close();
                }
                if (pointer != null) {
                    pointer.close();
                }
                throw e;
            }
        }
    }

    /** {@code _prepare_memory_conditioned_features} with the bank's selection. */
    private Tensor conditioned(MemoryState bank, int frame, boolean reverse, Sam2EncodedImage image) {
        MemorySelection sel = bank.select(frame, reverse);
        int n = rules.memory().numMaskmem();
        List<Tensor> memories = new ArrayList<>();
        long[] tpos = new long[sel.spatial().size()];
        for (int i = 0; i < tpos.length; i++) {
            MemorySelection.Spatial s = sel.spatial().get(i);
            memories.add(bank.get(s.frame(), s.conditioning()).maskmemFeatures());
            tpos[i] = n - 1 - s.tposIndex(); // the component takes t_pos (0 = conditioning frame)
        }
        List<Tensor> pointers = new ArrayList<>();
        long[] positions = new long[sel.pointers().size()];
        for (int i = 0; i < positions.length; i++) {
            MemorySelection.Pointer p = sel.pointers().get(i);
            pointers.add(bank.get(p.frame(), p.conditioning()).objectPointer());
            positions[i] = p.position();
        }
        return model.memoryAttention().condition(image.features().visionFeatures(), memories, tpos, pointers,
                positions, bank.numFrames());
    }

    /** The previous mask as a mask prompt: clamped to ±prev_mask_logits_clamp, in one native-to-native copy. */
    private Tensor clamped(Tensor lowRes) {
        TorchRuntime runtime = model.runtime;
        float c = rules.prevMaskClamp();
        Tensor cpu = runtime.empty(DType.FLOAT32, lowRes.shape(), Device.CPU);
        try {
            MemorySegment v = cpu.data();
            lowRes.copyTo(v);
            long n = cpu.numel();
            for (long i = 0; i < n; i++) {
                float x = v.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                v.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.max(-c, Math.min(c, x)));
            }
            return HostTensors.onDevice(cpu, model.device);
        } catch (RuntimeException e) {
            cpu.close();
            throw e;
        }
    }
}
