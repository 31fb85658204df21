package io.github.promptonce;

/**
 * How a {@link Segmenter} loads and runs.
 *
 * @param device    where the modules run
 * @param threads   LibTorch intra-op threads (process-wide); 0 = one per available core (Debian's LibTorch
 *                  would otherwise use one)
 * @param optimize  freeze + optimise modules for inference when they allow it
 * @param retention what each {@link MemoryBank} keeps of tracked frames
 * @param fillHoles apply SAM 2's {@code fill_hole_area} to tracked masks (as the official predictor does on
 *                  GPU; the official code skips it on CPU, where its CUDA kernel is missing)
 */
public record SegmenterOptions(Device device, int threads, boolean optimize, MemoryBank.Retention retention,
                               boolean fillHoles) {

    public SegmenterOptions {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be >= 0 (0 = one per core)");
        }
        if (retention == null) {
            throw new IllegalArgumentException("retention must not be null");
        }
    }

    /** CPU, one thread per core, no freezing, bounded memory, holes filled. */
    public static SegmenterOptions defaults() {
        return new SegmenterOptions(Device.CPU, 0, false, MemoryBank.Retention.WINDOW, true);
    }

    public SegmenterOptions withDevice(Device d) {
        return new SegmenterOptions(d, threads, optimize, retention, fillHoles);
    }

    public SegmenterOptions withThreads(int n) {
        return new SegmenterOptions(device, n, optimize, retention, fillHoles);
    }

    public SegmenterOptions withFillHoles(boolean fill) {
        return new SegmenterOptions(device, threads, optimize, retention, fill);
    }

    public SegmenterOptions withRetention(MemoryBank.Retention r) {
        return new SegmenterOptions(device, threads, optimize, r, fillHoles);
    }
}
