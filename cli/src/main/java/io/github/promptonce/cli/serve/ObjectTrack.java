package io.github.promptonce.cli.serve;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.SegmentationSession;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

/**
 * One object of one workspace: its prompts (in the order given), its own {@link SegmentationSession} (one per
 * object, so a correction re-propagates this object only) and its latest mask per slice. Model work runs on the
 * job executor under this object's lock; the masks are readable at any time from any thread (each slice's mask is
 * replaced whole, never changed in place).
 *
 * <p>Undo: {@link SegmentationSession} has no undo, so undo closes the session, opens a new one and replays the
 * remaining prompts in their order (then propagates again when the object had been propagated).
 */
final class ObjectTrack implements AutoCloseable {
    /** One prompt as given: the slice and the slice's whole prompt after it (points accumulate per slice). */
    record Step(int slice, Prompt prompt) {
    }

    /** Called after each propagated slice: (slice, done, total). */
    interface Progress {
        void slice(int slice, int done, int total);
    }

    private final int id;
    private final String color;
    private final Segmenter segmenter;
    private final SliceSource source;
    private final BooleanSupplier cancelled;
    private final AtomicReferenceArray<byte[]> masks;
    private final List<Step> steps = new ArrayList<>();
    private volatile List<Step> published = List.of(); // a copy of steps, readable while a job holds the lock
    private SegmentationSession session;
    private volatile PropagationMode propagatedMode; // null until propagated
    private Integer correctedSlice; // a slice prompted since the last propagation
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong revision = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    ObjectTrack(int id, String color, Segmenter segmenter, SliceSource source, BooleanSupplier cancelled) {
        this.id = id;
        this.color = color;
        this.segmenter = segmenter;
        this.source = source;
        this.cancelled = cancelled;
        this.masks = new AtomicReferenceArray<>(source.sliceCount());
    }

    int id() {
        return id;
    }

    String color() {
        return color;
    }

    /** The latest mask of slice {@code k} (width × height, 0/1), or null when none. */
    byte[] mask(int k) {
        return masks.get(k);
    }

    int sliceCount() {
        return masks.length();
    }

    boolean isBusy() {
        return busy.get();
    }

    /** Grows with every change of state, so that a client keeps the newest of two descriptions. */
    long revision() {
        return revision.get();
    }

    /**
     * Marks the object busy, or refuses (409) while another operation on it is queued or running; never waits (a
     * running job holds the lock).
     */
    void reserve(String what) {
        if (closed) {
            throw ApiException.conflict("object " + id + " is closed");
        }
        if (!busy.compareAndSet(false, true)) {
            throw ApiException.conflict("object " + id + " is busy (propagating); " + what + " when it is done");
        }
        revision.incrementAndGet();
    }

    void release() {
        busy.set(false);
        revision.incrementAndGet();
    }

    /** The prompts so far, in order (never waits for a running job). */
    List<Step> steps() {
        return published;
    }

    PropagationMode propagatedMode() {
        return propagatedMode;
    }

    /** The slice's current prompt (the last step on it), or null. */
    Prompt promptOn(int slice) {
        List<Step> s = published;
        for (int i = s.size() - 1; i >= 0; i--) {
            if (s.get(i).slice() == slice) {
                return s.get(i).prompt();
            }
        }
        return null;
    }

    /** Prompts {@code slice} with its whole prompt {@code p} (a correction when already propagated). */
    synchronized SliceResult prompt(int slice, Prompt p) {
        ensureOpen();
        if (session == null) {
            session = segmenter.session(source);
        }
        SliceResult r = session.prompt(id, slice, p);
        masks.set(slice, r.mask().clone());
        steps.add(new Step(slice, p));
        published = List.copyOf(steps);
        revision.incrementAndGet();
        if (propagatedMode != null) {
            correctedSlice = slice;
        }
        return r;
    }

    /**
     * Propagates: the first time (or in HALVES mode) through the whole volume; after corrections only from the last
     * corrected slice (to both ends), reusing the session's memory.
     */
    synchronized void propagate(PropagationMode mode, Progress progress) {
        ensureOpen();
        if (steps.isEmpty()) {
            throw ApiException.conflict("object " + id + " has no prompt yet: click on a slice first");
        }
        PropagationOptions options = PropagationOptions.defaults().withMode(mode == PropagationMode.HALVES
                ? PropagationMode.HALVES : PropagationMode.BOTH).withCancellation(cancelled);
        if (mode == PropagationMode.HALVES) {
            halves(options, progress);
        } else {
            PropagationOptions po = options.withListener((k, done, total) -> {
                SliceResult r = session.result().result(id, k);
                if (r != null) {
                    masks.set(k, r.mask().clone());
                }
                progress.slice(k, done, total);
            });
            if (propagatedMode == PropagationMode.BOTH && correctedSlice != null) {
                session.propagateFrom(correctedSlice, po); // only what the correction changes
            } else {
                session.propagate(po);
            }
        }
        propagatedMode = mode == PropagationMode.HALVES ? PropagationMode.HALVES : PropagationMode.BOTH;
        correctedSlice = null;
    }

    /** HALVES needs two independent memories: the segmenter's one-shot propagation from the one prompted slice. */
    private void halves(PropagationOptions options, Progress progress) {
        Map<Integer, Prompt> bySlice = new LinkedHashMap<>();
        for (Step s : steps) {
            bySlice.put(s.slice(), s.prompt());
        }
        if (bySlice.size() != 1) {
            throw ApiException.badRequest("halves propagates from one prompted slice, but object " + id
                    + " has prompts on slices " + bySlice.keySet() + "; use mode both");
        }
        Map.Entry<Integer, Prompt> seed = bySlice.entrySet().iterator().next();
        VolumeSegmentation v = segmenter.propagate(source,
                List.of(new ObjectPrompt(id, seed.getKey(), seed.getValue())),
                options.withListener(progress::slice));
        for (int k = 0; k < masks.length(); k++) {
            SliceResult r = v.result(id, k);
            masks.set(k, r == null ? null : r.mask().clone());
        }
    }

    /**
     * Removes the last prompt: a new session replays the others in order, and propagates again (in the same mode)
     * when the object had been propagated. Returns the slice of the removed prompt.
     */
    synchronized int undo(Progress progress) {
        ensureOpen();
        if (steps.isEmpty()) {
            throw ApiException.conflict("object " + id + " has no prompt to undo");
        }
        Step removed = steps.remove(steps.size() - 1);
        List<Step> replay = List.copyOf(steps);
        PropagationMode mode = propagatedMode;
        if (session != null) {
            session.close();
            session = null;
        }
        steps.clear();
        published = List.of();
        propagatedMode = null;
        correctedSlice = null;
        for (int k = 0; k < masks.length(); k++) {
            masks.set(k, null);
        }
        for (Step s : replay) {
            prompt(s.slice(), s.prompt());
        }
        if (mode != null && !steps.isEmpty()) {
            propagate(mode, progress);
        }
        return removed.slice();
    }

    private void ensureOpen() {
        if (closed) {
            throw ApiException.conflict("object " + id + " is closed (its volume expired)");
        }
    }

    /** Frees the session's native memory; waits for a running operation (which the workspace cancels first). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (session != null) {
                session.close();
                session = null;
            }
        }
    }
}
