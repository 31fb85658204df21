package io.github.promptonce.phantom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java generator against the Python one (models/promptonce_models/phantom.py): the phantoms that
 * src/test/python/make_phantom_fixtures.py writes before the tests must be reproduced voxel by voxel.
 */
class PhantomParityTest {
    static final double RELATIVE_TOLERANCE = 1e-4;

    record Case(String name, int nx, int ny, int nz, long seed, String requestedShape, String requestedModality,
                String shape, String modality, int[] click) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Path dir() {
        String d = System.getProperty("promptonce.fixtures");
        if (d == null) {
            throw new IllegalStateException("system property promptonce.fixtures is not set: run the tests with Maven"
                    + " (it writes the phantoms with src/test/python/make_phantom_fixtures.py)");
        }
        Path p = Path.of(d, "phantoms");
        if (!Files.isRegularFile(p.resolve("cases.tsv"))) {
            throw new IllegalStateException(p.resolve("cases.tsv") + " is missing: run /usr/bin/python3"
                    + " java/src/test/python/make_phantom_fixtures.py " + p);
        }
        return p;
    }

    static Stream<Case> cases() throws IOException {
        List<String> lines = Files.readAllLines(dir().resolve("cases.tsv"));
        return lines.stream().filter(l -> !l.isBlank()).map(l -> {
            String[] f = l.split("\t");
            return new Case(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[4]), f[5], f[6], f[7], f[8],
                    new int[] {Integer.parseInt(f[9]), Integer.parseInt(f[10]), Integer.parseInt(f[11])});
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void javaReproducesPython(Case c) throws IOException {
        Phantom p = PhantomGenerator.generate(c.nx(), c.ny(), c.nz(), c.seed(), Phantom.Shape.parse(c.requestedShape()),
                Phantom.Modality.parse(c.requestedModality()));
        assertEquals(c.shape(), p.shape().id(), "shape");
        assertEquals(c.modality(), p.modality().id(), "modality");

        Path d = dir();
        int n = c.nx() * c.ny() * c.nz();
        byte[] raw = Files.readAllBytes(d.resolve(c.name() + ".f32"));
        assertEquals(4L * n, raw.length, "fixture size");
        float[] expected = new float[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);
        Volume v = p.volume();
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < n; i++) {
            double diff = Math.abs(v.get(i) - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (diff > worst) {
                worst = diff;
                worstAt = i;
            }
        }
        System.out.printf(java.util.Locale.ROOT, "phantom parity %s: worst relative difference %.3g%n", c.name(), worst);
        assertTrue(worst <= RELATIVE_TOLERANCE, c.name() + ": voxel " + worstAt + " differs: java "
                + (worstAt < 0 ? 0 : v.get(worstAt)) + " python " + (worstAt < 0 ? 0 : expected[worstAt])
                + " (relative " + worst + ")");

        byte[] label = Files.readAllBytes(d.resolve(c.name() + ".label.u8"));
        byte[] javaLabel = new byte[n];
        byte[] distractors = Files.readAllBytes(d.resolve(c.name() + ".distractors.u8"));
        byte[] javaDistractors = new byte[n];
        for (int i = 0; i < n; i++) {
            javaLabel[i] = (byte) p.truth().get(i);
            javaDistractors[i] = (byte) p.distractors().get(i);
        }
        assertArrayEquals(label, javaLabel, c.name() + ": truth labels");
        assertArrayEquals(distractors, javaDistractors, c.name() + ": distractor labels");
        assertArrayEquals(c.click(), p.promptPoint(), c.name() + ": the demo's click");
    }
}
