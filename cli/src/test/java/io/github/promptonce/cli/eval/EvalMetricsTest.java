package io.github.promptonce.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.VolumeMask;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Scores, rows and the summary against numbers computed by hand on a 4×4×3 truth/prediction pair. */
class EvalMetricsTest {
    static final double EPS = 1e-9;

    /**
     * Truth: slice 0 empty; slice 1 the 2×2 block x,y ∈ {1,2}; slice 2 the row y = 0 (4 voxels).
     * Prediction: slice 0 one voxel (a false positive); slice 1 three voxels of the block; slice 2 x ∈ {0,1},
     * y ∈ {0,1} (2 of them on the truth).
     */
    static VolumeMask truth() {
        VolumeMask t = VolumeMask.empty(4, 4, 3, Geometry.ofSpacing(1, 1, 1));
        t.set(1, 1, 1, 1);
        t.set(2, 1, 1, 1);
        t.set(1, 2, 1, 1);
        t.set(2, 2, 1, 1);
        for (int x = 0; x < 4; x++) {
            t.set(x, 0, 2, 1);
        }
        return t;
    }

    static byte[] prediction() {
        VolumeMask p = VolumeMask.empty(4, 4, 3, Geometry.ofSpacing(1, 1, 1));
        p.set(3, 3, 0, 1);
        p.set(1, 1, 1, 1);
        p.set(2, 1, 1, 1);
        p.set(1, 2, 1, 1);
        p.set(0, 0, 2, 1);
        p.set(1, 0, 2, 1);
        p.set(0, 1, 2, 1);
        p.set(1, 1, 2, 1);
        return p.labels();
    }

    static Scoring.Scored scored(String volume, byte[] predicted, Protocol protocol, int prompts) {
        Structure s = new Structure("all", truth());
        Outcome o = new Outcome(s, predicted, "image", prompts, Set.of(1, 2), new double[] {Double.NaN, 0.5, 0.25},
                0.75, 2, -1, "");
        return Scoring.score("m", "sam", protocol, volume, o);
    }

    @Test
    void perSliceAndVolumeScoresMatchHandComputedValues() {
        Scoring.Scored s = scored("v", prediction(), Protocol.PER_SLICE, 2);
        List<SliceRow> rows = s.slices();
        assertEquals(3, rows.size());
        SliceRow s0 = rows.get(0);
        assertEquals("false_positive", s0.status());
        assertEquals(0, s0.truth());
        assertEquals(1, s0.predicted());
        assertEquals(0.0, s0.dice(), EPS);
        assertFalse(s0.prompted());
        SliceRow s1 = rows.get(1);
        assertEquals(4, s1.truth());
        assertEquals(3, s1.predicted());
        assertEquals(3, s1.intersection());
        assertEquals(6.0 / 7.0, s1.dice(), EPS); // 2·3 / (4 + 3)
        assertEquals(0.75, s1.jaccard(), EPS); // 3 / 4
        assertTrue(s1.prompted());
        assertEquals(0.5, s1.seconds(), EPS);
        SliceRow s2 = rows.get(2);
        assertEquals(0.5, s2.dice(), EPS); // 2·2 / (4 + 4)
        assertEquals(1.0 / 3.0, s2.jaccard(), EPS); // 2 / 6
        VolumeRow v = s.volume();
        assertEquals(3, v.slices());
        assertEquals(2, v.structureSlices());
        assertEquals(10.0 / 16.0, v.dice3d(), EPS); // 2·5 / (8 + 8)
        assertEquals(5.0 / 11.0, v.jaccard3d(), EPS); // 5 / (8 + 8 − 5)
        assertEquals((6.0 / 7.0 + 0.5) / 2, v.sliceDice(), EPS); // the paper's: structure slices only
        assertEquals((0.75 + 1.0 / 3.0) / 2, v.sliceJaccard(), EPS);
        assertEquals(1, v.emptySlices());
        assertEquals(1, v.fpSlices());
        assertEquals(0, v.missedSlices());
        assertEquals(0.375, v.secondsPerSlice(), EPS); // 0.75 s / 2 slices
    }

    @Test
    void rowsSurviveTheirCsvRoundTrip() {
        Scoring.Scored s = scored("a, \"b\"", prediction(), Protocol.PER_SLICE, 2);
        VolumeRow v = s.volume();
        VolumeRow back = VolumeRow.of(new Csv.Row(VolumeRow.HEADER, Csv.parse(v.csv())));
        assertEquals(v.volume(), back.volume());
        assertEquals(v.dice3d(), back.dice3d(), 1e-6);
        assertEquals(-1, back.seedSlice());
        SliceRow r = s.slices().get(0);
        SliceRow rb = SliceRow.of(new Csv.Row(SliceRow.HEADER, Csv.parse(r.csv())));
        assertEquals(r.status(), rb.status());
        assertTrue(Double.isNaN(rb.seconds()));
    }

    @Test
    void summaryMeanAndSdMatchHandComputedValues() {
        byte[] perfect = truth().labels();
        Scoring.Scored a = scored("v1", prediction(), Protocol.PER_SLICE, 2);
        Scoring.Scored b = scored("v2", perfect, Protocol.PER_SLICE, 2);
        Scoring.Scored c = scored("v1", prediction(), Protocol.SEED, 1);
        Scoring.Scored d = scored("v2", perfect, Protocol.SEED, 1);
        List<Scoring.Scored> all = List.of(a, b, c, d);
        List<Summary.Row> rows = Summary.of(all.stream().map(Scoring.Scored::volume).toList(),
                all.stream().flatMap(s -> s.slices().stream()).toList());
        assertEquals(2, rows.size());
        Summary.Row per = rows.get(0);
        assertEquals("per-slice", per.protocol());
        assertEquals(2, per.volumes());
        assertEquals(0.8125, per.dice3d().mean(), EPS); // (0.625 + 1) / 2
        assertEquals(0.375 / Math.sqrt(2), per.dice3d().sd(), EPS); // sample sd of two values: |a − b| / √2
        // slice Dice pooled over the 4 structure slices {6/7, 1/2, 1, 1}
        assertEquals((6.0 / 7.0 + 0.5 + 2) / 4, per.sliceDice().mean(), EPS);
        assertEquals(0.23600270954284533, per.sliceDice().sd(), 1e-12);
        assertEquals(4, per.sliceDice().n());
        assertEquals(0.7708333333333333, per.sliceJaccard().mean(), 1e-12);
        assertEquals(0.3145764348029479, per.sliceJaccard().sd(), 1e-12);
        assertEquals(4, per.prompts());
        assertEquals(4, per.structureSlices());
        assertEquals(0.0, per.promptsSavedPct(), EPS);
        assertEquals(1, per.fpSlices()); // the false positive of v1
        assertEquals(2, per.emptySlices());
        Summary.Row seed = rows.get(1);
        assertEquals("seed", seed.protocol());
        assertEquals(50.0, seed.promptsSavedPct(), EPS); // 1 − 2 prompts / 4 structure slices
        String csv = Summary.csv(rows);
        assertEquals(3, csv.lines().count());
        assertTrue(csv.lines().skip(1).findFirst().orElseThrow().startsWith("m,sam,per-slice,all,2,0.8125,0.265165,"),
                csv);
    }

    @Test
    void structuresMergeOrSplitTheLabelValues() {
        VolumeMask l = VolumeMask.empty(2, 2, 2, Geometry.ofSpacing(1, 1, 1));
        l.set(0, 0, 0, 1);
        l.set(1, 0, 0, 2);
        l.set(1, 1, 1, 2);
        List<Structure> merged = Structures.of(l, LabelMode.MERGE, new TreeSet<>());
        assertEquals(1, merged.size());
        assertEquals("all", merged.get(0).label());
        assertEquals(3, merged.get(0).truth().count());
        List<Structure> per = Structures.of(l, LabelMode.PER_LABEL, new TreeSet<>());
        assertEquals(List.of("1", "2"), per.stream().map(Structure::label).toList());
        assertEquals(2, per.get(1).truth().count());
        assertEquals(2, per.get(1).truth().count(1), "binary truth: label 2 becomes 1");
        List<Structure> only2 = Structures.of(l, LabelMode.MERGE, new TreeSet<>(Set.of(2)));
        assertEquals("2", only2.get(0).label());
        assertEquals(2, only2.get(0).truth().count());
        assertEquals(1, only2.get(0).slices()[0] + only2.get(0).slices()[1]); // slices 0 and 1
        assertTrue(Structures.of(l, LabelMode.PER_LABEL, new TreeSet<>(Set.of(7))).isEmpty());
    }

    @Test
    void seedRulesPickASliceHoldingTheStructure() {
        int[] slices = {2, 3, 4, 7};
        assertEquals(4, SeedRule.STRUCTURE.seed(slices, 10)); // (2 + 7) / 2 = 4
        assertEquals(4, SeedRule.VOLUME.seed(slices, 10)); // 10 / 2 = 5 is empty: 4 is nearer than 7
        assertEquals(3, SeedRule.STRUCTURE.seed(new int[] {3, 7}, 10)); // 5 empty, 3 and 7 tie: the lower
        assertEquals(6, SeedRule.VOLUME.seed(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 13));
    }
}
