package io.github.promptonce;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How a propagation runs.
 *
 * @param mode       which passes (default {@link PropagationMode#BOTH})
 * @param listener   told after each slice (never null; {@link ProgressListener#NONE} to ignore)
 * @param cancelled  polled before each slice; when it says true the propagation stops with
 *                   {@link java.util.concurrent.CancellationException}
 * @param driftGuard stop a pass for an object after this many consecutive tracked slices with object score
 *                   ≤ 0 (0 = never); where it stopped is reported
 * @param encodeAhead encode the next slice on a runtime thread while the current one is tracked (default on; needs
 *                   at least 2 intra-op threads, which are split between the two threads, each setting its own
 *                   count): the image encoder does not depend on the memory bank. With other thread counts per
 *                   operation, results differ from a pass without it by rounding only (the same masks in the tests;
 *                   logits within ~1e-6) and are reproducible run to run, also with passes running at once (no
 *                   pass changes a process-wide count). A pass that the drift guard or a cancellation ends may
 *                   have encoded one slice it does not use
 */
public record PropagationOptions(PropagationMode mode, ProgressListener listener, BooleanSupplier cancelled,
                                 int driftGuard, boolean encodeAhead) {

    /** Told after each propagated slice. */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = (slice, done, total) -> { };

        /** {@code slice} was segmented for every active object; {@code done} of {@code total} steps are finished. */
        void onSlice(int slice, int done, int total);
    }

    public PropagationOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(cancelled, "cancelled");
        if (driftGuard < 0) {
            throw new IllegalArgumentException("drift guard " + driftGuard + " must be >= 0 (0 = off)");
        }
    }

    public static PropagationOptions defaults() {
        return new PropagationOptions(PropagationMode.BOTH, ProgressListener.NONE, () -> false, 0, true);
    }

    public PropagationOptions withMode(PropagationMode m) {
        return new PropagationOptions(m, listener, cancelled, driftGuard, encodeAhead);
    }

    public PropagationOptions withListener(ProgressListener l) {
        return new PropagationOptions(mode, l, cancelled, driftGuard, encodeAhead);
    }

    public PropagationOptions withCancellation(BooleanSupplier c) {
        return new PropagationOptions(mode, listener, c, driftGuard, encodeAhead);
    }

    public PropagationOptions withDriftGuard(int slices) {
        return new PropagationOptions(mode, listener, cancelled, slices, encodeAhead);
    }

    public PropagationOptions withEncodeAhead(boolean on) {
        return new PropagationOptions(mode, listener, cancelled, driftGuard, on);
    }
}
