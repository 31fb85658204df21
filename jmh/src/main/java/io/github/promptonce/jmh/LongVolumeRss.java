package io.github.promptonce.jmh;

import io.github.promptonce.MemoryBank;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.SegmentationSession;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Slice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resident memory over a long SAM 2 propagation: prompts slice 0 of a synthetic volume, propagates forward through
 * slices 1..N-1 as the library does by default (a {@link SegmentationSession}, one {@link MemoryBank}, the next slice
 * encoded ahead), and prints RSS (from /proc/self/status) and the frames the bank holds every 50 slices, then the
 * relative change from slice 50 to the end. Not a JMH benchmark: a plain program
 * (scripts/bench/rss-long-volume.sh).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.promptonce.jmh.LongVolumeRss MODEL_DIR [SLICES] [SIZE]</pre>
 */
public final class LongVolumeRss {
    private LongVolumeRss() {
    }

    static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static Slice slice(int k, int size) {
        float[] px = new float[size * size];
        double cx = size * (0.3 + 0.4 * (0.5 + 0.5 * Math.sin(k / 40.0)));
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - size / 2.0);
                px[y * size + x] = (d < size * 0.2 ? 0.8f : 0.15f) + 0.05f * ((x * 7 + y * 3 + k) % 5) / 5f;
            }
        }
        return new Slice(size, size, px);
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        SliceSource volume = SliceSource.of(size, size, slices, k -> slice(k, size));
        long[] at50 = {-1};
        long[] last = {-1};
        try (Segmenter s = Segmenter.load(model); SegmentationSession session = s.session(volume)) {
            System.out.printf(Locale.ROOT, "model %s (%s), %d slices of %dx%d, %d threads%n", s.arch(),
                    s.runtimeDescription(), slices, size, size, Runtime.getRuntime().availableProcessors());
            System.out.println("slice,rss_mib,held_frames,seconds_per_slice");
            session.prompt(1, 0, Prompt.point(size * 0.5, size * 0.5));
            long t0 = System.nanoTime();
            // the library's own propagation (encode-ahead on, its default); sampled from the progress listener,
            // which runs on the propagating thread after each slice
            session.propagate(PropagationOptions.defaults().withMode(PropagationMode.FORWARD)
                    .withListener((k, done, total) -> {
                        if (k % 50 == 0 || k == slices - 1) {
                            long rss = rssKiB();
                            if (k == 50) {
                                at50[0] = rss;
                            }
                            last[0] = rss;
                            double perSlice = (System.nanoTime() - t0) / 1e9 / Math.max(1, k);
                            System.out.printf(Locale.ROOT, "%d,%.1f,%d,%.4f%n", k, rss / 1024.0,
                                    session.bank(1).heldFrames(), perSlice);
                        }
                    }));
        }
        if (at50[0] > 0) {
            System.out.printf(Locale.ROOT, "RSS change from slice 50 to slice %d: %+.2f %%%n", slices - 1,
                    100.0 * (last[0] - at50[0]) / at50[0]);
        }
    }
}
