package io.github.promptonce.runtime.javacpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same computations on both backends (LibTorch 1.13 native, LibTorch 2.10 javacpp), each in its own child JVM,
 * give the same results within 1e-5 (relative to max(1, |value|)); kinds, dtypes and shapes identical.
 */
class CrossBackendParityTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void nativeAndJavacppAgree(@TempDir Path dir) throws Exception {
        Path nativeOut = dir.resolve("native.txt");
        Path javacppOut = dir.resolve("javacpp.txt");
        ChildJvm.Outcome n = ChildJvm.run(ParityProbe.class, List.of(), "native", nativeOut.toString());
        assertEquals(0, n.exit(), n.toString());
        ChildJvm.Outcome j = ChildJvm.run(ParityProbe.class, List.of(), "javacpp", javacppOut.toString());
        assertEquals(0, j.exit(), j.toString());

        List<String> expected = Files.readAllLines(nativeOut);
        List<String> actual = Files.readAllLines(javacppOut);
        assertEquals(expected.size(), actual.size(), "same number of results");
        assertTrue(expected.size() > 20, "the probe wrote its results: " + expected.size() + " lines");
        long values = 0;
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            String[] e = expected.get(i).split(" ");
            String[] a = actual.get(i).split(" ");
            assertEquals(e.length, a.length, "line " + i + ": " + e[0]);
            boolean numeric = e.length > 1 && !e[0].equals("methods") && !e[1].equals("list");
            for (int k = 0; k < e.length; k++) {
                if (numeric && k >= (e[1].equals("scalar") ? 2 : 3) && !e[k].equals("true") && !e[k].equals("false")
                        && !e[k].equals("null")) {
                    double x = Double.parseDouble(e[k]);
                    double y = Double.parseDouble(a[k]);
                    double diff = Math.abs(x - y) / Math.max(1, Math.abs(x));
                    worst = Math.max(worst, diff);
                    values++;
                    assertTrue(diff <= TOLERANCE, e[0] + "[" + (k - 3) + "]: native " + x + ", javacpp " + y);
                } else {
                    assertEquals(e[k], a[k], "line " + i + " (" + e[0] + "), field " + k);
                }
            }
        }
        assertTrue(values > 10_000, "compared " + values + " values");
        System.out.println("cross-backend parity: " + values + " values, largest relative difference " + worst);
    }
}
