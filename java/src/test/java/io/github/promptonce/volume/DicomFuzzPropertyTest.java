package io.github.promptonce.volume;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated DICOM files, real (pydicom's CT and MR samples in three transfer syntaxes, a file of the CT5N series) and
 * synthetic (every uncompressed transfer syntax, deflated included): reading gives a consistent volume or a
 * {@link VolumeFormatException}; never another exception, a hang or an OutOfMemoryError. Most mutations hit the
 * elements before the pixel data (tags, VRs, lengths, sizes), overwriting fields with edge values, cutting,
 * inserting or truncating.
 */
class DicomFuzzPropertyTest {
    private static final Path DIR = FuzzFiles.freshDir("promptonce-dicom-fuzz");
    /** name -> {file bytes, header length (up to the pixel data element), byte order (0 LE, 1 BE)} */
    private static final Map<String, Seed> SEEDS = new LinkedHashMap<>();

    record Seed(byte[] bytes, int headerBytes, ByteOrder order) {
    }

    record Case(String seed, List<FuzzFiles.Mutation> mutations) {
    }

    @BeforeContainer
    static void seeds() throws Exception {
        for (String real : List.of("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
                "dicomdirtests/98892001/CT5N/2062")) {
            add("real " + real, Files.readAllBytes(TestData.pydicom(real)), real.contains("bigendian"));
        }
        int[] stored = new int[4 * 3];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = 1000 + 17 * i;
        }
        for (String syntax : List.of(DicomParser.EXPLICIT_LE, DicomParser.IMPLICIT_LE, DicomParser.EXPLICIT_BE,
                DicomParser.DEFLATED_LE)) {
            DicomBytes d = DicomBytes.ct("1.2.3", 4, 3, new double[] {-20, -30, 5}, DicomBytes.AXIAL, stored);
            d.transferSyntax = syntax;
            add("synthetic " + DicomParser.syntaxName(syntax), d.build(), syntax.equals(DicomParser.EXPLICIT_BE));
        }
        DicomBytes raw = DicomBytes.ct("1.2.3", 4, 3, new double[] {0, 0, 0}, DicomBytes.AXIAL, stored);
        raw.transferSyntax = DicomParser.IMPLICIT_LE;
        raw.preamble = false;
        add("synthetic raw implicit (no preamble)", raw.build(), false);
    }

    private static void add(String name, byte[] bytes, boolean bigEndian) {
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        // the pixel data element (7FE0,0010) in the file's byte order; the header is what comes before it
        byte[] tag = bigEndian ? new byte[] {0x7f, (byte) 0xe0, 0x00, 0x10} : new byte[] {(byte) 0xe0, 0x7f, 0x10, 0x00};
        int header = bytes.length;
        for (int i = bytes.length - 4; i >= 0; i--) {
            if (bytes[i] == tag[0] && bytes[i + 1] == tag[1] && bytes[i + 2] == tag[2] && bytes[i + 3] == tag[3]) {
                header = i + 12;
                break;
            }
        }
        SEEDS.put(name, new Seed(bytes, Math.min(header, bytes.length), order));
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(List.copyOf(SEEDS.keySet())).flatMap(name -> FuzzFiles
                .mutations(SEEDS.get(name).headerBytes()).list().ofMinSize(1).ofMaxSize(3)
                .map(ms -> new Case(name, ms)));
    }

    @Property(tries = 10000, shrinking = ShrinkingMode.BOUNDED)
    void onlyVolumeFormatExceptionEscapes(@ForAll("cases") Case c) throws Exception {
        Seed seed = SEEDS.get(c.seed());
        byte[] mutated = FuzzFiles.apply(seed.bytes(), c.mutations(), seed.order());
        Path file = Files.write(DIR.resolve("mutated.dcm"), mutated);
        try {
            Volume v = FuzzFiles.withinLimit(() -> DicomReader.read(file,
                    ReadOptions.defaults().withNonFinite(NonFinitePolicy.KEEP)));
            assertEquals((long) v.nx() * v.ny() * v.nz(), v.voxelCount());
            assertTrue(v.nx() > 0 && v.ny() > 0 && v.nz() > 0, v.nx() + "x" + v.ny() + "x" + v.nz());
            assertTrue(v.voxelCount() <= 8L * mutated.length, "no more voxels than the file holds bits for: "
                    + v.voxelCount() + " from " + mutated.length + " bytes");
            assertEquals(3, v.orientation().length());
            v.affine();
            v.slice(v.nz() - 1);
            v.slice(Axis.I, v.nx() - 1);
            Statistics.label("outcome").collect("read");
        } catch (VolumeFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("mutated.dcm"), e.getMessage());
            Statistics.label("outcome").collect("rejected");
        }
        Statistics.label("outcome").coverage(k -> {
            k.check("read").percentage(p -> p >= 1);
            k.check("rejected").percentage(p -> p >= 1);
        });
    }
}
