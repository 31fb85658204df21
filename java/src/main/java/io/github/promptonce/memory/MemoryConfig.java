package io.github.promptonce.memory;

/**
 * The SAM 2 hyper-parameters that drive memory selection (read from a model's manifest). Defaults are the SAM 2.1
 * configs' values.
 *
 * @param numMaskmem                 spatial memories per frame, the current frame's slot included (7)
 * @param temporalStride             {@code memory_temporal_stride_for_eval} (1)
 * @param maxObjPtrs                 {@code max_obj_ptrs_in_encoder} (16)
 * @param maxCondFramesInAttn        {@code max_cond_frames_in_attn}; -1 = every conditioning frame (-1)
 * @param useObjPtrs                 {@code use_obj_ptrs_in_encoder} (true)
 * @param onlyObjPtrsInThePast       {@code only_obj_ptrs_in_the_past_for_eval} (true)
 * @param signedPointerPositions     {@code use_signed_tpos_enc_to_obj_ptrs} (true)
 */
public record MemoryConfig(int numMaskmem, int temporalStride, int maxObjPtrs, int maxCondFramesInAttn,
                           boolean useObjPtrs, boolean onlyObjPtrsInThePast, boolean signedPointerPositions) {

    public static final MemoryConfig SAM2_1 = new MemoryConfig(7, 1, 16, -1, true, true, true);

    public MemoryConfig {
        if (numMaskmem < 1) {
            throw new IllegalArgumentException("num_maskmem " + numMaskmem + " must be >= 1");
        }
        if (temporalStride < 1) {
            throw new IllegalArgumentException("memory temporal stride " + temporalStride + " must be >= 1");
        }
        if (maxObjPtrs < 1) {
            throw new IllegalArgumentException("max object pointers " + maxObjPtrs + " must be >= 1");
        }
        if (maxCondFramesInAttn != -1 && maxCondFramesInAttn < 2) {
            throw new IllegalArgumentException("max_cond_frames_in_attn " + maxCondFramesInAttn
                    + " must be -1 (all) or >= 2, as in the official code");
        }
    }

    /**
     * How far from the frame being tracked a selected memory can lie: the farthest spatial memory
     * ({@code (numMaskmem - 2) * stride + 1} frames) or the farthest pointer ({@code maxObjPtrs - 1}).
     */
    public int reach() {
        int spatial = numMaskmem >= 2 ? (numMaskmem - 2) * temporalStride + 1 : 0;
        int pointers = useObjPtrs ? maxObjPtrs - 1 : 0;
        return Math.max(1, Math.max(spatial, pointers));
    }
}
