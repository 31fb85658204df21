package io.github.promptonce.memory;

import java.util.List;

/**
 * Which stored frames condition the frame being tracked, in the official order: conditioning frames' spatial
 * memories, then non-conditioning ones from the oldest temporal slot to the newest, then object pointers.
 *
 * @param spatial        spatial memories to attend to
 * @param pointers       object pointers to attend to
 * @param pointerNormaliser the divisor of pointer positions in their sine encoding ({@code max_ptrs - 1})
 */
public record MemorySelection(List<Spatial> spatial, List<Pointer> pointers, int pointerNormaliser) {

    public MemorySelection {
        spatial = List.copyOf(spatial);
        pointers = List.copyOf(pointers);
    }

    /**
     * A spatial memory.
     *
     * @param frame        the stored frame
     * @param conditioning whether it comes from the conditioning store
     * @param tposIndex    the index into {@code maskmem_tpos_enc}: {@code numMaskmem - t_pos - 1}
     */
    public record Spatial(int frame, boolean conditioning, int tposIndex) {
    }

    /**
     * An object pointer.
     *
     * @param frame        the stored frame
     * @param conditioning whether it comes from the conditioning store
     * @param position     its temporal position (signed distance from the current frame, as the official code)
     */
    public record Pointer(int frame, boolean conditioning, int position) {
    }
}
