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
 */
public record PropagationOptions(PropagationMode mode, ProgressListener listener, BooleanSupplier cancelled,
                                 int driftGuard) {

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
        return new PropagationOptions(PropagationMode.BOTH, ProgressListener.NONE, () -> false, 0);
    }

    public PropagationOptions withMode(PropagationMode m) {
        return new PropagationOptions(m, listener, cancelled, driftGuard);
    }

    public PropagationOptions withListener(ProgressListener l) {
        return new PropagationOptions(mode, l, cancelled, driftGuard);
    }

    public PropagationOptions withCancellation(BooleanSupplier c) {
        return new PropagationOptions(mode, listener, c, driftGuard);
    }

    public PropagationOptions withDriftGuard(int slices) {
        return new PropagationOptions(mode, listener, cancelled, slices);
    }
}
