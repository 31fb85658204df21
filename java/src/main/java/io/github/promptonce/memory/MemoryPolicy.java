package io.github.promptonce.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * SAM 2's memory selection, as {@code SAM2Base._prepare_memory_conditioned_features} does it in evaluation, on
 * frame indices only: which conditioning and non-conditioning frames give spatial memories and object pointers to
 * the frame being tracked. Stateless and thread-safe.
 */
public final class MemoryPolicy {
    private final MemoryConfig config;

    public MemoryPolicy(MemoryConfig config) {
        this.config = config;
    }

    public MemoryConfig config() {
        return config;
    }

    /**
     * Selects the memories for {@code frame}, which is not an initial conditioning frame (those use no memory).
     *
     * @param frame          the frame being tracked
     * @param reverse        tracking towards lower frame indices
     * @param condFrames     frames in the conditioning store (at least one)
     * @param nonCondFrames  frames in the non-conditioning store
     * @param numFrames      frames in the video (bounds the pointer search and the pointer count)
     */
    public MemorySelection select(int frame, boolean reverse, Set<Integer> condFrames, Set<Integer> nonCondFrames,
                                  int numFrames) {
        if (condFrames.isEmpty()) {
            throw new IllegalStateException("no conditioning frame: prompt a frame before tracking frame " + frame);
        }
        if (numFrames < 1 || frame < 0 || frame >= numFrames) {
            throw new IllegalArgumentException("frame " + frame + " outside a video of " + numFrames + " frames");
        }
        NavigableSet<Integer> cond = new TreeSet<>(condFrames);
        Set<Integer> selectedCond = selectClosestCondFrames(frame, cond);
        Set<Integer> unselectedCond = new TreeSet<>(cond);
        unselectedCond.removeAll(selectedCond);

        List<MemorySelection.Spatial> spatial = new ArrayList<>();
        int n = config.numMaskmem();
        for (int t : selectedCond) {
            spatial.add(new MemorySelection.Spatial(t, true, n - 1)); // t_pos 0
        }
        int r = config.temporalStride();
        for (int tPos = 1; tPos < n; tPos++) {
            int tRel = n - tPos;
            int prev;
            if (tRel == 1) {
                prev = reverse ? frame + 1 : frame - 1;
            } else if (!reverse) {
                prev = Math.floorDiv(frame - 2, r) * r - (tRel - 2) * r;
            } else {
                prev = -Math.floorDiv(-(frame + 2), r) * r + (tRel - 2) * r;
            }
            if (nonCondFrames.contains(prev)) {
                spatial.add(new MemorySelection.Spatial(prev, false, n - tPos - 1));
            } else if (unselectedCond.contains(prev)) {
                spatial.add(new MemorySelection.Spatial(prev, true, n - tPos - 1));
            }
        }

        List<MemorySelection.Pointer> pointers = new ArrayList<>();
        int maxPtrs = Math.min(numFrames, config.maxObjPtrs());
        if (config.useObjPtrs()) {
            for (int t : selectedCond) {
                boolean inThePast = reverse ? t >= frame : t <= frame;
                if (config.onlyObjPtrsInThePast() && !inThePast) {
                    continue;
                }
                int position = config.signedPointerPositions() ? (frame - t) * (reverse ? -1 : 1)
                        : Math.abs(frame - t);
                pointers.add(new MemorySelection.Pointer(t, true, position));
            }
            for (int tDiff = 1; tDiff < maxPtrs; tDiff++) {
                int t = reverse ? frame + tDiff : frame - tDiff;
                if (t < 0 || t >= numFrames) {
                    break;
                }
                if (nonCondFrames.contains(t)) {
                    pointers.add(new MemorySelection.Pointer(t, false, tDiff));
                } else if (unselectedCond.contains(t)) {
                    pointers.add(new MemorySelection.Pointer(t, true, tDiff));
                }
            }
        }
        return new MemorySelection(spatial, pointers, Math.max(1, maxPtrs - 1));
    }

    /**
     * {@code select_closest_cond_frames}: all conditioning frames when the limit is -1 or not reached; else the
     * closest before, the closest at-or-after, then the temporally closest others. Iterates in ascending frame order.
     */
    Set<Integer> selectClosestCondFrames(int frame, NavigableSet<Integer> cond) {
        int limit = config.maxCondFramesInAttn();
        if (limit == -1 || cond.size() <= limit) {
            return cond;
        }
        Set<Integer> selected = new LinkedHashSet<>();
        Integer before = cond.lower(frame);
        if (before != null) {
            selected.add(before);
        }
        Integer after = cond.ceiling(frame);
        if (after != null) {
            selected.add(after);
        }
        List<Integer> rest = new ArrayList<>();
        for (int t : cond) {
            if (!selected.contains(t)) {
                rest.add(t);
            }
        }
        // Python's sorted is stable: ties keep ascending order
        rest.sort(Comparator.comparingInt(t -> Math.abs(t - frame)));
        for (int i = 0; i < rest.size() && selected.size() < limit; i++) {
            selected.add(rest.get(i));
        }
        return new TreeSet<>(selected);
    }
}
