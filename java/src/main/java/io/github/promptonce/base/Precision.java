package io.github.promptonce.base;

import java.util.Locale;

/**
 * The number format a model computes in.
 *
 * <ul>
 *   <li>{@link #FP32}: every component in float32 (the default; what the parity figures are for);</li>
 *   <li>{@link #BF16}: the heavy components (image encoder; SAM 2's memory attention) in bfloat16, the mask
 *       decoders and SAM 2's memory encoder in float32 (masks, IoU, object score and pointers are decided in float32;
 *       memories are stored in bfloat16 at either precision, as the official predictor stores them). Needs a
 *       model exported with its bfloat16 variants ({@code models/export.py} writes them by default). On a CPU
 *       without bfloat16 instructions it runs as asked, many times slower than {@code FP32}, and logs a
 *       warning;</li>
 *   <li>{@link #AUTO}: {@code BF16} where it pays, on CUDA or on a CPU with bfloat16 instructions
 *       ({@code avx512_bf16} or {@code amx_bf16}), when the model has the variants; else {@code FP32}.</li>
 * </ul>
 */
public enum Precision {
    FP32, BF16, AUTO;

    /** Parses {@code fp32}, {@code bf16} or {@code auto} (any case). */
    public static Precision parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("precision must not be null (expected fp32, bf16 or auto)");
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("unknown precision \"" + text + "\" (expected fp32, bf16 or auto)");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
