package io.github.promptonce;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Interactive SAM 2 segmentation of one volume: prompt objects on slices, propagate, then correct — a prompt on a
 * slice that was already tracked — and propagate again from there. Holds one {@link MemoryBank} per object
 * between calls. One thread at a time; close it when done (idempotent; later use throws
 * {@link IllegalStateException}).
 *
 * <pre>{@code
 * try (SegmentationSession s = segmenter.session(slices)) {
 *     s.prompt(1, 120, Prompt.point(250, 310));
 *     s.propagate(PropagationOptions.defaults());
 *     s.prompt(1, 160, Prompt.point(240, 300).with(new Prompt.Point(260, 280, false)));  // a correction
 *     VolumeSegmentation result = s.propagateFrom(160, PropagationOptions.defaults());
 * }
 * }</pre>
 */
public final class SegmentationSession implements AutoCloseable {
    private final PropagationEngine engine;
    private final SliceSource source;
    private final Map<Integer, MemoryBank> banks = new TreeMap<>();
    private final VolumeSegmentation results;
    private int prompts;
    private boolean closed;

    SegmentationSession(PropagationEngine engine, SliceSource source) {
        this.engine = engine;
        this.source = Objects.requireNonNull(source, "source");
        this.results = new VolumeSegmentation(source.width(), source.height(), source.sliceCount());
    }

    /**
     * Prompts one object on one slice; a slice already tracked for that object is corrected.
     *
     * @throws IllegalArgumentException for a slice outside the volume, an object id below 1 or a point outside
     *                                  the slice
     */
    public SliceResult prompt(int objectId, int slice, Prompt prompt) {
        return prompt(slice, Map.of(objectId, prompt)).get(objectId);
    }

    /** Prompts several objects on one slice, encoding it once (arguments as {@link #prompt(int, int, Prompt)}). */
    public Map<Integer, SliceResult> prompt(int slice, Map<Integer, Prompt> promptsByObject) {
        ensureOpen();
        if (slice < 0 || slice >= source.sliceCount()) {
            throw new IllegalArgumentException("prompt on slice " + slice + " outside 0.." + (source.sliceCount() - 1));
        }
        for (Map.Entry<Integer, Prompt> e : promptsByObject.entrySet()) {
            new ObjectPrompt(e.getKey(), slice, e.getValue()); // validates the object id
            e.getValue().requireInside(source.width(), source.height());
        }
        Map<Integer, SliceResult> out = engine.prompt(source, banks, slice, promptsByObject, results);
        prompts += out.size();
        results.promptsUsed(prompts);
        return out;
    }

    /**
     * Propagates every object from the prompted slices: {@link PropagationMode#BOTH} = forward from the first
     * prompted slice to the end, then reverse from it to slice 0 (the official predictor);
     * {@link PropagationMode#FORWARD} / {@link PropagationMode#BACKWARD} one of those passes (the reverse pass
     * starting from the last prompted slice).
     *
     * @throws IllegalArgumentException for {@link PropagationMode#HALVES}, which needs independent memories: use
     *                                  {@link Segmenter#propagate}
     * @throws IllegalStateException    before any prompt
     */
    public VolumeSegmentation propagate(PropagationOptions options) {
        ensureOpen();
        if (options.mode() == PropagationMode.HALVES) {
            throw new IllegalArgumentException("a session shares one memory per object; HALVES needs two:"
                    + " use Segmenter.propagate(..., mode HALVES)");
        }
        engine.propagate(source, banks, options, results);
        return results;
    }

    /**
     * Re-propagates every object from {@code slice} (typically just corrected) to both ends of the volume:
     * forward to the last slice, then reverse to slice 0. Earlier results are overwritten; prompted slices keep
     * their prompted result.
     *
     * @throws IllegalArgumentException for a slice outside the volume
     */
    public VolumeSegmentation propagateFrom(int slice, PropagationOptions options) {
        ensureOpen();
        engine.propagateFrom(source, banks, slice, options, results);
        return results;
    }

    /** The results so far (live: later calls update it). */
    public VolumeSegmentation result() {
        return results;
    }

    /** The memory bank of one object (e.g. to inspect how much it holds). */
    public MemoryBank bank(int objectId) {
        ensureOpen();
        MemoryBank b = banks.get(objectId);
        if (b == null) {
            throw new IllegalArgumentException("object " + objectId + " has no prompt (objects: " + banks.keySet() + ")");
        }
        return b;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("segmentation session is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            banks.values().forEach(MemoryBank::close);
        }
    }
}
