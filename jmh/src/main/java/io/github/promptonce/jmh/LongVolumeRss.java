package io.github.promptonce.jmh;

import io.github.promptonce.Image2D;
import io.github.promptonce.ImageEmbedding;
import io.github.promptonce.MemoryBank;
import io.github.promptonce.Prompt;
import io.github.promptonce.Segmenter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resident memory over a long SAM 2 propagation: prompts slice 0 of a synthetic volume, tracks slices 1..N-1
 * through one {@link MemoryBank}, and prints RSS (from /proc/self/status) and the frames the bank holds every 50
 * slices, then the relative change from slice 50 to the end. Not a JMH benchmark: a plain program
 * (scripts/bench/rss-long-volume.sh).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.promptonce.jmh.LongVolumeRss MODEL_DIR [SLICES] [SIZE]</pre>
 */
public final class LongVolumeRss {
    private LongVolumeRss() {
    }

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static Image2D slice(int k, int size) {
        float[] px = new float[size * size];
        double cx = size * (0.3 + 0.4 * (0.5 + 0.5 * Math.sin(k / 40.0)));
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - size / 2.0);
                px[y * size + x] = (d < size * 0.2 ? 0.8f : 0.15f) + 0.05f * ((x * 7 + y * 3 + k) % 5) / 5f;
            }
        }
        return new Image2D(size, size, px);
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        long at50 = -1;
        long last = -1;
        try (Segmenter s = Segmenter.load(model); MemoryBank bank = s.newMemoryBank(slices)) {
            System.out.printf(Locale.ROOT, "model %s (%s), %d slices of %dx%d%n", s.arch(), s.runtimeDescription(),
                    slices, size, size);
            System.out.println("slice,rss_mib,held_frames,seconds_per_slice");
            try (ImageEmbedding e = s.encode(slice(0, size))) {
                s.addPrompt(bank, 0, e, Prompt.point(size * 0.5, size * 0.5));
            }
            long t0 = System.nanoTime();
            for (int k = 1; k < slices; k++) {
                try (ImageEmbedding e = s.encode(slice(k, size))) {
                    s.track(bank, k, e, false);
                }
                if (k % 50 == 0 || k == slices - 1) {
                    long rss = rssKiB();
                    if (k == 50) {
                        at50 = rss;
                    }
                    last = rss;
                    double perSlice = (System.nanoTime() - t0) / 1e9 / k;
                    System.out.printf(Locale.ROOT, "%d,%.1f,%d,%.4f%n", k, rss / 1024.0, bank.heldFrames(), perSlice);
                }
            }
        }
        if (at50 > 0) {
            System.out.printf(Locale.ROOT, "RSS change from slice 50 to slice %d: %+.2f %%%n", slices - 1,
                    100.0 * (last - at50) / at50);
        }
    }
}
