package io.github.promptonce.cli.eval;

import io.github.promptonce.volume.VolumeMask;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Turns a label volume into the structures to evaluate ({@link LabelMode}). */
public final class Structures {
    /** The label of the merged structure when no value is selected. */
    public static final String ALL = "all";

    private Structures() {
    }

    /**
     * The structures of {@code labels}: with {@link LabelMode#MERGE} one (absent when none of its values occurs),
     * with {@link LabelMode#PER_LABEL} one per selected value that occurs, ascending.
     *
     * @param selected the label values to use (1..255); empty = every non-zero value
     */
    public static List<Structure> of(VolumeMask labels, LabelMode mode, SortedSet<Integer> selected) {
        for (int v : selected) {
            if (v < 1 || v > 255) {
                throw new IllegalArgumentException("label value " + v + " must be 1..255");
            }
        }
        SortedSet<Integer> present = new TreeSet<>(labels.labelSet());
        present.remove(0);
        if (!selected.isEmpty()) {
            present.retainAll(selected);
        }
        List<Structure> out = new ArrayList<>();
        if (mode == LabelMode.PER_LABEL) {
            for (int v : present) {
                out.add(new Structure(Integer.toString(v), labels.select(v)));
            }
        } else if (!present.isEmpty()) {
            String name = selected.isEmpty() ? ALL
                    : selected.stream().map(String::valueOf).collect(Collectors.joining("+"));
            out.add(new Structure(name, merge(labels, present)));
        }
        return out;
    }

    private static VolumeMask merge(VolumeMask labels, SortedSet<Integer> values) {
        boolean[] in = new boolean[256];
        values.forEach(v -> in[v] = true);
        byte[] l = labels.labels();
        for (int p = 0; p < l.length; p++) {
            l[p] = in[l[p] & 0xff] ? (byte) 1 : 0;
        }
        return VolumeMask.of(l, labels.nx(), labels.ny(), labels.nz(), labels.geometry());
    }
}
