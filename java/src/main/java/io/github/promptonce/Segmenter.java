package io.github.promptonce;

import io.github.promptonce.memory.MemoryConfig;
import io.github.promptonce.memory.MemorySelection;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import io.github.promptonce.runtime.Values;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loaded SAM or SAM 2 model (a directory exported by {@code models/export.py}): image mode for both families,
 * and SAM 2's memory-based tracking through a volume, one {@link MemoryBank} per object.
 *
 * <p>Thread-safe after {@link #load}: many threads may segment with one segmenter at once, each with its own
 * {@link MemoryBank}s and {@link ImageEmbedding}s. Close it when done (idempotent; later use throws
 * {@link IllegalStateException}); nothing may be in flight then.
 */
public final class Segmenter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Segmenter.class.getName());

    private final ModelManifest manifest;
    private final SegmenterOptions options;
    private final TorchRuntime runtime;
    private final TorchModule imageEncoder;
    private final TorchModule maskDecoder;
    private final TorchModule memoryAttention;
    private final TorchModule memoryEncoder;
    private final Preprocessor preprocessor;
    private final Sam2Rules rules;
    private final AtomicLong imageEncoderCalls = new AtomicLong();
    private volatile boolean closed;

    /** The SAM 2 decision rules of the official code, read from the manifest once. */
    record Sam2Rules(MemoryConfig memory, boolean multimaskInSam, boolean multimaskForTracking, int minPts,
                     int maxPts, boolean stabilityFallback, boolean binarizeFromPoints, int fillHoleArea,
                     float prevMaskClamp) {
        static Sam2Rules of(ModelManifest m) {
            if (!m.policyFlag("directly_add_no_mem_embed")) {
                throw new io.github.promptonce.PromptonceException(ErrorCode.BAD_MODEL, m.directory()
                        + ": directly_add_no_mem_embed = false is not supported (no released SAM 2 config uses it)");
            }
            return new Sam2Rules(m.memoryConfig(), m.policyFlag("multimask_output_in_sam"),
                    m.policyFlag("multimask_output_for_tracking"), (int) m.policyNumber("multimask_min_pt_num"),
                    (int) m.policyNumber("multimask_max_pt_num"), m.policyFlag("dynamic_multimask_via_stability"),
                    m.policyFlag("binarize_mask_from_pts_for_mem_enc"), (int) m.policyNumber("fill_hole_area"),
                    (float) m.policyNumber("prev_mask_logits_clamp"));
        }

        /** {@code SAM2Base._use_multimask}: a box counts as two points. */
        boolean multimask(boolean initialConditioning, int numPoints) {
            return multimaskInSam && (initialConditioning || multimaskForTracking) && minPts <= numPoints
                    && numPoints <= maxPts;
        }
    }

    private Segmenter(ModelManifest manifest, SegmenterOptions options, TorchRuntime runtime,
                      List<TorchModule> modules) {
        this.manifest = manifest;
        this.options = options;
        this.runtime = runtime;
        this.imageEncoder = modules.get(0);
        this.maskDecoder = modules.get(1);
        boolean sam2 = manifest.family() == ModelManifest.Family.SAM2;
        this.memoryAttention = sam2 ? modules.get(2) : null;
        this.memoryEncoder = sam2 ? modules.get(3) : null;
        this.preprocessor = new Preprocessor(manifest);
        this.rules = sam2 ? Sam2Rules.of(manifest) : null;
    }

    /** Loads a model directory on the CPU with default options. */
    public static Segmenter load(Path modelDir) {
        return load(modelDir, SegmenterOptions.defaults());
    }

    /**
     * Loads a model directory: reads its manifest, checks every component's SHA-256 (a mismatch is an error
     * naming the file), then loads the components onto {@code options.device()}.
     */
    public static Segmenter load(Path modelDir, SegmenterOptions options) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(options, "options");
        ModelManifest manifest = ModelManifest.read(modelDir);
        manifest.requireSha256(options.modelSha256()); // a pinned model (null: any)
        manifest.verifyChecksums();
        TorchRuntime runtime = TorchRuntimes.get(options.backend());
        runtime.setThreads(threads(options));
        List<String> names = manifest.family() == ModelManifest.Family.SAM2
                ? List.of("image_encoder", "mask_decoder", "memory_attention", "memory_encoder")
                : List.of("image_encoder", "mask_decoder");
        List<TorchModule> modules = new ArrayList<>();
        try {
            for (String name : names) {
                modules.add(runtime.load(manifest.component(name).file(), options.device(), options.optimize()));
            }
            Segmenter s = new Segmenter(manifest, options, runtime, modules);
            LOG.log(System.Logger.Level.DEBUG, () -> "loaded " + manifest.arch() + " from " + modelDir + " on "
                    + options.device() + " (" + runtime.name() + " LibTorch " + runtime.torchVersion() + ")");
            return s;
        } catch (RuntimeException e) {
            modules.forEach(TorchModule::close);
            throw e;
        }
    }

    public ModelManifest.Family family() {
        return manifest.family();
    }

    public String arch() {
        return manifest.arch();
    }

    /** The model's square input side. */
    public int imageSize() {
        return manifest.imageSize();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public SegmenterOptions options() {
        return options;
    }

    /** The LibTorch runtime the models run on (backend name and version). */
    public String runtimeDescription() {
        return runtime.name() + " LibTorch " + runtime.torchVersion();
    }

    private static int threads(SegmenterOptions options) {
        return options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    }

    /** The intra-op threads this segmenter runs with (its option, or one per available core). */
    int threads() {
        return threads(options);
    }

    /** Sets the intra-op threads for work started from the calling thread (see {@link TorchRuntime#setThreads}). */
    void setThreadsHere(int n) {
        runtime.setThreads(n);
    }

    /** How many times the image encoder has run (diagnostics and tests). */
    public long imageEncoderCalls() {
        return imageEncoderCalls.get();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Image mode
    // ---------------------------------------------------------------------------------------------------------

    /** Runs the image encoder on a windowed slice; the embedding serves any number of prompts. */
    public ImageEmbedding encode(Image2D image) {
        ensureOpen();
        Objects.requireNonNull(image, "image");
        int s = preprocessor.size();
        float[] input = preprocessor.toInput(image);
        Object out;
        try (Tensor t = runtime.tensor(MemorySegment.ofArray(input), DType.FLOAT32, new long[] {1, 3, s, s},
                options.device())) {
            imageEncoderCalls.incrementAndGet();
            out = imageEncoder.call("forward", t);
        }
        if (manifest.family() == ModelManifest.Family.SAM) {
            Tensor embedding = (Tensor) out;
            return new ImageEmbedding(image.width(), image.height(),
                    new ImageEmbedding.Features(null, null, embedding), embedding);
        }
        List<Tensor> parts = Values.tensors(out);
        ImageEmbedding.Features features = new ImageEmbedding.Features(parts.get(0), parts.get(1), parts.get(2));
        try {
            Tensor withNoMemory = (Tensor) memoryAttention.call("no_memory", features.visionFeatures());
            return new ImageEmbedding(image.width(), image.height(), features, withNoMemory);
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }

    /**
     * Segments one object on an encoded slice, as the official image predictors do: with at most one point (a box
     * counts as two) the decoder proposes several masks and the one with the best predicted IoU is returned;
     * otherwise the single-mask output (SAM 2: with the stability fallback).
     */
    public SliceResult predict(ImageEmbedding embedding, Prompt prompt) {
        ensureOpen();
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(prompt, "prompt");
        int w = embedding.width();
        int h = embedding.height();
        prompt.requireInside(w, h);
        int numPoints = prompt.points().size() + (prompt.box() != null ? 2 : 0);
        if (manifest.family() == ModelManifest.Family.SAM2) {
            boolean multimask = rules.multimask(true, numPoints);
            ImageEmbedding.Features f = embedding.features();
            try (Tensor coords = sam2Coords(prompt, w, h); Tensor labels = sam2Labels(prompt)) {
                Object out = maskDecoder.call("forward", embedding.imageEmbed(), f.featS0(), f.featS1(), coords,
                        labels, null, multimask, rules.stabilityFallback());
                try {
                    List<Tensor> t = Values.tensors(out);
                    return best(t.get(0), t.get(1), t.get(3).toFloatArray()[0], w, h);
                } finally {
                    Values.closeAll(out);
                }
            }
        }
        boolean multimask = numPoints <= 1; // SamPredictor: multimask for a single click
        try (Tensor coords = samCoords(prompt, w, h); Tensor labels = samLabels(prompt);
             Tensor box = prompt.box() == null ? null : samBox(prompt.box(), w, h)) {
            Object out = maskDecoder.call("forward", embedding.imageEmbed(), coords, labels, box, null, multimask);
            try {
                List<Tensor> t = Values.tensors(out);
                return best(t.get(0), t.get(1), Float.NaN, w, h);
            } finally {
                Values.closeAll(out);
            }
        }
    }

    private SliceResult best(Tensor masks, Tensor ious, float objectScore, int w, int h) {
        long[] shape = masks.shape(); // [1, M, L, L]
        int m = (int) shape[1];
        int l = (int) shape[3];
        float[] iou = ious.toFloatArray();
        int best = 0;
        for (int i = 1; i < m; i++) {
            if (iou[i] > iou[best]) {
                best = i;
            }
        }
        float[] all = masks.toFloatArray();
        float[] chosen = new float[l * l];
        System.arraycopy(all, best * l * l, chosen, 0, l * l);
        return result(chosen, l, iou[best], objectScore, w, h);
    }

    private SliceResult result(float[] lowRes, int l, float iou, float objectScore, int w, int h) {
        int[] extent = preprocessor.inputExtent(w, h);
        return new SliceResult(w, h, lowRes, l, iou, objectScore, preprocessor.size(), extent[0], extent[1]);
    }

    // ---------------------------------------------------------------------------------------------------------
    // SAM 2 video mode: prompt a frame, track a frame
    // ---------------------------------------------------------------------------------------------------------

    /** A memory bank for one object over a volume of {@code numFrames} slices (SAM 2 only). */
    public MemoryBank newMemoryBank(int numFrames) {
        ensureOpen();
        requireSam2("a memory bank");
        return new MemoryBank(rules.memory(), numFrames, options.retention());
    }

    /**
     * Prompts an object on a frame ({@code add_new_points_or_box}): the frame becomes a conditioning frame of the
     * bank. A frame never tracked before is segmented without memory; a frame already tracked (a correction) is
     * segmented with the bank's memory and its previous mask as a mask prompt, and is then stored as a
     * conditioning frame (the official predictor would keep it as a plain tracked frame, to be overwritten by the
     * next propagation).
     */
    public SliceResult addPrompt(MemoryBank bank, int frame, ImageEmbedding embedding, Prompt prompt) {
        ensureOpen();
        requireSam2("prompting a memory bank");
        Objects.requireNonNull(prompt, "prompt");
        int w = embedding.width();
        int h = embedding.height();
        prompt.requireInside(w, h);
        boolean initial = !bank.wasVisited(frame);
        boolean reverse = !initial && bank.visitedInReverse(frame);
        FrameMemory previous = bank.get(frame);
        int numPoints = prompt.points().size() + (prompt.box() != null ? 2 : 0);
        boolean multimask = rules.multimask(initial, numPoints);
        ImageEmbedding.Features f = embedding.features();
        Tensor conditioned = initial ? null : conditionedFeatures(bank, frame, reverse, embedding);
        try (Tensor coords = sam2Coords(prompt, w, h); Tensor labels = sam2Labels(prompt);
             Tensor prevMask = previous == null ? null : clampedMask(previous.lowResMasks())) {
            Object out = maskDecoder.call("track", initial ? embedding.imageEmbed() : conditioned, f.featS0(),
                    f.featS1(), coords, labels, prevMask, multimask, rules.stabilityFallback());
            return store(bank, frame, out, f, true, reverse, w, h);
        } finally {
            if (conditioned != null) {
                conditioned.close();
            }
        }
    }

    /**
     * Tracks the object of {@code bank} onto {@code frame} (a step of {@code propagate_in_video}): memory attention
     * over the frames the official policy selects, the decoder without prompt, then the new memory. A
     * conditioning frame returns its stored result.
     */
    public SliceResult track(MemoryBank bank, int frame, ImageEmbedding embedding, boolean reverse) {
        ensureOpen();
        requireSam2("tracking");
        int w = embedding.width();
        int h = embedding.height();
        if (bank.isConditioning(frame)) {
            bank.markVisited(frame, reverse);
            return stored(bank.get(frame), w, h);
        }
        ImageEmbedding.Features f = embedding.features();
        try (Tensor conditioned = conditionedFeatures(bank, frame, reverse, embedding);
             Tensor coords = runtime.empty(DType.FLOAT32, new long[] {1, 0, 2}, options.device());
             Tensor labels = runtime.empty(DType.INT32, new long[] {1, 0}, options.device())) {
            Object out = maskDecoder.call("track", conditioned, f.featS0(), f.featS1(), coords, labels, null,
                    rules.multimask(false, 0), rules.stabilityFallback());
            return store(bank, frame, out, f, false, reverse, w, h);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Volumes
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Segments objects through a volume from prompts on one or more slices (SAM 2). Each slice is encoded once
     * for all objects; each object has its own memory.
     *
     * @throws java.util.concurrent.CancellationException when {@code options.cancelled()} says so
     */
    public VolumeSegmentation propagate(SliceSource volume, List<ObjectPrompt> prompts, PropagationOptions options) {
        ensureOpen();
        requireSam2("propagation through a volume");
        return new Propagator(this, options).propagate(volume, prompts);
    }

    /** An interactive session on one volume: prompts, propagation, corrections (SAM 2). */
    public SegmentationSession session(SliceSource volume) {
        ensureOpen();
        requireSam2("a segmentation session");
        return new SegmentationSession(this, volume);
    }

    /** {@link #propagate(SliceSource, List, PropagationOptions)} with the default options (mode BOTH). */
    public VolumeSegmentation propagate(SliceSource volume, List<ObjectPrompt> prompts) {
        return propagate(volume, prompts, PropagationOptions.defaults());
    }

    /**
     * Prompt once, segment a whole dataset: {@code reference} (a slice of one volume) is encoded and prompted once;
     * its conditioning memory seeds both halves of every volume, which propagate from their middle slice
     * ({@code sliceCount / 2}, as the paper). No prompt is given on the volumes themselves.
     */
    public List<VolumeSegmentation> propagateDataset(Image2D reference, Prompt prompt, List<SliceSource> volumes,
                                                     PropagationOptions options) {
        return propagateDataset(reference, prompt, volumes, options, v -> v.sliceCount() / 2);
    }

    /** {@link #propagateDataset(Image2D, Prompt, List, PropagationOptions)} with a chosen seed slice per volume. */
    public List<VolumeSegmentation> propagateDataset(Image2D reference, Prompt prompt, List<SliceSource> volumes,
                                                     PropagationOptions options,
                                                     java.util.function.ToIntFunction<SliceSource> seedOf) {
        ensureOpen();
        requireSam2("propagation through a dataset");
        return new Propagator(this, options).propagateDataset(reference, prompt, volumes, seedOf);
    }

    /** The stored result of a frame of the bank (e.g. a conditioning frame). */
    SliceResult stored(FrameMemory m, int w, int h) {
        float[] low = m.lowResMasks().toFloatArray();
        int l = (int) m.lowResMasks().shape()[3]; // [1, 1, L, L]
        return result(low, l, m.iou(), m.objectScore(), w, h);
    }

    /**
     * Takes the decoder's 6-tuple (multimasks, ious, low-res mask, high-res mask, pointer, object score), fills
     * small holes, encodes the memory and stores the frame.
     */
    private SliceResult store(MemoryBank bank, int frame, Object decoderOut, ImageEmbedding.Features f,
                              boolean fromPrompt, boolean reverse, int w, int h) {
        List<Tensor> t = Values.tensors(decoderOut);
        Tensor lowT = null;
        Tensor memory = null;
        try {
            float score = t.get(5).toFloatArray()[0];
            float iou = max(t.get(1).toFloatArray());
            float[] low = t.get(2).toFloatArray();
            int l = (int) t.get(2).shape()[3];
            if (options.fillHoles()) {
                ImageOps.fillHoles(low, l, l, rules.fillHoleArea());
            }
            lowT = runtime.tensor(MemorySegment.ofArray(low), DType.FLOAT32, new long[] {1, 1, l, l}, options.device());
            // prompted frames: memory from the (hole-filled) low-res mask, binarised (propagate_in_video_preflight);
            // tracked frames: from the decoder's high-res mask, through a sigmoid (_encode_new_memory)
            Object encoded = memoryEncoder.call("forward", f.visionFeatures(), fromPrompt ? lowT : t.get(3), t.get(5),
                    fromPrompt && rules.binarizeFromPoints());
            try (Tensor m = (Tensor) encoded) {
                memory = m.to(options.device(), DType.BFLOAT16); // the official store keeps memories in bfloat16
            }
            Tensor pointer = t.get(4).to(options.device());
            FrameMemory fm = new FrameMemory(memory, pointer, lowT, score, iou);
            if (fromPrompt) {
                bank.putConditioning(frame, fm);
            } else {
                bank.putTracked(frame, fm);
            }
            if (!fromPrompt) {
                bank.markVisited(frame, reverse);
            }
            return result(low, l, iou, score, w, h);
        } catch (RuntimeException e) {
            if (lowT != null) {
                lowT.close();
            }
            if (memory != null) {
                memory.close();
            }
            throw e;
        } finally {
            Values.closeAll(decoderOut);
        }
    }

    /** {@code _prepare_memory_conditioned_features} with the bank's selection. */
    private Tensor conditionedFeatures(MemoryBank bank, int frame, boolean reverse, ImageEmbedding embedding) {
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
        return (Tensor) memoryAttention.call("forward", embedding.features().visionFeatures(), memories, tpos,
                pointers, positions, (long) bank.numFrames());
    }

    private Tensor clampedMask(Tensor lowRes) {
        float[] v = lowRes.toFloatArray();
        float c = rules.prevMaskClamp();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-c, Math.min(c, v[i]));
        }
        return runtime.tensor(MemorySegment.ofArray(v), DType.FLOAT32, lowRes.shape(), options.device());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Prompt tensors
    // ---------------------------------------------------------------------------------------------------------

    /** SAM 2: the box as two leading corner points, then the clicks, in model-input pixels ([1, N, 2]). */
    private Tensor sam2Coords(Prompt p, int w, int h) {
        List<float[]> pts = new ArrayList<>();
        if (p.box() != null) {
            pts.add(preprocessor.toInput(p.box().x0(), p.box().y0(), w, h));
            pts.add(preprocessor.toInput(p.box().x1(), p.box().y1(), w, h));
        }
        for (Prompt.Point pt : p.points()) {
            pts.add(preprocessor.toInput(pt.x(), pt.y(), w, h));
        }
        return coordTensor(pts);
    }

    private Tensor sam2Labels(Prompt p) {
        List<Integer> labels = new ArrayList<>();
        if (p.box() != null) {
            labels.add(2);
            labels.add(3);
        }
        for (Prompt.Point pt : p.points()) {
            labels.add(pt.positive() ? 1 : 0);
        }
        return labelTensor(labels);
    }

    private Tensor samCoords(Prompt p, int w, int h) {
        List<float[]> pts = new ArrayList<>();
        for (Prompt.Point pt : p.points()) {
            pts.add(preprocessor.toInput(pt.x(), pt.y(), w, h));
        }
        return coordTensor(pts);
    }

    private Tensor samLabels(Prompt p) {
        List<Integer> labels = new ArrayList<>();
        for (Prompt.Point pt : p.points()) {
            labels.add(pt.positive() ? 1 : 0);
        }
        return labelTensor(labels);
    }

    private Tensor samBox(Prompt.Box b, int w, int h) {
        float[] a = preprocessor.toInput(b.x0(), b.y0(), w, h);
        float[] c = preprocessor.toInput(b.x1(), b.y1(), w, h);
        return runtime.tensor(MemorySegment.ofArray(new float[] {a[0], a[1], c[0], c[1]}), DType.FLOAT32,
                new long[] {1, 4}, options.device());
    }

    private Tensor coordTensor(List<float[]> pts) {
        float[] flat = new float[pts.size() * 2];
        for (int i = 0; i < pts.size(); i++) {
            flat[2 * i] = pts.get(i)[0];
            flat[2 * i + 1] = pts.get(i)[1];
        }
        return runtime.tensor(MemorySegment.ofArray(flat), DType.FLOAT32, new long[] {1, pts.size(), 2},
                options.device());
    }

    private Tensor labelTensor(List<Integer> labels) {
        int[] flat = labels.stream().mapToInt(Integer::intValue).toArray();
        return runtime.tensor(MemorySegment.ofArray(flat), DType.INT32, new long[] {1, flat.length},
                options.device());
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private void requireSam2(String what) {
        if (manifest.family() != ModelManifest.Family.SAM2) {
            throw new UnsupportedOperationException(what + " needs a SAM 2 model; " + manifest.arch()
                    + " is SAM (v1), which segments one slice at a time (use encode + predict)");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("segmenter is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            imageEncoder.close();
            maskDecoder.close();
            if (memoryAttention != null) {
                memoryAttention.close();
                memoryEncoder.close();
            }
        }
    }
}
