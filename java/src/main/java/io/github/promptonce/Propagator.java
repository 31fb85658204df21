package io.github.promptonce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.function.IntUnaryOperator;

/**
 * Runs SAM 2 through a volume for one or more objects: each slice is encoded once and shared by every object
 * that needs it; each object has its own memory bank.
 */
final class Propagator {
    private final Segmenter segmenter;
    private final PropagationOptions options;
    private int done;
    private int total;

    Propagator(Segmenter segmenter, PropagationOptions options) {
        this.segmenter = segmenter;
        this.options = options;
    }

    /** One object's bank in one video. */
    record Track(int objectId, MemoryBank bank) {
    }

    /** The number of steps the passes about to run will report (for the progress listener). */
    void expect(int steps) {
        done = 0;
        total = steps;
    }

    VolumeSegmentation propagate(SliceSource source, List<ObjectPrompt> prompts) {
        Objects.requireNonNull(source, "source");
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
        TreeSet<Integer> prompted = new TreeSet<>();
        byObject.values().forEach(m -> prompted.addAll(m.keySet()));
        if (options.mode() == PropagationMode.HALVES) {
            if (prompted.size() != 1) {
                throw new IllegalArgumentException("HALVES mode propagates from one seed slice; prompts are on slices "
                        + prompted + " (use BOTH for several prompted slices)");
            }
            VolumeSegmentation out = new VolumeSegmentation(source.width(), source.height(), n);
            out.promptsUsed(prompts.size());
            halves(source, byObject, prompted.first(), out);
            return out;
        }
        try (SegmentationSession session = new SegmentationSession(segmenter, source)) {
            for (int slice : prompted) {
                Map<Integer, Prompt> here = new TreeMap<>();
                byObject.forEach((id, m) -> {
                    if (m.containsKey(slice)) {
                        here.put(id, m.get(slice));
                    }
                });
                session.prompt(slice, here);
            }
            VolumeSegmentation result = session.propagate(options);
            result.promptsUsed(prompts.size());
            return result;
        }
    }

    /** The paper's halves: frames seed..end and seed..0 as two videos, each with its own banks. */
    private void halves(SliceSource source, Map<Integer, TreeMap<Integer, Prompt>> byObject, int seed,
                        VolumeSegmentation out) {
        int n = source.sliceCount();
        total = n + 1;
        List<Track> up = new ArrayList<>();
        List<Track> down = new ArrayList<>();
        try {
            try (ImageEmbedding e = segmenter.encode(source.slice(seed))) {
                for (int id : byObject.keySet()) {
                    Prompt p = byObject.get(id).get(seed);
                    Track u = new Track(id, segmenter.newMemoryBank(n - seed));
                    up.add(u);
                    out.put(id, seed, segmenter.addPrompt(u.bank(), 0, e, p));
                    Track d = new Track(id, segmenter.newMemoryBank(seed + 1));
                    down.add(d);
                    segmenter.addPrompt(d.bank(), 0, e, p);
                }
            }
            pass(source, up, 0, n - 1 - seed, false, f -> seed + f, out);
            pass(source, down, 0, seed, false, f -> seed - f, out);
        } finally {
            up.forEach(t -> t.bank().close());
            down.forEach(t -> t.bank().close());
        }
    }

    /**
     * Propagates every track from video frame {@code start} to {@code end} (inclusive); {@code toSlice} maps a
     * video frame to the volume slice. Conditioning frames reuse their stored output.
     */
    void pass(SliceSource source, List<Track> tracks, int start, int end, boolean reverse,
                      IntUnaryOperator toSlice, VolumeSegmentation out) {
        int step = reverse ? -1 : 1;
        Map<Integer, Integer> absentRun = new LinkedHashMap<>();
        List<Track> active = new ArrayList<>(tracks);
        try (SliceEncoder encoder = new SliceEncoder(segmenter::encode, source, options.encodeAhead(),
                segmenter.threads(), segmenter::setThreadsHere)) {
            for (int f = start; f != end + step && !active.isEmpty(); f += step) {
                if (options.cancelled().getAsBoolean()) {
                    throw new CancellationException("propagation cancelled at slice " + toSlice.applyAsInt(f));
                }
                int slice = toSlice.applyAsInt(f);
                ImageEmbedding e = needsEncoding(active, f) ? encoder.take(slice) : null;
                try {
                    int next = f + step;
                    if (next != end + step && needsEncoding(active, next)) {
                        encoder.encodeAhead(toSlice.applyAsInt(next));
                    }
                    List<Track> stopped = new ArrayList<>();
                    for (Track t : active) {
                        if (t.bank().isConditioning(f)) {
                            t.bank().markVisited(f, reverse);
                            continue; // its result was stored when it was prompted
                        }
                        SliceResult r = segmenter.track(t.bank(), f, e, reverse);
                        out.put(t.objectId(), slice, r);
                        int run = r.objectScore() > 0 ? 0 : absentRun.getOrDefault(t.objectId(), 0) + 1;
                        absentRun.put(t.objectId(), run);
                        if (options.driftGuard() > 0 && run >= options.driftGuard()) {
                            out.driftStop(t.objectId(), slice);
                            stopped.add(t);
                        }
                    }
                    active.removeAll(stopped);
                } finally {
                    if (e != null) {
                        e.close();
                    }
                }
                options.listener().onSlice(slice, ++done, total);
            }
        }
    }

    /** Whether a track must run on frame {@code f} (conditioning frames reuse their stored output). */
    private static boolean needsEncoding(List<Track> active, int f) {
        for (Track t : active) {
            if (!t.bank().isConditioning(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One prompt for a whole dataset: the reference slice is encoded and prompted once; its conditioning memory
     * seeds both halves of every volume (as frame 0 of each half-video, its own output discarded), which then
     * track from {@code seedOf(volume)} outwards.
     */
    List<VolumeSegmentation> propagateDataset(Image2D reference, Prompt prompt, List<SliceSource> volumes,
                                              java.util.function.ToIntFunction<SliceSource> seedOf) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(volumes, "volumes");
        prompt.requireInside(reference.width(), reference.height());
        List<VolumeSegmentation> results = new ArrayList<>();
        try (MemoryBank referenceBank = segmenter.newMemoryBank(1);
             ImageEmbedding e = segmenter.encode(reference)) {
            segmenter.addPrompt(referenceBank, 0, e, prompt);
            FrameMemory seedMemory = referenceBank.get(0, true);
            for (SliceSource v : volumes) {
                int n = v.sliceCount();
                int seed = seedOf.applyAsInt(v);
                if (seed < 0 || seed >= n) {
                    throw new IllegalArgumentException("seed slice " + seed + " outside 0.." + (n - 1));
                }
                VolumeSegmentation out = new VolumeSegmentation(v.width(), v.height(), n);
                out.promptsUsed(0); // the dataset's single prompt is counted by the caller, once
                done = 0;
                total = n + 1;
                Track up = new Track(1, segmenter.newMemoryBank(n - seed + 1));
                Track down = new Track(1, segmenter.newMemoryBank(seed + 2));
                try {
                    up.bank().putConditioning(0, seedMemory.share());
                    down.bank().putConditioning(0, seedMemory.share());
                    // video frame f >= 1 is slice seed ± (f - 1); frame 0 is the reference
                    pass(v, List.of(up), 1, n - seed, false, f -> seed + f - 1, out);
                    VolumeSegmentation lower = new VolumeSegmentation(v.width(), v.height(), n);
                    pass(v, List.of(down), 1, seed + 1, false, f -> seed - (f - 1), lower);
                    for (int k = 0; k < seed; k++) {
                        out.put(1, k, lower.result(1, k));
                    }
                    lower.driftStops(1).forEach(s -> out.driftStop(1, s));
                } finally {
                    up.bank().close();
                    down.bank().close();
                }
                results.add(out);
            }
        }
        return results;
    }
}
