package io.github.promptonce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Interactive SAM 2 segmentation of one volume: prompt objects on slices, propagate, then correct — a prompt on a
 * slice that was already tracked — and propagate again from there. Holds one {@link MemoryBank} per object
 * between calls. One thread at a time; close it when done (idempotent).
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
    private final Segmenter segmenter;
    private final SliceSource source;
    private final Map<Integer, MemoryBank> banks = new TreeMap<>();
    private final VolumeSegmentation results;
    private int prompts;
    private boolean closed;

    SegmentationSession(Segmenter segmenter, SliceSource source) {
        this.segmenter = segmenter;
        this.source = Objects.requireNonNull(source, "source");
        this.results = new VolumeSegmentation(source.width(), source.height(), source.sliceCount());
    }

    /** Prompts one object on one slice; a slice already tracked for that object is corrected. */
    public SliceResult prompt(int objectId, int slice, Prompt prompt) {
        return prompt(slice, Map.of(objectId, prompt)).get(objectId);
    }

    /** Prompts several objects on one slice, encoding it once. */
    public Map<Integer, SliceResult> prompt(int slice, Map<Integer, Prompt> promptsByObject) {
        ensureOpen();
        if (slice < 0 || slice >= source.sliceCount()) {
            throw new IllegalArgumentException("prompt on slice " + slice + " outside 0.." + (source.sliceCount() - 1));
        }
        for (Map.Entry<Integer, Prompt> e : promptsByObject.entrySet()) {
            new ObjectPrompt(e.getKey(), slice, e.getValue()); // validates the object id
            e.getValue().requireInside(source.width(), source.height());
        }
        Map<Integer, SliceResult> out = new LinkedHashMap<>();
        try (ImageEmbedding e = segmenter.encode(source.slice(slice))) {
            for (Map.Entry<Integer, Prompt> p : new TreeMap<>(promptsByObject).entrySet()) {
                MemoryBank bank = banks.computeIfAbsent(p.getKey(), id -> segmenter.newMemoryBank(source.sliceCount()));
                SliceResult r = segmenter.addPrompt(bank, slice, e, p.getValue());
                results.put(p.getKey(), slice, r);
                out.put(p.getKey(), r);
                prompts++;
            }
        }
        results.promptsUsed(prompts);
        return out;
    }

    /**
     * Propagates every object from the prompted slices: {@link PropagationMode#BOTH} = forward from the first
     * prompted slice to the end, then reverse from it to slice 0 (the official predictor);
     * {@link PropagationMode#FORWARD} / {@link PropagationMode#BACKWARD} one of those passes (the reverse pass
     * starting from the last prompted slice). {@link PropagationMode#HALVES} needs independent memories: use
     * {@link Segmenter#propagate}.
     */
    public VolumeSegmentation propagate(PropagationOptions options) {
        ensureOpen();
        TreeSet<Integer> prompted = promptedSlices();
        PropagationMode mode = options.mode();
        if (mode == PropagationMode.HALVES) {
            throw new IllegalArgumentException("a session shares one memory per object; HALVES needs two:"
                    + " use Segmenter.propagate(..., mode HALVES)");
        }
        int n = source.sliceCount();
        int first = prompted.first();
        int last = prompted.last();
        Propagator p = new Propagator(segmenter, options);
        p.expect((mode != PropagationMode.BACKWARD ? n - first : 0)
                + (mode == PropagationMode.BOTH ? first + 1 : mode == PropagationMode.BACKWARD ? last + 1 : 0));
        if (mode == PropagationMode.BOTH || mode == PropagationMode.FORWARD) {
            p.pass(source, tracks(), first, n - 1, false, f -> f, results);
        }
        if (mode == PropagationMode.BOTH) {
            p.pass(source, tracks(), first, 0, true, f -> f, results);
        } else if (mode == PropagationMode.BACKWARD) {
            p.pass(source, tracks(), last, 0, true, f -> f, results);
        }
        return results;
    }

    /**
     * Re-propagates every object from {@code slice} (typically just corrected) to both ends of the volume:
     * forward to the last slice, then reverse to slice 0. Earlier results are overwritten; prompted slices keep
     * their prompted result.
     */
    public VolumeSegmentation propagateFrom(int slice, PropagationOptions options) {
        ensureOpen();
        promptedSlices();
        int n = source.sliceCount();
        if (slice < 0 || slice >= n) {
            throw new IllegalArgumentException("slice " + slice + " outside 0.." + (n - 1));
        }
        Propagator p = new Propagator(segmenter, options);
        p.expect(n + 1);
        p.pass(source, tracks(), slice, n - 1, false, f -> f, results);
        p.pass(source, tracks(), slice, 0, true, f -> f, results);
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

    private TreeSet<Integer> promptedSlices() {
        TreeSet<Integer> prompted = new TreeSet<>();
        banks.values().forEach(b -> prompted.addAll(b.conditioningFrames()));
        if (prompted.isEmpty()) {
            throw new IllegalStateException("no prompt yet: prompt an object on a slice before propagating");
        }
        return prompted;
    }

    private List<Propagator.Track> tracks() {
        List<Propagator.Track> t = new ArrayList<>();
        banks.forEach((id, bank) -> t.add(new Propagator.Track(id, bank)));
        return t;
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
