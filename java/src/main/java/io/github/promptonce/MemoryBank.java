package io.github.promptonce;

import io.github.promptonce.sam.MemoryState;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One object's SAM 2 memory over one volume: the outputs of its prompted (conditioning) frames and of the frames
 * tracked so far, selected for each new frame exactly as the official {@code _prepare_memory_conditioned_features}.
 *
 * <p>Bounded: with {@link Retention#WINDOW} (the default) it keeps every conditioning frame, and a tracked frame
 * only while it lies within the policy's reach ({@link io.github.promptonce.memory.MemoryConfig#reach()}) of the
 * frame tracked last or of a conditioning frame — all that a propagation starting from a conditioning frame can
 * still select. Memory stays flat on long volumes. A propagation that later restarts from a new prompt (a
 * correction) then sees only the memories still held near it, where the official predictor would also attend to
 * older, pruned ones; {@link Retention#ALL} keeps everything for exact parity in that case too.
 *
 * <p>Not thread-safe: one thread at a time (different banks may be used in parallel with one segmenter).
 * Owns native memory: close it (idempotent); other use after close throws {@link IllegalStateException}.
 */
public final class MemoryBank implements AutoCloseable {

    /** What the bank keeps of tracked frames. */
    public enum Retention {
        /** Only what later frames can still select (bounded). */
        WINDOW,
        /** Everything (grows with the volume). */
        ALL
    }

    private final MemoryState state;
    private final Retention retention;

    MemoryBank(MemoryState state, Retention retention) {
        this.state = state;
        this.retention = retention;
    }

    /** Frames of the volume this bank tracks through. */
    public int numFrames() {
        return state.numFrames();
    }

    public Retention retention() {
        return retention;
    }

    /** Prompted frames, ascending (a copy). */
    public SortedSet<Integer> conditioningFrames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(state.conditioningFrames()));
    }

    /** Frames whose memory is held now (conditioning and tracked). */
    public int heldFrames() {
        return state.heldFrames();
    }

    /** The memory the SAM layer works on. */
    MemoryState state() {
        if (state.isClosed()) {
            throw new IllegalStateException("memory bank is closed");
        }
        return state;
    }

    /** Frees every held memory. Idempotent. */
    @Override
    public void close() {
        state.close();
    }

    public boolean isClosed() {
        return state.isClosed();
    }
}
