package io.github.promptonce.cli.eval;

import java.util.Locale;

/** How the label values of a label volume become structures to segment. */
public enum LabelMode {
    /** The selected values (default: every non-zero value) form one structure, e.g. left + right lung. */
    MERGE,
    /** Each selected value (default: each non-zero value present) is its own structure. */
    PER_LABEL;

    /** The command-line name: {@code merge}, {@code per-label}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static LabelMode parse(String s) {
        for (LabelMode m : values()) {
            if (m.id().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("labels mode '" + s + "' is not one of merge, per-label");
    }
}
