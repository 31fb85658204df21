package io.github.promptonce.cli.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * The summary per model × protocol × label: mean ± sample standard deviation of 3-D Dice and time per slice over
 * volumes; of slice Dice and Jaccard over every structure slice of the dataset pooled (the paper's scores); prompt
 * counts and the prompts saved against the per-slice protocol (one prompt per structure slice).
 */
public final class Summary {
    private Summary() {
    }

    /** Mean and sample standard deviation (n - 1; 0 for one value) of {@code n} values; NaN when none. */
    public record Stat(double mean, double sd, int n) {
        static Stat of(double[] values) {
            DescriptiveStatistics d = new DescriptiveStatistics();
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    d.addValue(v);
                }
            }
            return d.getN() == 0 ? new Stat(Double.NaN, Double.NaN, 0)
                    : new Stat(d.getMean(), d.getStandardDeviation(), (int) d.getN());
        }
    }

    /**
     * One line of {@code summary.csv}.
     *
     * @param volumes          volumes evaluated
     * @param dice3d           3-D Dice over volumes
     * @param sliceDice        2-D Dice over all structure slices (n = slices scored)
     * @param sliceJaccard     2-D Jaccard over the same slices
     * @param secondsPerSlice  time per slice over volumes
     * @param prompts          prompts given in all
     * @param structureSlices  structure slices in all (the per-slice protocol's prompt count)
     * @param promptsSavedPct  {@code 100 * (1 - prompts / structureSlices)}
     * @param fpSlices         false-positive slices (empty truth, prediction not) in all
     * @param emptySlices      slices with empty truth in all
     */
    public record Row(String model, String family, String protocol, String label, int volumes, Stat dice3d,
                      Stat sliceDice, Stat sliceJaccard, Stat secondsPerSlice, long prompts, long structureSlices,
                      double promptsSavedPct, long fpSlices, long emptySlices) {
    }

    static final List<String> HEADER = List.of("model", "family", "protocol", "label", "volumes", "dice_3d_mean",
            "dice_3d_sd", "slice_dice_mean", "slice_dice_sd", "slice_jaccard_mean", "slice_jaccard_sd",
            "slices_scored", "seconds_per_slice_mean", "seconds_per_slice_sd", "prompts", "structure_slices",
            "prompts_saved_pct", "fp_slices", "empty_slices");

    /** The summary of these rows, in the order models first appear, then protocol, then label. */
    public static List<Row> of(List<VolumeRow> volumes, List<SliceRow> slices) {
        Map<String, List<VolumeRow>> groups = new LinkedHashMap<>();
        Map<String, Integer> modelOrder = new LinkedHashMap<>();
        for (VolumeRow v : volumes) {
            modelOrder.putIfAbsent(v.model(), modelOrder.size());
            groups.computeIfAbsent(Csv.line(List.of(v.model(), v.protocol(), v.label())), k -> new ArrayList<>()).add(v);
        }
        Map<String, List<SliceRow>> sliceGroups = new LinkedHashMap<>();
        for (SliceRow s : slices) {
            if (s.structureSlice()) {
                sliceGroups.computeIfAbsent(Csv.line(List.of(s.model(), s.protocol(), s.label())),
                        k -> new ArrayList<>()).add(s);
            }
        }
        List<Row> out = new ArrayList<>();
        groups.forEach((key, rows) -> {
            VolumeRow first = rows.get(0);
            List<SliceRow> sl = sliceGroups.getOrDefault(key, List.of());
            long prompts = rows.stream().mapToLong(VolumeRow::prompts).sum();
            long structureSlices = rows.stream().mapToLong(VolumeRow::structureSlices).sum();
            out.add(new Row(first.model(), first.family(), first.protocol(), first.label(), rows.size(),
                    stat(rows, VolumeRow::dice3d), Stat.of(sl.stream().mapToDouble(SliceRow::dice).toArray()),
                    Stat.of(sl.stream().mapToDouble(SliceRow::jaccard).toArray()),
                    stat(rows, VolumeRow::secondsPerSlice), prompts, structureSlices,
                    structureSlices == 0 ? Double.NaN : 100.0 * (1.0 - (double) prompts / structureSlices),
                    rows.stream().mapToLong(VolumeRow::fpSlices).sum(),
                    rows.stream().mapToLong(VolumeRow::emptySlices).sum()));
        });
        out.sort(Comparator.comparing((Row r) -> modelOrder.get(r.model()))
                .thenComparing(r -> protocolOrder(r.protocol())).thenComparing(Row::label));
        return out;
    }

    private static int protocolOrder(String id) {
        for (Protocol p : Protocol.values()) {
            if (p.id().equals(id)) {
                return p.ordinal();
            }
        }
        return Protocol.values().length;
    }

    private static Stat stat(List<VolumeRow> rows, ToDoubleFunction<VolumeRow> f) {
        return Stat.of(rows.stream().mapToDouble(f).toArray());
    }

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(Csv.line(HEADER)).append('\n');
        for (Row r : rows) {
            sb.append(Csv.line(List.of(r.model(), r.family(), r.protocol(), r.label(), Integer.toString(r.volumes()),
                    Csv.num(r.dice3d().mean()), Csv.num(r.dice3d().sd()), Csv.num(r.sliceDice().mean()),
                    Csv.num(r.sliceDice().sd()), Csv.num(r.sliceJaccard().mean()), Csv.num(r.sliceJaccard().sd()),
                    Integer.toString(r.sliceDice().n()), Csv.num(r.secondsPerSlice().mean()),
                    Csv.num(r.secondsPerSlice().sd()), Long.toString(r.prompts()), Long.toString(r.structureSlices()),
                    Csv.num(r.promptsSavedPct()), Long.toString(r.fpSlices()), Long.toString(r.emptySlices()))))
                    .append('\n');
        }
        return sb.toString();
    }
}
