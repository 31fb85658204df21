package io.github.promptonce.volume;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Byte-level mutations of a file for the readers' fuzz properties, and the rule every outcome must follow. */
final class FuzzFiles {
    /** Per try: time enough for a small file many times over, so that only a hang trips it. */
    static final Duration HANG = Duration.ofSeconds(20);

    private FuzzFiles() {
    }

    /** One change to a file: overwrite {@code width} bytes at {@code offset} with {@code value}, or cut/insert. */
    record Mutation(Kind kind, int offset, int width, long value) {
        enum Kind { OVERWRITE, CUT, INSERT, TRUNCATE }

        byte[] apply(byte[] in, ByteOrder order) {
            int off = in.length == 0 ? 0 : Math.floorMod(offset, in.length);
            switch (kind) {
                case OVERWRITE -> {
                    byte[] out = in.clone();
                    int w = Math.min(width, out.length - off);
                    ByteBuffer b = ByteBuffer.allocate(8).order(order).putLong(0, value);
                    // the low-order bytes of value first in the file's byte order
                    for (int i = 0; i < w; i++) {
                        out[off + i] = order == ByteOrder.LITTLE_ENDIAN ? b.get(i) : b.get(8 - w + i);
                    }
                    return out;
                }
                case CUT -> {
                    int n = Math.min(width, in.length - off);
                    byte[] out = new byte[in.length - n];
                    System.arraycopy(in, 0, out, 0, off);
                    System.arraycopy(in, off + n, out, off, in.length - off - n);
                    return out;
                }
                case INSERT -> {
                    byte[] out = new byte[in.length + width];
                    System.arraycopy(in, 0, out, 0, off);
                    Arrays.fill(out, off, off + width, (byte) value);
                    System.arraycopy(in, off, out, off + width, in.length - off);
                    return out;
                }
                default -> {
                    return Arrays.copyOf(in, off);
                }
            }
        }
    }

    /**
     * Mutations, most of them in the first {@code headerBytes} (where the structure is: tags, lengths, sizes), at
     * field-like widths, with values at the edges of every integer size.
     */
    static Arbitrary<Mutation> mutations(int headerBytes) {
        Arbitrary<Mutation.Kind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(16, Arbitraries.just(Mutation.Kind.OVERWRITE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Mutation.Kind.CUT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Mutation.Kind.INSERT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Mutation.Kind.TRUNCATE)));
        Arbitrary<Integer> offset = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, Math.max(0, headerBytes - 1))),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().greaterOrEqual(0)));
        Arbitrary<Integer> width = Arbitraries.of(1, 2, 4, 8);
        Arbitrary<Long> value = Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, 2L, 3L, 0x7fL, 0x80L, 0xffL, 0x7fffL, 0x8000L, 0xffffL, 0x7fffffffL,
                        0x80000000L, 0xffffffffL, 0xfffffffeL, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
                        0x20L, 0x5c5cL, 0x2e2eL, 0x4f42L /* "OB" */, 0x5153L /* "SQ" */),
                Arbitraries.longs());
        return Combinators.combine(kind, offset, width, value).as(Mutation::new);
    }

    static byte[] apply(byte[] in, List<Mutation> ms, ByteOrder order) {
        byte[] out = in;
        for (Mutation m : ms) {
            out = m.apply(out, order);
        }
        return out;
    }

    /** Runs a read under the hang limit; an OutOfMemoryError or any exception but the expected fails the try. */
    static <T> T withinLimit(ThrowingRead<T> read) throws VolumeFormatException {
        Object[] box = new Object[1];
        VolumeFormatException[] rejected = new VolumeFormatException[1];
        assertTimeoutPreemptively(HANG, () -> {
            try {
                box[0] = read.read();
            } catch (VolumeFormatException e) {
                rejected[0] = e;
            }
        }, "a read that did not finish in " + HANG + " (a hang)");
        if (rejected[0] != null) {
            throw rejected[0];
        }
        @SuppressWarnings("unchecked")
        T t = (T) box[0];
        return t;
    }

    @FunctionalInterface
    interface ThrowingRead<T> {
        T read() throws VolumeFormatException;
    }

    static Path freshDir(String prefix) {
        try {
            Path d = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
            return d;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void clear(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
    }

    private static void deleteTree(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
