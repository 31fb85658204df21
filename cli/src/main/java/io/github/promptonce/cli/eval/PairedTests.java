package io.github.promptonce.cli.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Paired t-tests SAM vs SAM 2 on per-slice scores, as the paper: for every SAM (v1) model A on the per-slice
 * protocol and every SAM 2 model B on each of its protocols, the slice scores of A and B are paired on the same
 * (volume, label, slice) among the slices whose truth holds the structure; Dice and Jaccard; two-sided
 * (Apache Commons Math {@link TTest#pairedT} / {@link TTest#pairedTTest}). The difference is B − A.
 */
public final class PairedTests {
    private PairedTests() {
    }

    /**
     * One line of {@code ttest.csv}; {@code t} and {@code p} are NaN (empty) for fewer than 2 pairs or when every
     * difference is the same.
     */
    public record Row(String modelA, String protocolA, String modelB, String protocolB, String metric, int n,
                      double meanA, double meanB, double meanDiff, double t, double p) {
    }

    static final List<String> HEADER = List.of("model_a", "protocol_a", "model_b", "protocol_b", "metric", "n",
            "mean_a", "mean_b", "mean_diff", "t", "p");

    /** The paired test of two samples ({@code b[i]} paired with {@code a[i]}). */
    public static Row test(String modelA, String protocolA, String modelB, String protocolB, String metric,
                           double[] a, double[] b) {
        int n = a.length;
        if (n != b.length) {
            throw new IllegalArgumentException("samples of " + a.length + " and " + b.length + " values");
        }
        double meanA = n == 0 ? Double.NaN : StatUtils.mean(a);
        double meanB = n == 0 ? Double.NaN : StatUtils.mean(b);
        double t = Double.NaN;
        double p = Double.NaN;
        if (n >= 2 && StatUtils.varianceDifference(b, a, StatUtils.meanDifference(b, a)) > 0) {
            TTest test = new TTest();
            t = test.pairedT(b, a);
            p = test.pairedTTest(b, a);
        }
        return new Row(modelA, protocolA, modelB, protocolB, metric, n, meanA, meanB, meanB - meanA, t, p);
    }

    /** Every SAM-vs-SAM-2 test these rows allow (none without a SAM model and a SAM 2 model). */
    public static List<Row> of(List<VolumeRow> volumes, List<SliceRow> slices) {
        Map<String, String> family = new HashMap<>();
        Set<String> models = new LinkedHashSet<>();
        Set<String> protocolsSeen = new LinkedHashSet<>();
        volumes.forEach(v -> {
            family.put(v.model(), v.family());
            models.add(v.model());
            protocolsSeen.add(v.model() + "\n" + v.protocol());
        });
        Map<String, Map<String, SliceRow>> byRun = new HashMap<>(); // model \n protocol -> (volume, label, slice) -> row
        for (SliceRow s : slices) {
            if (s.structureSlice()) {
                byRun.computeIfAbsent(s.model() + "\n" + s.protocol(), k -> new HashMap<>())
                        .put(Csv.line(List.of(s.volume(), s.label(), Integer.toString(s.slice()))), s);
            }
        }
        List<Row> out = new ArrayList<>();
        for (String a : models) {
            if (!"sam".equals(family.get(a)) || !protocolsSeen.contains(a + "\n" + Protocol.PER_SLICE.id())) {
                continue;
            }
            for (String b : models) {
                if (!"sam2".equals(family.get(b))) {
                    continue;
                }
                for (Protocol pb : Protocol.values()) {
                    if (!protocolsSeen.contains(b + "\n" + pb.id())) {
                        continue;
                    }
                    Map<String, SliceRow> ra = byRun.getOrDefault(a + "\n" + Protocol.PER_SLICE.id(), Map.of());
                    Map<String, SliceRow> rb = byRun.getOrDefault(b + "\n" + pb.id(), Map.of());
                    List<String> keys = ra.keySet().stream().filter(rb::containsKey).sorted().toList();
                    out.add(pair(a, b, pb, "dice", keys, ra, rb, SliceRow::dice));
                    out.add(pair(a, b, pb, "jaccard", keys, ra, rb, SliceRow::jaccard));
                }
            }
        }
        return out;
    }

    private static Row pair(String a, String b, Protocol pb, String metric, List<String> keys,
                            Map<String, SliceRow> ra, Map<String, SliceRow> rb, ToDoubleFunction<SliceRow> f) {
        double[] x = keys.stream().mapToDouble(k -> f.applyAsDouble(ra.get(k))).toArray();
        double[] y = keys.stream().mapToDouble(k -> f.applyAsDouble(rb.get(k))).toArray();
        return test(a, Protocol.PER_SLICE.id(), b, pb.id(), metric, x, y);
    }

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(Csv.line(HEADER)).append('\n');
        for (Row r : rows) {
            sb.append(Csv.line(List.of(r.modelA(), r.protocolA(), r.modelB(), r.protocolB(), r.metric(),
                    Integer.toString(r.n()), Csv.num(r.meanA()), Csv.num(r.meanB()), Csv.num(r.meanDiff()),
                    Csv.num(r.t()), numP(r.p())))).append('\n');
        }
        return sb.toString();
    }

    /** p-values keep their small magnitudes: scientific notation. */
    private static String numP(double p) {
        return Double.isNaN(p) ? "" : String.format(java.util.Locale.ROOT, "%.6g", p);
    }
}
