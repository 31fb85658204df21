package io.github.promptonce.runtime.javacpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The segmentation core gives the same results on both backends (LibTorch 1.13 native, 2.10 javacpp), each in
 * its own child JVM: SAM 2 propagation through a volume and SAM image mode, every object score, IoU and low-res
 * logit within 1e-5 (relative to max(1, |value|)), hence the same masks.
 */
class CrossBackendSegmentationTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void nativeAndJavacppSegmentAlike(@TempDir Path dir) throws Exception {
        String models = System.getProperty("promptonce.testmodels");
        if (models == null || !Files.isDirectory(Path.of(models, "test-tiny"))) {
            fail("test models missing (" + models + "): build the java module first (it exports them)");
        }
        Path n = dir.resolve("native.txt");
        Path j = dir.resolve("javacpp.txt");
        ChildJvm.Outcome on = ChildJvm.run(SegmentationParityProbe.class, List.of(), "native", models, n.toString());
        assertEquals(0, on.exit(), on.toString());
        ChildJvm.Outcome oj = ChildJvm.run(SegmentationParityProbe.class, List.of(), "javacpp", models, j.toString());
        assertEquals(0, oj.exit(), oj.toString());
        List<String> expected = Files.readAllLines(n);
        List<String> actual = Files.readAllLines(j);
        assertEquals("runtime native", expected.get(0));
        assertEquals("runtime javacpp", actual.get(0));
        assertEquals(expected.size(), actual.size());
        long values = 0;
        for (int i = 1; i < expected.size(); i++) {
            String[] e = expected.get(i).split(" ");
            String[] a = actual.get(i).split(" ");
            assertEquals(e[0], a[0]);
            assertEquals(e.length, a.length, e[0]);
            for (int k = 1; k < e.length; k++) {
                double x = Double.parseDouble(e[k]);
                double y = Double.parseDouble(a[k]);
                if (Double.isNaN(x)) {
                    assertTrue(Double.isNaN(y), e[0] + " field " + k);
                    continue;
                }
                assertTrue(Math.abs(x - y) / Math.max(1, Math.abs(x)) <= TOLERANCE,
                        e[0] + " field " + k + ": native " + x + ", javacpp " + y);
                assertEquals(x > 0, y > 0, e[0] + " field " + k + ": mask pixel differs");
                values++;
            }
        }
        assertTrue(values > 8 * 32 * 32, "compared " + values + " values");
    }
}
