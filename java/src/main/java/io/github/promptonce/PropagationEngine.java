package io.github.promptonce;

import io.github.promptonce.runtime.ThreadScope;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.WorkerThreads;
import io.github.promptonce.sam.FrameMemory;
import io.github.promptonce.sam.MaskPrediction;
import io.github.promptonce.sam.Sam2EncodedImage;
import io.github.promptonce.sam.Sam2Tracker;
import io.github.promptonce.volume.Slice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntFunction;

/**
 * The one propagation engine: runs SAM 2 through a volume for one or more objects, for
 * {@link Segmenter#propagate}, {@link Segmenter#propagateDataset} and {@link SegmentationSession}. Each slice is
 * encoded once and shared by every object that needs it; each object has its own {@link MemoryBank}.
 *
 * <p>Threads: a pass runs on the caller's thread with the segmenter's intra-op count (half of it while the next
 * slice is encoded ahead on a runtime thread with the other half), set on those threads only — never process-wide
 * — so propagations running at once do not change each other's counts. Thread-safe: no state between calls.
 */
final class PropagationEngine {
    private final Sam2Tracker tracker;
    private final TorchRuntime runtime;
    private final int threads;
    private final MemoryBank.Retention retention;
    /** Where a pass encodes the next slice: the runtime's worker threads, each with its own count. */
    private final SliceEncoder.AheadRunner workers;

    PropagationEngine(Sam2Tracker tracker, TorchRuntime runtime, int threads, MemoryBank.Retention retention) {
        this.tracker = tracker;
        this.runtime = runtime;
        this.threads = threads;
        this.retention = retention;
        this.workers = new SliceEncoder.AheadRunner() {
            @Override
            public <R> java.util.concurrent.Future<R> submit(int n, java.util.concurrent.Callable<R> task) {
                return WorkerThreads.submit(runtime, n, task);
            }
        };
    }

    /** One object's bank in one video. */
    record Track(int objectId, MemoryBank bank) {
    }

    /** Progress of one propagation, for the listener. */
    private static final class Progress {
        private final PropagationOptions options;
        private final int total;
        private int done;

        Progress(PropagationOptions options, int total) {
            this.options = options;
            this.total = total;
        }

        void slice(int slice) {
            options.listener().onSlice(slice, ++done, total);
        }
    }

    /** The SAM 2 steps this engine runs (also used by {@link Segmenter}'s single-step calls). */
    Sam2Tracker tracker() {
        return tracker;
    }

    MemoryBank newBank(int numFrames) {
        return new MemoryBank(tracker.newMemory(numFrames, retention == MemoryBank.Retention.ALL), retention);
    }

    /** The API's result for the tracker's prediction on a {@code width × height} slice. */
    SliceResult result(MaskPrediction p, int width, int height) {
        return SliceResult.of(p, width, height, tracker.model().preprocessor());
    }

    /**
     * Prompts objects on one slice, encoding it once: each object's bank is made on first use (over the whole
     * volume); results go to {@code out}.
     */
    Map<Integer, SliceResult> prompt(SliceSource source, Map<Integer, MemoryBank> banks, int slice,
                                     Map<Integer, Prompt> prompts, VolumeSegmentation out) {
        Map<Integer, SliceResult> results = new LinkedHashMap<>();
        try (ThreadScope t = ThreadScope.of(runtime, threads);
             Sam2EncodedImage e = tracker.model().encode(source.slice(slice))) {
            for (Map.Entry<Integer, Prompt> p : new TreeMap<>(prompts).entrySet()) {
                MemoryBank bank = banks.computeIfAbsent(p.getKey(), id -> newBank(source.sliceCount()));
                SliceResult r = result(tracker.prompt(bank.state(), slice, e, p.getValue().toModel()),
                        source.width(), source.height());
                out.put(p.getKey(), slice, r);
                results.put(p.getKey(), r);
            }
        }
        return results;
    }

    /**
     * Propagates every bank from its prompted slices: {@link PropagationMode#BOTH} = forward from the first
     * prompted slice to the end, then reverse from it to slice 0 (the official predictor); FORWARD / BACKWARD one
     * of those (the reverse pass from the last prompted slice).
     */
    void propagate(SliceSource source, Map<Integer, MemoryBank> banks, PropagationOptions options,
                   VolumeSegmentation out) {
        PropagationMode mode = options.mode();
        if (mode == PropagationMode.HALVES) {
            throw new IllegalArgumentException("HALVES needs two memories per object: use Segmenter.propagate");
        }
        TreeSet<Integer> prompted = promptedSlices(banks);
        int n = source.sliceCount();
        int first = prompted.first();
        int last = prompted.last();
        Progress progress = new Progress(options, (mode != PropagationMode.BACKWARD ? n - first : 0)
                + (mode == PropagationMode.BOTH ? first + 1 : mode == PropagationMode.BACKWARD ? last + 1 : 0));
        List<Track> tracks = tracks(banks);
        if (mode == PropagationMode.BOTH || mode == PropagationMode.FORWARD) {
            pass(source, tracks, first, n - 1, false, f -> f, out, options, progress);
        }
        if (mode == PropagationMode.BOTH) {
            pass(source, tracks, first, 0, true, f -> f, out, options, progress);
        } else if (mode == PropagationMode.BACKWARD) {
            pass(source, tracks, last, 0, true, f -> f, out, options, progress);
        }
    }

    /** Re-propagates every bank from {@code slice} forward to the end, then in reverse to slice 0. */
    void propagateFrom(SliceSource source, Map<Integer, MemoryBank> banks, int slice, PropagationOptions options,
                       VolumeSegmentation out) {
        promptedSlices(banks);
        int n = source.sliceCount();
        if (slice < 0 || slice >= n) {
            throw new IllegalArgumentException("slice " + slice + " outside 0.." + (n - 1));
        }
        Progress progress = new Progress(options, n + 1);
        List<Track> tracks = tracks(banks);
        pass(source, tracks, slice, n - 1, false, f -> f, out, options, progress);
        pass(source, tracks, slice, 0, true, f -> f, out, options, progress);
    }

    /** The paper's halves: slices seed..end and seed..0 as two videos, each object with its own two banks. */
    void halves(SliceSource source, Map<Integer, Prompt> byObject, int seed, PropagationOptions options,
                VolumeSegmentation out) {
        int n = source.sliceCount();
        Progress progress = new Progress(options, n + 1);
        List<Track> up = new ArrayList<>();
        List<Track> down = new ArrayList<>();
        try {
            try (ThreadScope t = ThreadScope.of(runtime, threads);
                 Sam2EncodedImage e = tracker.model().encode(source.slice(seed))) {
                for (Map.Entry<Integer, Prompt> p : byObject.entrySet()) {
                    Track u = new Track(p.getKey(), newBank(n - seed));
                    up.add(u);
                    out.put(p.getKey(), seed, result(tracker.prompt(u.bank().state(), 0, e, p.getValue().toModel()),
                            source.width(), source.height()));
                    Track d = new Track(p.getKey(), newBank(seed + 1));
                    down.add(d);
                    tracker.prompt(d.bank().state(), 0, e, p.getValue().toModel());
                }
            }
            pass(source, up, 0, n - 1 - seed, false, f -> seed + f, out, options, progress);
            pass(source, down, 0, seed, false, f -> seed - f, out, options, progress);
        } finally {
            up.forEach(t -> t.bank().close());
            down.forEach(t -> t.bank().close());
        }
    }

    /**
     * One prompt for a whole dataset: the reference slice is encoded and prompted once; its conditioning memory
     * seeds both halves of every volume (as frame 0 of each half-video, its own output discarded), which then
     * track from {@code seedOf(volume)} outwards.
     */
    List<VolumeSegmentation> dataset(Slice reference, Prompt prompt, List<SliceSource> volumes,
                                     ToIntFunction<SliceSource> seedOf, PropagationOptions options) {
        try (FrameMemory seedMemory = promptReference(reference, prompt)) {
            return dataset(seedMemory, volumes, seedOf, options);
        }
    }

    /** The reference slice encoded and prompted once: its conditioning memory (the caller owns it). */
    FrameMemory promptReference(Slice reference, Prompt prompt) {
        try (MemoryBank referenceBank = newBank(1)) {
            try (ThreadScope t = ThreadScope.of(runtime, threads);
                 Sam2EncodedImage e = tracker.model().encode(reference)) {
                tracker.prompt(referenceBank.state(), 0, e, prompt.toModel());
            }
            return referenceBank.state().get(0, true).share();
        }
    }

    /** {@link #dataset(Slice, Prompt, List, ToIntFunction, PropagationOptions)} from a prompted reference's memory. */
    List<VolumeSegmentation> dataset(FrameMemory seedMemory, List<SliceSource> volumes,
                                     ToIntFunction<SliceSource> seedOf, PropagationOptions options) {
        List<VolumeSegmentation> results = new ArrayList<>();
        for (SliceSource v : volumes) {
            int n = v.sliceCount();
            int seed = seedOf.applyAsInt(v);
            if (seed < 0 || seed >= n) {
                throw new IllegalArgumentException("seed slice " + seed + " outside 0.." + (n - 1));
            }
            VolumeSegmentation out = new VolumeSegmentation(v.width(), v.height(), n);
            out.promptsUsed(0); // the dataset's single prompt is counted by the caller, once
            Progress progress = new Progress(options, n + 1);
            try (MemoryBank up = newBank(n - seed + 1); MemoryBank down = newBank(seed + 2)) {
                up.state().putConditioning(0, seedMemory.share());
                down.state().putConditioning(0, seedMemory.share());
                // video frame f >= 1 is slice seed ± (f - 1); frame 0 is the reference
                pass(v, List.of(new Track(1, up)), 1, n - seed, false, f -> seed + f - 1, out, options,
                        progress);
                VolumeSegmentation lower = new VolumeSegmentation(v.width(), v.height(), n);
                pass(v, List.of(new Track(1, down)), 1, seed + 1, false, f -> seed - (f - 1), lower, options,
                        progress);
                for (int k = 0; k < seed; k++) {
                    out.put(1, k, lower.result(1, k));
                }
                lower.driftStops(1).forEach(s -> out.driftStop(1, s));
            }
            results.add(out);
        }
        return results;
    }

    /**
     * Propagates every track from video frame {@code start} to {@code end} (inclusive); {@code toSlice} maps a
     * video frame to the volume slice. Conditioning frames reuse their stored output.
     */
    private void pass(SliceSource source, List<Track> tracks, int start, int end, boolean reverse,
                      IntUnaryOperator toSlice, VolumeSegmentation out, PropagationOptions options,
                      Progress progress) {
        int step = reverse ? -1 : 1;
        boolean ahead = options.encodeAhead() && threads >= 2;
        int aheadThreads = threads / 2;
        Map<Integer, Integer> absentRun = new LinkedHashMap<>();
        List<Track> active = new ArrayList<>(tracks);
        SliceEncoder.AheadRunner runner = ahead ? workers : null;
        try (ThreadScope t = ThreadScope.of(runtime, ahead ? threads - aheadThreads : threads);
             SliceEncoder<Sam2EncodedImage> encoder = new SliceEncoder<>(tracker.model()::encode, source, runner,
                     aheadThreads)) {
            for (int f = start; f != end + step && !active.isEmpty(); f += step) {
                if (options.cancelled().getAsBoolean()) {
                    throw new CancellationException("propagation cancelled at slice " + toSlice.applyAsInt(f));
                }
                int slice = toSlice.applyAsInt(f);
                Sam2EncodedImage e = needsEncoding(active, f) ? encoder.take(slice) : null;
                try {
                    int next = f + step;
                    if (next != end + step && needsEncoding(active, next)) {
                        encoder.encodeAhead(toSlice.applyAsInt(next));
                    }
                    List<Track> stopped = new ArrayList<>();
                    for (Track track : active) {
                        if (track.bank().state().isConditioning(f)) {
                            track.bank().state().markVisited(f, reverse);
                            continue; // its result was stored when it was prompted
                        }
                        SliceResult r = result(tracker.track(track.bank().state(), f, e, reverse), source.width(),
                                source.height());
                        out.put(track.objectId(), slice, r);
                        int run = r.objectScore() > 0 ? 0 : absentRun.getOrDefault(track.objectId(), 0) + 1;
                        absentRun.put(track.objectId(), run);
                        if (options.driftGuard() > 0 && run >= options.driftGuard()) {
                            out.driftStop(track.objectId(), slice);
                            stopped.add(track);
                        }
                    }
                    active.removeAll(stopped);
                } finally {
                    if (e != null) {
                        e.close();
                    }
                }
                progress.slice(slice);
            }
        }
    }

    /** Whether a track must run on frame {@code f} (conditioning frames reuse their stored output). */
    private static boolean needsEncoding(List<Track> active, int f) {
        for (Track t : active) {
            if (!t.bank().state().isConditioning(f)) {
                return true;
            }
        }
        return false;
    }

    private static TreeSet<Integer> promptedSlices(Map<Integer, MemoryBank> banks) {
        TreeSet<Integer> prompted = new TreeSet<>();
        banks.values().forEach(b -> prompted.addAll(b.state().conditioningFrames()));
        if (prompted.isEmpty()) {
            throw new IllegalStateException("no prompt yet: prompt an object on a slice before propagating");
        }
        return prompted;
    }

    private static List<Track> tracks(Map<Integer, MemoryBank> banks) {
        List<Track> t = new ArrayList<>();
        banks.forEach((id, bank) -> t.add(new Track(id, bank)));
        return t;
    }
}
