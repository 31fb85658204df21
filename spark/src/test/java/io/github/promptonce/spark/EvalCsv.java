package io.github.promptonce.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Reads eval's CSVs for comparison: rows sorted, time columns dropped (they differ between any two runs). */
final class EvalCsv {
    private static final Set<String> TIME = Set.of("seconds", "seconds_per_slice");

    private EvalCsv() {
    }

    static List<String> withoutTimes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != header.size()) {
                throw new AssertionError(csv + ": row of " + f.length + " fields, header " + header.size() + ": "
                        + line);
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < f.length; i++) {
                if (!TIME.contains(header.get(i))) {
                    sb.append(f[i]).append(',');
                }
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }
}
