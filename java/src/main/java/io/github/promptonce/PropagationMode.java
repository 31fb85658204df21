package io.github.promptonce;

/** How SAM 2 propagates prompts through a volume. */
public enum PropagationMode {
    /**
     * The official predictor: prompts on their slices, a forward pass from the first prompted slice to the end,
     * then a reverse pass from it to slice 0, both through one memory store (the reverse pass also sees the
     * forward pass's memories).
     */
    BOTH,
    /**
     * The seed paper's two independent half-videos from the (single) prompted slice: slices seed..end and
     * seed..0, each with its own memory.
     */
    HALVES,
    /** Only the forward pass from the first prompted slice. */
    FORWARD,
    /** Only the reverse pass from the last prompted slice. */
    BACKWARD
}
