package io.github.promptonce.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a {@link SegmentationScore} as CSV: a header, one row per slice, and a final row whose {@code slice} column
 * is {@code 3d} with the volume counts and scores. Undefined scores (both empty) are empty cells.
 *
 * <pre>
 * slice,truth_voxels,predicted_voxels,intersection,dice,jaccard,status
 * 0,0,0,0,,,both_empty
 * 1,4,3,3,0.857143,0.75,both_present
 * 3d,4,3,3,0.857143,0.75,
 * </pre>
 */
public final class MetricsCsv {
    /** The header row. */
    public static final String HEADER = "slice,truth_voxels,predicted_voxels,intersection,dice,jaccard,status";

    private MetricsCsv() {
    }

    public static String toCsv(SegmentationScore score) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (SliceScore s : score.slices()) {
            sb.append(s.index()).append(',').append(s.truth()).append(',').append(s.predicted()).append(',')
                    .append(s.intersection()).append(',').append(num(s.dice())).append(',')
                    .append(num(s.jaccard())).append(',').append(s.status().csvName()).append('\n');
        }
        sb.append("3d,").append(score.truth()).append(',').append(score.predicted()).append(',')
                .append(score.intersection()).append(',').append(num(score.dice())).append(',')
                .append(num(score.jaccard())).append(",\n");
        return sb.toString();
    }

    public static void write(SegmentationScore score, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, toCsv(score), StandardCharsets.UTF_8);
    }

    /** Up to 6 decimals, no trailing zeros; empty for NaN. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        String s = String.format(Locale.ROOT, "%.6f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }
}
