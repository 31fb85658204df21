package io.github.promptonce;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;

/**
 * How a {@link Segmenter} loads and runs.
 *
 * @param backend   which LibTorch runs the models ({@link Backend#AUTO}: the one this JVM already loaded, else
 *                  the native layer when its library loads, else JavaCPP)
 * @param device    where the modules run
 * @param threads   LibTorch intra-op threads of this segmenter's work, set on the threads that run it only (never
 *                  process-wide); 0 = the runtime's process count ({@code -Dpromptonce.threads}, else one per
 *                  core). OpenBLAS's pool, which LibTorch's matrix products use, is process-wide and keeps the
 *                  runtime's count
 * @param optimize  freeze + optimise modules for inference when they allow it
 * @param retention what each {@link MemoryBank} keeps of tracked frames
 * @param fillHoles apply SAM 2's {@code fill_hole_area} to tracked masks (as the official predictor does on
 *                  GPU; the official code skips it on CPU, where its CUDA kernel is missing)
 * @param modelSha256 the SHA-256 (hex) of the only model's {@code manifest.json} that {@link Segmenter#load} accepts,
 *                  or null to accept any model (a model directory is code: pin it when it comes from elsewhere)
 * @param precision the number format: {@link Precision#FP32} (default), {@link Precision#BF16} (the heavy components
 *                  in bfloat16; the model must have its bfloat16 variants) or {@link Precision#AUTO} (bfloat16 on
 *                  CUDA or a CPU with bfloat16 instructions when the model has the variants, else float32)
 */
public record SegmenterOptions(Backend backend, Device device, int threads, boolean optimize,
                               MemoryBank.Retention retention, boolean fillHoles,
                               String modelSha256, Precision precision) {

    /** The system property that sets the default backend: {@code native}, {@code javacpp} or {@code auto}. */
    public static final String BACKEND_PROPERTY = "promptonce.backend";

    public SegmenterOptions {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be >= 0 (0 = one per core)");
        }
        if (retention == null) {
            throw new IllegalArgumentException("retention must not be null");
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null (FP32, BF16 or AUTO)");
        }
        if (modelSha256 != null) {
            io.github.promptonce.model.ModelManifest.checkSha256Format(modelSha256);
        }
    }

    /**
     * The backend of {@code -Dpromptonce.backend} (else AUTO), CPU, one thread per core, no freezing, bounded memory,
     * holes filled.
     */
    public static SegmenterOptions defaults() {
        String b = System.getProperty(BACKEND_PROPERTY);
        return new SegmenterOptions(b == null ? Backend.AUTO : Backend.parse(b), Device.CPU, 0, false,
                MemoryBank.Retention.WINDOW, true, null, Precision.FP32);
    }

    public SegmenterOptions withBackend(Backend b) {
        return new SegmenterOptions(b, device, threads, optimize, retention, fillHoles, modelSha256, precision);
    }

    public SegmenterOptions withDevice(Device d) {
        return new SegmenterOptions(backend, d, threads, optimize, retention, fillHoles, modelSha256, precision);
    }

    public SegmenterOptions withThreads(int n) {
        return new SegmenterOptions(backend, device, n, optimize, retention, fillHoles, modelSha256, precision);
    }

    public SegmenterOptions withOptimize(boolean o) {
        return new SegmenterOptions(backend, device, threads, o, retention, fillHoles, modelSha256, precision);
    }

    public SegmenterOptions withFillHoles(boolean fill) {
        return new SegmenterOptions(backend, device, threads, optimize, retention, fill, modelSha256, precision);
    }

    public SegmenterOptions withRetention(MemoryBank.Retention r) {
        return new SegmenterOptions(backend, device, threads, optimize, r, fillHoles, modelSha256, precision);
    }

    /** Accepts only the model whose {@code manifest.json} has this SHA-256 (hex); null accepts any. */
    public SegmenterOptions withModelSha256(String sha256) {
        return new SegmenterOptions(backend, device, threads, optimize, retention, fillHoles, sha256, precision);
    }

    /** The number format to compute in (see {@link Precision}); FP32 by default. */
    public SegmenterOptions withPrecision(Precision p) {
        return new SegmenterOptions(backend, device, threads, optimize, retention, fillHoles, modelSha256, p);
    }
}
