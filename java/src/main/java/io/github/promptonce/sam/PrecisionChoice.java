package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.CpuFeatures;

/** Turns a requested {@link Precision} into the one a model runs at: FP32 or BF16, never AUTO. */
final class PrecisionChoice {
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
                yield Precision.BF16;
            }
            case AUTO -> manifest.hasBfloat16() && (device.kind() == Device.Kind.CUDA || CpuFeatures.hasBfloat16())
                    ? Precision.BF16 : Precision.FP32;
        };
    }
}
