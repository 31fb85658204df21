package io.github.promptonce.sam;

import io.github.promptonce.memory.MemoryConfig;
import io.github.promptonce.memory.MemoryPolicy;
import io.github.promptonce.memory.MemorySelection;

import java.util.BitSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * One object's SAM 2 memory over one video: the outputs of its prompted (conditioning) frames and of the frames
 * tracked so far, selected for each new frame exactly as the official {@code _prepare_memory_conditioned_features}.
 * With {@code keepAll} false it keeps a tracked frame only while it lies within the policy's reach of the frame
 * tracked last or of a conditioning frame (bounded memory). One thread at a time; owns native memory (close is
 * idempotent; other use after close throws {@link IllegalStateException}).
 */
public final class MemoryState implements AutoCloseable {
    private final MemoryPolicy policy;
    private final int numFrames;
    private final boolean keepAll;
    private final TreeMap<Integer, FrameMemory> conditioning = new TreeMap<>();
    private final TreeMap<Integer, FrameMemory> tracked = new TreeMap<>();
    /** Frames a propagation has passed through, and in which direction (for later prompts on them). */
    private final BitSet visited = new BitSet();
    private final BitSet visitedReverse = new BitSet();
    private boolean closed;

    /** @throws IllegalArgumentException when {@code numFrames < 1} */
    public MemoryState(MemoryConfig config, int numFrames, boolean keepAll) {
        if (numFrames < 1) {
            throw new IllegalArgumentException("a memory bank needs at least one frame, got " + numFrames);
        }
        this.policy = new MemoryPolicy(config);
        this.numFrames = numFrames;
        this.keepAll = keepAll;
    }

    public int numFrames() {
        return numFrames;
    }

    /** Prompted frames, ascending (a view). */
    public NavigableSet<Integer> conditioningFrames() {
        ensureOpen();
        return conditioning.navigableKeySet();
    }

    /** Frames whose memory is held now (conditioning and tracked). */
    public int heldFrames() {
        ensureOpen();
        return conditioning.size() + tracked.size();
    }

    public boolean isConditioning(int frame) {
        ensureOpen();
        return conditioning.containsKey(frame);
    }

    /** Whether a propagation has passed through {@code frame} (tracked it, or reused its prompt there). */
    public boolean wasVisited(int frame) {
        return visited.get(frame);
    }

    /** The direction of the last propagation through {@code frame}. */
    public boolean visitedInReverse(int frame) {
        return visitedReverse.get(frame);
    }

    public void markVisited(int frame, boolean reverse) {
        checkFrame(frame);
        visited.set(frame);
        visitedReverse.set(frame, reverse);
    }

    /** The stored memory of a frame (conditioning first), or null. */
    public FrameMemory get(int frame) {
        ensureOpen();
        FrameMemory m = conditioning.get(frame);
        return m != null ? m : tracked.get(frame);
    }

    public FrameMemory get(int frame, boolean fromConditioning) {
        ensureOpen();
        FrameMemory m = (fromConditioning ? conditioning : tracked).get(frame);
        if (m == null) {
            throw new IllegalStateException("no " + (fromConditioning ? "conditioning" : "tracked")
                    + " memory for frame " + frame);
        }
        return m;
    }

    /** Stores a prompted frame's output; replaces (and frees) what either store held for that frame. */
    public void putConditioning(int frame, FrameMemory memory) {
        checkFrame(frame);
        ensureOpen();
        close(tracked.remove(frame));
        close(conditioning.put(frame, memory));
    }

    /** Stores a tracked frame's output, then drops what no later frame can select. */
    public void putTracked(int frame, FrameMemory memory) {
        checkFrame(frame);
        ensureOpen();
        if (conditioning.containsKey(frame)) {
            throw new IllegalStateException("frame " + frame + " is a conditioning frame: its output is reused,"
                    + " not tracked");
        }
        close(tracked.put(frame, memory));
        if (!keepAll) {
            prune(frame);
        }
    }

    /** The memories that condition {@code frame} (not a conditioning frame), tracked in the given direction. */
    public MemorySelection select(int frame, boolean reverse) {
        ensureOpen();
        checkFrame(frame);
        return policy.select(frame, reverse, conditioning.keySet(), tracked.keySet(), numFrames);
    }

    MemoryConfig config() {
        return policy.config();
    }

    private void prune(int current) {
        int reach = policy.config().reach();
        Iterator<Map.Entry<Integer, FrameMemory>> it = tracked.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, FrameMemory> e = it.next();
            int f = e.getKey();
            if (Math.abs(f - current) > reach && !nearConditioning(f, reach)) {
                e.getValue().close();
                it.remove();
            }
        }
    }

    private boolean nearConditioning(int frame, int reach) {
        Integer below = conditioning.floorKey(frame);
        Integer above = conditioning.ceilingKey(frame);
        return (below != null && frame - below <= reach) || (above != null && above - frame <= reach);
    }

    private void checkFrame(int frame) {
        if (frame < 0 || frame >= numFrames) {
            throw new IllegalArgumentException("frame " + frame + " outside 0.." + (numFrames - 1));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("memory bank is closed");
        }
    }

    private static void close(FrameMemory m) {
        if (m != null) {
            m.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frees every held memory. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            conditioning.values().forEach(FrameMemory::close);
            tracked.values().forEach(FrameMemory::close);
            conditioning.clear();
            tracked.clear();
        }
    }
}
