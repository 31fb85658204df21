package io.github.promptonce.volume;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated NIfTI headers (and truncated files): reading either succeeds with a consistent volume or throws
 * {@link VolumeFormatException}; nothing else may escape (no runtime exception, no OutOfMemoryError). Both outcomes
 * must occur in at least 1 % of the tries.
 */
class NiftiHeaderPropertyTest {
    /** Offsets of the fields a reader interprets, NIfTI-1 and NIfTI-2. */
    private static final int[] FIELDS_V1 = {0, 40, 42, 44, 46, 48, 50, 70, 72, 76, 80, 84, 88, 108, 112, 116, 123,
        252, 254, 256, 260, 264, 268, 280, 292, 296, 312, 344, 345, 346, 347};
    private static final int[] FIELDS_V2 = {0, 4, 7, 11, 12, 14, 16, 24, 32, 40, 48, 104, 112, 120, 128, 168, 176,
        184, 344, 348, 352, 376, 400, 424, 432, 464, 500};

    record Mutation(int offset, int width, long value) {
    }

    record Case(int version, boolean bigEndian, boolean gzip, int datatype, List<Mutation> mutations, int cut) {
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> version = Arbitraries.of(1, 2);
        Arbitrary<Boolean> be = Arbitraries.of(false, true);
        Arbitrary<Boolean> gz = Arbitraries.integers().between(0, 9).map(i -> i == 0); // 10% gzip
        Arbitrary<Integer> dt = Arbitraries.of(2, 4, 8, 16, 64, 256, 512, 768);
        Arbitrary<Integer> cut = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(8, -1), net.jqwik.api.Tuple.of(2, -2)).flatMap(
                        c -> c == -1 ? Arbitraries.just(-1) : Arbitraries.integers().between(0, 700));
        return Combinators.combine(version, be, gz, dt, cut).flatAs((v, b, g, d, c) ->
                mutation(v).list().ofMinSize(1).ofMaxSize(4).map(ms -> new Case(v, b, g, d, ms, c)));
    }

    private static Arbitrary<Mutation> mutation(int version) {
        int[] fields = version == 1 ? FIELDS_V1 : FIELDS_V2;
        int size = version == 1 ? 348 : 540;
        Arbitrary<Integer> offset = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(4, 0), net.jqwik.api.Tuple.of(1, 1)).flatMap(
                        k -> k == 0 ? Arbitraries.of(Arrays.stream(fields).boxed().toList())
                                : Arbitraries.integers().between(0, size + 3));
        Arbitrary<Integer> width = Arbitraries.of(1, 2, 4, 8);
        Arbitrary<Long> value = Arbitraries.oneOf(
                Arbitraries.of(0L, -1L, 1L, 2L, 3L, 7L, 8L, 255L, 348L, 352L, 540L, 544L, 32767L, 32768L, 65535L,
                        0x7fffffffL, 0x80000000L, Long.MAX_VALUE, Long.MIN_VALUE,
                        (long) Float.floatToIntBits(Float.NaN), (long) Float.floatToIntBits(Float.POSITIVE_INFINITY),
                        (long) Float.floatToIntBits(1e30f), (long) Float.floatToIntBits(-0.5f),
                        Double.doubleToLongBits(Double.NaN), Double.doubleToLongBits(1e300)),
                Arbitraries.longs());
        return Combinators.combine(offset, width, value).as(Mutation::new);
    }

    @Property(tries = 10000, shrinking = ShrinkingMode.BOUNDED)
    void onlyVolumeFormatExceptionEscapes(@ForAll("cases") Case c) {
        NiftiBytes b = new NiftiBytes().dims(4, 3, 2, 2);
        b.version = c.version();
        b.order = c.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        DataType t = DataType.fromNiftiCode(c.datatype()).orElseThrow();
        b.type(t);
        b.values = i -> (i * 13) % 11;
        byte[] raw = b.gzip ? null : b.build();
        ByteBuffer bb = ByteBuffer.wrap(raw).order(b.order);
        for (Mutation m : c.mutations()) {
            int off = Math.min(m.offset(), raw.length - m.width());
            switch (m.width()) {
                case 1 -> bb.put(off, (byte) m.value());
                case 2 -> bb.putShort(off, (short) m.value());
                case 4 -> bb.putInt(off, (int) m.value());
                default -> bb.putLong(off, m.value());
            }
        }
        if (c.cut() >= 0) {
            raw = Arrays.copyOf(raw, Math.min(raw.length, c.cut()));
        }
        byte[] file = c.gzip() ? NiftiBytes.gzip(raw) : raw;
        try {
            ReadOptions o = ReadOptions.defaults().withNonFinite(NonFinitePolicy.KEEP);
            Volume v = NiftiReader.read(file, "mutated.nii", o);
            // A volume that was read must be usable.
            assertEquals((long) v.nx() * v.ny() * v.nz(), v.voxelCount());
            assertTrue(v.voxelCount() <= 48 * 2 * 8, "no volume larger than the data present");
            assertTrue(v.orientation().length() == 3);
            v.affine();
            v.slice(Axis.I, 0);
            v.slice(Axis.J, v.ny() - 1);
            v.slice(v.nz() - 1);
            Statistics.label("outcome").collect("read");
        } catch (VolumeFormatException expected) {
            Statistics.label("outcome").collect("rejected");
            assertTrue(expected.getMessage().startsWith("mutated.nii: "), expected.getMessage());
        }
        // a property where every mutation is rejected (or none is) would test only half the reader
        Statistics.label("outcome").coverage(k -> {
            k.check("read").percentage(p -> p >= 1);
            k.check("rejected").percentage(p -> p >= 1);
        });
    }
}
