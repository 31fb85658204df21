package io.github.promptonce;

import io.github.promptonce.base.Precision;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.ThreadScope;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import io.github.promptonce.sam.EncodedImage;
import io.github.promptonce.sam.Sam2EncodedImage;
import io.github.promptonce.sam.Sam2Model;
import io.github.promptonce.sam.Sam2Tracker;
import io.github.promptonce.sam.SamModel;
import io.github.promptonce.volume.Slice;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * A loaded SAM or SAM 2 model (a directory exported by {@code models/export.py}): image mode for both families,
 * and SAM 2's memory-based tracking through a volume, one {@link MemoryBank} per object.
 *
 * <p>Thread-safe after {@link #load}: many threads may segment with one segmenter at once, each with its own
 * {@link MemoryBank}s, {@link ImageEmbedding}s and sessions; each call runs on the caller's thread with this
 * segmenter's intra-op thread count set on that thread only. Close it when done (idempotent; later use throws
 * {@link IllegalStateException}); nothing may be in flight then.
 *
 * <p>Errors: {@link PromptonceException} for library errors (its {@link io.github.promptonce.base.ErrorCode} says
 * which: a model that cannot be loaded is {@code BAD_MODEL} / {@code FILE_NOT_FOUND}, a SAM 2 operation on a SAM (v1)
 * model {@code UNSUPPORTED_MODEL}); {@link IllegalArgumentException} for wrong arguments, as each method says.
 */
public final class Segmenter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Segmenter.class.getName());

    private final SegmenterOptions options;
    private final TorchRuntime runtime;
    private final SamModel model;
    private final int threads;
    private final PropagationEngine engine; // null for SAM (v1)
    private volatile boolean closed;

    private Segmenter(SegmenterOptions options, TorchRuntime runtime, SamModel model) {
        this.options = options;
        this.runtime = runtime;
        this.model = model;
        this.threads = options.threads() > 0 ? options.threads() : TorchRuntimes.processThreads();
        this.engine = model instanceof Sam2Model sam2
                ? new PropagationEngine(new Sam2Tracker(sam2, options.fillHoles()), runtime, threads,
                options.retention())
                : null;
    }

    /** Loads a model directory on the CPU with default options. */
    public static Segmenter load(Path modelDir) {
        return load(modelDir, SegmenterOptions.defaults());
    }

    /**
     * Loads a model directory: reads its manifest, checks every component's SHA-256 (a mismatch is an error
     * naming the file), then loads the components onto {@code options.device()}. A model directory is code
     * (TorchScript runs what it holds): load only models from a source you trust.
     *
     * @throws PromptonceException FILE_NOT_FOUND / BAD_MODEL for a missing or invalid model, NATIVE_LIBRARY when no
     *                             LibTorch backend loads
     */
    public static Segmenter load(Path modelDir, SegmenterOptions options) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(options, "options");
        ModelManifest manifest = ModelManifest.read(modelDir);
        manifest.requireSha256(options.modelSha256()); // a pinned model (null: any)
        manifest.verifyChecksums();
        TorchRuntime runtime = TorchRuntimes.get(options.backend());
        SamModel model = SamModel.load(manifest, runtime, options.device(), options.optimize(), options.precision());
        LOG.log(System.Logger.Level.DEBUG, () -> "loaded " + manifest.arch() + " from " + modelDir + " on "
                + options.device() + " at " + model.precision() + " (" + runtime.name() + " LibTorch "
                + runtime.torchVersion() + ")");
        return new Segmenter(options, runtime, model);
    }

    public ModelManifest.Family family() {
        return model.manifest().family();
    }

    public String arch() {
        return model.manifest().arch();
    }

    /** The model's square input side. */
    public int imageSize() {
        return model.manifest().imageSize();
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    /**
     * The number format this segmenter computes in: {@link Precision#FP32} or {@link Precision#BF16} ({@code AUTO}
     * in the options resolved at load).
     */
    public Precision precision() {
        return model.precision();
    }

    public SegmenterOptions options() {
        return options;
    }

    /** The intra-op threads this segmenter's work runs with (its option, else the runtime's process count). */
    public int threads() {
        return threads;
    }

    /** The LibTorch runtime the models run on (backend name and version), and ", bf16" when computing in bfloat16. */
    public String runtimeDescription() {
        return runtime.name() + " LibTorch " + runtime.torchVersion() + (precision() == Precision.BF16 ? ", bf16" : "");
    }

    /** How many times the image encoder has run (diagnostics and tests). */
    public long imageEncoderCalls() {
        return model.imageEncoderCalls();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Image mode
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Runs the image encoder on a windowed slice; the embedding serves any number of prompts.
     *
     * @throws IllegalArgumentException when a pixel is outside [0, 1] or not finite
     */
    public ImageEmbedding encode(Slice image) {
        ensureOpen();
        Objects.requireNonNull(image, "image");
        try (ThreadScope t = ThreadScope.of(runtime, threads)) {
            return new ImageEmbedding(model.encode(image));
        }
    }

    /**
     * Segments one object on an encoded slice, as the official image predictors do: with at most one point (a box
     * counts as two) the decoder proposes several masks and the one with the best predicted IoU is returned;
     * otherwise the single-mask output (SAM 2: with the stability fallback).
     *
     * @throws IllegalArgumentException when a point or the box lies outside the slice, or the embedding comes
     *                                  from a model of the other family
     */
    public SliceResult predict(ImageEmbedding embedding, Prompt prompt) {
        ensureOpen();
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(prompt, "prompt");
        EncodedImage image = embedding.encoded();
        prompt.requireInside(image.width(), image.height());
        try (ThreadScope t = ThreadScope.of(runtime, threads)) {
            return SliceResult.of(model.predict(image, prompt.toModel()), image.width(), image.height(),
                    model.preprocessor());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // SAM 2 video mode: prompt a frame, track a frame
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A memory bank for one object over a volume of {@code numFrames} slices (SAM 2 only).
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     * @throws IllegalArgumentException when {@code numFrames < 1}
     */
    public MemoryBank newMemoryBank(int numFrames) {
        return video("a memory bank").newBank(numFrames);
    }

    /**
     * Prompts an object on a frame ({@code add_new_points_or_box}): the frame becomes a conditioning frame of the
     * bank. A frame never tracked before is segmented without memory; a frame already tracked (a correction) is
     * segmented with the bank's memory and its previous mask as a mask prompt, and is then stored as a
     * conditioning frame (the official predictor would keep it as a plain tracked frame, to be overwritten by the
     * next propagation).
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     * @throws IllegalArgumentException for a frame outside the bank or a point outside the slice
     */
    public SliceResult addPrompt(MemoryBank bank, int frame, ImageEmbedding embedding, Prompt prompt) {
        PropagationEngine e = video("prompting a memory bank");
        Objects.requireNonNull(prompt, "prompt");
        Sam2EncodedImage image = sam2Image(embedding);
        prompt.requireInside(image.width(), image.height());
        try (ThreadScope t = ThreadScope.of(runtime, threads)) {
            return e.result(e.tracker().prompt(bank.state(), frame, image, prompt.toModel()), image.width(),
                    image.height());
        }
    }

    /**
     * Tracks the object of {@code bank} onto {@code frame} (a step of {@code propagate_in_video}): memory attention
     * over the frames the official policy selects, the decoder without prompt, then the new memory. A
     * conditioning frame returns its stored result.
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     */
    public SliceResult track(MemoryBank bank, int frame, ImageEmbedding embedding, boolean reverse) {
        PropagationEngine e = video("tracking");
        Sam2EncodedImage image = sam2Image(embedding);
        try (ThreadScope t = ThreadScope.of(runtime, threads)) {
            return e.result(e.tracker().track(bank.state(), frame, image, reverse), image.width(), image.height());
        }
    }

    private Sam2EncodedImage sam2Image(ImageEmbedding embedding) {
        Objects.requireNonNull(embedding, "embedding");
        if (embedding.encoded() instanceof Sam2EncodedImage image) {
            return image;
        }
        throw new IllegalArgumentException("the embedding was made by a SAM (v1) model; " + arch() + " is SAM 2");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Volumes
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Segments objects through a volume from prompts on one or more slices (SAM 2). Each slice is encoded once
     * for all objects; each object has its own memory.
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     * @throws IllegalArgumentException for no prompt, a prompt outside the volume or slice, two prompts of one
     *                                  object on one slice, or HALVES with prompts on several slices
     * @throws java.util.concurrent.CancellationException when {@code options.cancelled()} says so
     */
    public VolumeSegmentation propagate(SliceSource volume, List<ObjectPrompt> prompts, PropagationOptions options) {
        PropagationEngine e = video("propagation through a volume");
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(options, "options");
        Map<Integer, TreeMap<Integer, Prompt>> byObject = byObject(volume, prompts);
        TreeSet<Integer> prompted = new TreeSet<>();
        byObject.values().forEach(m -> prompted.addAll(m.keySet()));
        VolumeSegmentation out = new VolumeSegmentation(volume.width(), volume.height(), volume.sliceCount());
        out.promptsUsed(prompts.size());
        if (options.mode() == PropagationMode.HALVES) {
            if (prompted.size() != 1) {
                throw new IllegalArgumentException("HALVES mode propagates from one seed slice; prompts are on slices "
                        + prompted + " (use BOTH for several prompted slices)");
            }
            int seed = prompted.first();
            Map<Integer, Prompt> seedPrompts = new TreeMap<>();
            byObject.forEach((id, m) -> seedPrompts.put(id, m.get(seed)));
            e.halves(volume, seedPrompts, seed, options, out);
            return out;
        }
        Map<Integer, MemoryBank> banks = new TreeMap<>();
        try {
            for (int slice : prompted) {
                Map<Integer, Prompt> here = new TreeMap<>();
                byObject.forEach((id, m) -> {
                    if (m.containsKey(slice)) {
                        here.put(id, m.get(slice));
                    }
                });
                e.prompt(volume, banks, slice, here, out);
            }
            e.propagate(volume, banks, options, out);
            return out;
        } finally {
            banks.values().forEach(MemoryBank::close);
        }
    }

    private static Map<Integer, TreeMap<Integer, Prompt>> byObject(SliceSource source, List<ObjectPrompt> prompts) {
        if (prompts == null || prompts.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is needed");
        }
        int n = source.sliceCount();
        Map<Integer, TreeMap<Integer, Prompt>> byObject = new TreeMap<>();
        for (ObjectPrompt p : prompts) {
            if (p.slice() >= n) {
                throw new IllegalArgumentException("prompt on slice " + p.slice() + " outside 0.." + (n - 1));
            }
            p.prompt().requireInside(source.width(), source.height());
            if (byObject.computeIfAbsent(p.objectId(), k -> new TreeMap<>()).put(p.slice(), p.prompt()) != null) {
                throw new IllegalArgumentException("object " + p.objectId() + " has two prompts on slice " + p.slice()
                        + ": merge them into one prompt");
            }
        }
        return byObject;
    }

    /** {@link #propagate(SliceSource, List, PropagationOptions)} with the default options (mode BOTH). */
    public VolumeSegmentation propagate(SliceSource volume, List<ObjectPrompt> prompts) {
        return propagate(volume, prompts, PropagationOptions.defaults());
    }

    /**
     * An interactive session on one volume: prompts, propagation, corrections (SAM 2).
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     */
    public SegmentationSession session(SliceSource volume) {
        return new SegmentationSession(video("a segmentation session"), volume);
    }

    /**
     * Prompt once, segment a whole dataset: {@code reference} (a slice of one volume) is encoded and prompted once;
     * its conditioning memory seeds both halves of every volume, which propagate from their middle slice
     * ({@code sliceCount / 2}, as the paper). No prompt is given on the volumes themselves.
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     */
    public List<VolumeSegmentation> propagateDataset(Slice reference, Prompt prompt, List<SliceSource> volumes,
                                                     PropagationOptions options) {
        return propagateDataset(reference, prompt, volumes, options, v -> v.sliceCount() / 2);
    }

    /**
     * {@link #propagateDataset(Slice, Prompt, List, PropagationOptions)} with a chosen seed slice per volume.
     *
     * @throws IllegalArgumentException for a seed slice outside its volume or a prompt outside the reference
     */
    public List<VolumeSegmentation> propagateDataset(Slice reference, Prompt prompt, List<SliceSource> volumes,
                                                     PropagationOptions options, ToIntFunction<SliceSource> seedOf) {
        PropagationEngine e = video("propagation through a dataset");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(volumes, "volumes");
        prompt.requireInside(reference.width(), reference.height());
        return e.dataset(reference, prompt, volumes, seedOf, options);
    }

    /**
     * Encodes and prompts a reference slice once, for {@link #propagateDataset(ReferenceMemory, List,
     * PropagationOptions)}: the memory can be reused for any number of volumes and shipped to other JVMs as bytes
     * ({@link ReferenceMemory#toBytes()}). Runs the image encoder once.
     *
     * @throws PromptonceException UNSUPPORTED_MODEL for a SAM (v1) model
     * @throws IllegalArgumentException for a prompt outside the reference slice
     */
    public ReferenceMemory promptReference(Slice reference, Prompt prompt) {
        PropagationEngine e = video("a reference memory");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(prompt, "prompt");
        prompt.requireInside(reference.width(), reference.height());
        return new ReferenceMemory(e.promptReference(reference, prompt), manifest().sha256());
    }

    /**
     * {@link #propagateDataset(Slice, Prompt, List, PropagationOptions)} from a reference prompted before (here or,
     * read back with {@link ReferenceMemory#fromBytes}, in another JVM): the same masks, without encoding the
     * reference again.
     *
     * @throws IllegalArgumentException when the memory was made by another model
     */
    public List<VolumeSegmentation> propagateDataset(ReferenceMemory reference, List<SliceSource> volumes,
                                                     PropagationOptions options) {
        return propagateDataset(reference, volumes, options, v -> v.sliceCount() / 2);
    }

    /** {@link #propagateDataset(ReferenceMemory, List, PropagationOptions)} with a chosen seed slice per volume. */
    public List<VolumeSegmentation> propagateDataset(ReferenceMemory reference, List<SliceSource> volumes,
                                                     PropagationOptions options, ToIntFunction<SliceSource> seedOf) {
        PropagationEngine e = video("propagation through a dataset");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(volumes, "volumes");
        if (!reference.modelSha256().equals(manifest().sha256())) {
            throw new IllegalArgumentException("reference memory made by the model with manifest SHA-256 "
                    + reference.modelSha256() + ", this segmenter's model is " + manifest().sha256());
        }
        return e.dataset(reference.memory(), volumes, seedOf, options);
    }

    /** For {@link ReferenceMemory#fromBytes}: the runtime this segmenter's tensors live in. */
    TorchRuntime runtime() {
        return runtime;
    }

    /** For {@link ReferenceMemory#fromBytes}: UNSUPPORTED_MODEL unless SAM 2; checks that this segmenter is open. */
    void requireVideo(String what) {
        video(what);
    }

    /** The propagation engine, or UNSUPPORTED_MODEL for SAM (v1); checks that this segmenter is open. */
    private PropagationEngine video(String what) {
        ensureOpen();
        model.requireVideo(what);
        return engine;
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
            model.close();
        }
    }
}
