package io.github.promptonce.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.VolumeMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-computed values on 3×2×4 masks (nx = 3, ny = 2, nz = 4). */
class MetricsTest {
    @TempDir
    Path tmp;

    private static VolumeMask mask(int[][] voxels) {
        VolumeMask m = VolumeMask.empty(3, 2, 4, Geometry.ofSpacing(1, 1, 1));
        for (int[] v : voxels) {
            m.set(v[0], v[1], v[2], v.length > 3 ? v[3] : 1);
        }
        return m;
    }

    // truth: k=1 {(0,0),(1,0),(2,0),(0,1)}, k=2 {(1,1)}; k=0 and k=3 empty
    static final VolumeMask TRUTH = mask(new int[][] {{0, 0, 1}, {1, 0, 1}, {2, 0, 1}, {0, 1, 1}, {1, 1, 2}});
    // prediction: k=0 {(2,1)} (false positive), k=1 {(0,0),(1,0),(1,1)}, k=2 empty (missed), k=3 empty
    static final VolumeMask PRED = mask(new int[][] {{2, 1, 0}, {0, 0, 1}, {1, 0, 1}, {1, 1, 1}});

    @Test
    void perSliceAndVolumeAlongK() {
        SegmentationScore s = Metrics.compare(TRUTH, PRED);
        assertEquals(Axis.K, s.axis());
        assertEquals(5, s.truth());
        assertEquals(4, s.predicted());
        assertEquals(2, s.intersection());
        assertEquals(4.0 / 9, s.dice(), 1e-15);
        assertEquals(2.0 / 7, s.jaccard(), 1e-15);
        List<SliceScore> sl = s.slices();
        assertEquals(new SliceScore(0, 0, 1, 0, 0, 0, SliceStatus.FALSE_POSITIVE), sl.get(0));
        assertEquals(new SliceScore(1, 4, 3, 2, 4.0 / 7, 2.0 / 5, SliceStatus.BOTH_PRESENT), sl.get(1));
        assertEquals(new SliceScore(2, 1, 0, 0, 0, 0, SliceStatus.MISSED), sl.get(2));
        assertEquals(SliceStatus.BOTH_EMPTY, sl.get(3).status());
        assertTrue(Double.isNaN(sl.get(3).dice()));
        assertTrue(Double.isNaN(sl.get(3).jaccard()));
        assertEquals(1, s.bothEmptySlices());
        assertEquals(1, s.falsePositiveSlices());
        assertEquals(1, s.missedSlices());
        assertEquals(3, s.scoredSlices());
        assertEquals(List.of(0), s.falsePositiveSliceIndices());
        assertEquals((4.0 / 7) / 3, s.meanSliceDice(), 1e-15);
        assertEquals(0.4 / 3, s.meanSliceJaccard(), 1e-15);
    }

    @Test
    void otherAxes() {
        SegmentationScore j = Metrics.compare(TRUTH, PRED, Axis.J);
        assertEquals(2, j.slices().size());
        assertEquals(0.8, j.slices().get(0).dice(), 1e-15); // truth 3, pred 2, both 2
        assertEquals(0.0, j.slices().get(1).dice()); // truth 2, pred 2, both 0
        assertEquals(SliceStatus.BOTH_PRESENT, j.slices().get(1).status());
        SegmentationScore i = Metrics.compare(TRUTH, PRED, Axis.I);
        assertEquals(2.0 / 3, i.slices().get(0).dice(), 1e-15);
        assertEquals(0.5, i.slices().get(1).dice(), 1e-15);
        assertEquals(0.0, i.slices().get(2).dice());
        assertEquals(4.0 / 9, i.dice(), 1e-15); // 3-D scores do not depend on the axis
    }

    @Test
    void labelsPerfectAndEmpty() {
        VolumeMask labels = mask(new int[][] {{0, 0, 0, 2}, {1, 0, 0, 2}, {2, 1, 3, 5}});
        VolumeMask pred = mask(new int[][] {{0, 0, 0}, {2, 1, 3}});
        SegmentationScore two = Metrics.compare(labels, pred, Axis.K, 2, 1);
        assertEquals(2, two.truth());
        assertEquals(2, two.predicted());
        assertEquals(1, two.intersection());
        assertEquals(0.5, two.dice(), 1e-15);
        assertEquals(1, two.falsePositiveSlices()); // slice 3 has label 5 only
        SegmentationScore same = Metrics.compare(TRUTH, TRUTH);
        assertEquals(1.0, same.dice());
        assertEquals(1.0, same.meanSliceDice());
        assertEquals(2, same.bothEmptySlices());
        VolumeMask empty = VolumeMask.empty(3, 2, 4, Geometry.ofSpacing(1, 1, 1));
        SegmentationScore none = Metrics.compare(empty, empty);
        assertTrue(Double.isNaN(none.dice()));
        assertTrue(Double.isNaN(none.meanSliceDice()));
        assertEquals(4, none.bothEmptySlices());
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.compare(TRUTH, VolumeMask.empty(3, 2, 5, Geometry.ofSpacing(1, 1, 1))));
    }

    @Test
    void sliceComparisonAndCounts() {
        SliceScore s = Metrics.compareSlice(7, new byte[] {1, 1, 0, 0}, new byte[] {1, 0, 1, 0});
        assertEquals(new SliceScore(7, 2, 2, 1, 0.5, 1.0 / 3, SliceStatus.BOTH_PRESENT), s);
        assertEquals(0.5, Metrics.dice(2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Metrics.dice(1, 1, 2));
    }

    @Test
    void csv() throws Exception {
        String expected = """
                slice,truth_voxels,predicted_voxels,intersection,dice,jaccard,status
                0,0,1,0,0,0,false_positive
                1,4,3,2,0.571429,0.4,both_present
                2,1,0,0,0,0,missed
                3,0,0,0,,,both_empty
                3d,5,4,2,0.444444,0.285714,
                """;
        SegmentationScore s = Metrics.compare(TRUTH, PRED);
        assertEquals(expected, MetricsCsv.toCsv(s));
        Path f = tmp.resolve("out/metrics.csv");
        MetricsCsv.write(s, f);
        assertEquals(expected, Files.readString(f));
    }
}
