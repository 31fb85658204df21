package io.github.promptonce.cli.eval;

import java.util.Locale;

/**
 * Which slice of a volume is prompted in the {@code seed} protocol (and is the shared-seed reference slice).
 * Either way the chosen slice holds the structure: when the rule's slice does not, the nearest slice that does
 * is used (the lower one on a tie).
 */
public enum SeedRule {
    /** The middle of the structure's extent: {@code (first + last) / 2} of the slices holding it. */
    STRUCTURE,
    /** The middle of the volume, {@code slices / 2}: the paper's {@code frames // 2}. */
    VOLUME;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SeedRule parse(String s) {
        for (SeedRule r : values()) {
            if (r.id().equalsIgnoreCase(s.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("seed slice rule '" + s + "' is not one of structure, volume");
    }

    /**
     * The seed slice.
     *
     * @param structureSlices the slices holding the structure, ascending, not empty
     * @param sliceCount      the volume's number of slices
     */
    public int seed(int[] structureSlices, int sliceCount) {
        if (structureSlices.length == 0) {
            throw new IllegalArgumentException("the structure is on no slice");
        }
        int wanted = this == STRUCTURE ? (structureSlices[0] + structureSlices[structureSlices.length - 1]) / 2
                : sliceCount / 2;
        int best = structureSlices[0];
        for (int k : structureSlices) {
            if (Math.abs(k - wanted) < Math.abs(best - wanted)) {
                best = k;
            }
        }
        return best;
    }
}
