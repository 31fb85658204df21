package io.github.promptonce.sam;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.memory.MemoryConfig;
import io.github.promptonce.model.ModelManifest;

/** The SAM 2 decision rules of the official code, read from the manifest once. */
public record TrackingRules(MemoryConfig memory, boolean multimaskInSam, boolean multimaskForTracking, int minPts,
                            int maxPts, boolean stabilityFallback, boolean binarizeFromPoints, int fillHoleArea,
                            float prevMaskClamp) {

    /** @throws PromptonceException BAD_MODEL for a policy no released SAM 2 config uses */
    public static TrackingRules of(ModelManifest m) {
        if (!m.policyFlag("directly_add_no_mem_embed")) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, m.directory()
                    + ": directly_add_no_mem_embed = false is not supported (no released SAM 2 config uses it)");
        }
        return new TrackingRules(m.memoryConfig(), m.policyFlag("multimask_output_in_sam"),
                m.policyFlag("multimask_output_for_tracking"), (int) m.policyNumber("multimask_min_pt_num"),
                (int) m.policyNumber("multimask_max_pt_num"), m.policyFlag("dynamic_multimask_via_stability"),
                m.policyFlag("binarize_mask_from_pts_for_mem_enc"), (int) m.policyNumber("fill_hole_area"),
                (float) m.policyNumber("prev_mask_logits_clamp"));
    }

    /** {@code SAM2Base._use_multimask}: a box counts as two points. */
    public boolean multimask(boolean initialConditioning, int numPoints) {
        return multimaskInSam && (initialConditioning || multimaskForTracking) && minPts <= numPoints
                && numPoints <= maxPts;
    }
}
