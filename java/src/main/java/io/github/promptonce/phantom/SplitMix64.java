package io.github.promptonce.phantom;

/**
 * SplitMix64 (Steele, Lea &amp; Flood; the mixer of the JDK's {@code SplittableRandom}), as models/PHANTOMS.md §1
 * specifies it: the same seed gives the same numbers as the Python phantom generator. Not thread-safe.
 */
public final class SplitMix64 {
    static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final long M1 = 0xBF58476D1CE4E5B9L;
    private static final long M2 = 0x94D049BB133111EBL;
    private static final double INV_2_53 = 0x1.0p-53;

    private long state;

    /** A generator seeded {@code seed} (all 64 bits; Python's negative seeds are the same modulo 2^64). */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The mixing function. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * M1;
        z = (z ^ (z >>> 27)) * M2;
        return z ^ (z >>> 31);
    }

    /** Element {@code n} (0-based) of the stream seeded {@code seed}, as a double in [0, 1). */
    public static double element(long seed, long n) {
        return (mix(seed + (n + 1) * GAMMA) >>> 11) * INV_2_53;
    }

    public long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1): the top 53 bits of {@link #nextLong()}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * INV_2_53;
    }

    /** {@code a + (b - a) * nextDouble()}. */
    public double uniform(double a, double b) {
        return a + (b - a) * nextDouble();
    }
}
