package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.CpuFeatures;

/** Turns a requested {@link Precision} into the one a model runs at: FP32 or BF16, never AUTO. */
final class PrecisionChoice {
    private static final System.Logger LOG = System.getLogger(PrecisionChoice.class.getName());

    private PrecisionChoice() {
    }

    static Precision resolve(Precision requested, ModelManifest manifest, Device device) {
        return switch (requested) {
            case FP32 -> Precision.FP32;
            case BF16 -> {
                if (!manifest.hasBfloat16()) {
                    throw new PromptonceException(ErrorCode.UNSUPPORTED_MODEL, "precision bf16: model "
                            + manifest.directory() + " (" + manifest.arch() + ") has no bfloat16 components; "
                            + "re-export it with models/export.py (it writes them unless --no-bf16), or use fp32");
                }
                if (device.kind() == Device.Kind.CPU && !CpuFeatures.hasBfloat16()) {
                    // honoured, since it was asked for, but the user should know what it costs: without these
                    // instructions LibTorch emulates bfloat16 products, 6-27x slower per frame than fp32
                    // (docs/performance.md)
                    LOG.log(System.Logger.Level.WARNING, () -> slowBf16Warning(manifest));
                }
                yield Precision.BF16;
            }
            case AUTO -> manifest.hasBfloat16() && (device.kind() == Device.Kind.CUDA || CpuFeatures.hasBfloat16())
                    ? Precision.BF16 : Precision.FP32;
        };
    }

    /** The warning for bf16 asked for on a CPU without bfloat16 instructions. */
    static String slowBf16Warning(ModelManifest manifest) {
        return "precision bf16 on a CPU without bfloat16 instructions (neither avx512_bf16 nor amx_bf16 in "
                + "/proc/cpuinfo): LibTorch emulates the bfloat16 products, so " + manifest.arch()
                + " will run slower than at fp32, not faster (6-27x per frame measured on such a CPU); "
                + "--precision auto picks fp32 here";
    }
}
