package io.github.promptonce.cli.eval;

/** The evaluation protocols of the seed paper. */
public enum Protocol {
    /** Image mode on every slice that holds the structure, each with a prompt from that slice's truth (any model). */
    PER_SLICE("per-slice", false),
    /** SAM 2: one prompt from the truth of the volume's seed slice, propagated through the volume. */
    SEED("seed", true),
    /** SAM 2: one prompt for the whole dataset, on a reference slice of the first volume, via propagateDataset. */
    SHARED_SEED("shared-seed", true);

    private final String id;
    private final boolean sam2Only;

    Protocol(String id, boolean sam2Only) {
        this.id = id;
        this.sam2Only = sam2Only;
    }

    /** The command-line and CSV name. */
    public String id() {
        return id;
    }

    /** Whether it needs SAM 2's memory (SAM (v1) models run {@link #PER_SLICE} only). */
    public boolean sam2Only() {
        return sam2Only;
    }

    public static Protocol parse(String s) {
        for (Protocol p : values()) {
            if (p.id.equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("protocol '" + s + "' is not one of per-slice, seed, shared-seed");
    }
}
