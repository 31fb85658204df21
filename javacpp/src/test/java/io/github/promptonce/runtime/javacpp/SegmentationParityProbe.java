package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.base.Backend;
import io.github.promptonce.volume.Slice;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link CrossBackendSegmentationTest}: propagates one object through a small synthetic
 * volume on the given backend (SAM 2 test model), and image-mode predicts with the SAM test model; writes every
 * object score, IoU and low-res logit. Arguments: backend, models directory, output file.
 */
public final class SegmentationParityProbe {
    private SegmentationParityProbe() {
    }

    static SliceSource volume() {
        return SliceSource.of(72, 64, 8, k -> {
            float[] px = new float[72 * 64];
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 72; x++) {
                    double d = Math.hypot(x + 0.5 - (25 + 3 * k), y + 0.5 - 32);
                    px[y * 72 + x] = (d < 12 ? 0.75f : 0.15f) + 0.05f * ((x * 5 + y * 11 + k) % 7) / 7f;
                }
            }
            return new Slice(72, 64, px);
        });
    }

    public static void main(String[] args) throws Exception {
        Backend backend = Backend.parse(args[0]);
        Path models = Path.of(args[1]);
        SegmenterOptions options = SegmenterOptions.defaults().withBackend(backend).withThreads(1);
        Prompt prompt = Prompt.point(30, 32).withBox(new Prompt.Box(12, 18, 44, 46));
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])));
             Segmenter sam2 = Segmenter.load(models.resolve("test-tiny"), options);
             Segmenter sam = Segmenter.load(models.resolve("test-tiny-sam"), options)) {
            out.println("runtime " + sam2.runtimeDescription().split(" ")[0]);
            VolumeSegmentation v = sam2.propagate(volume(), List.of(new ObjectPrompt(1, 4, prompt)));
            for (int k = 0; k < 8; k++) {
                write(out, "sam2-slice" + k, v.result(1, k));
            }
            try (var e = sam.encode(volume().slice(3))) {
                write(out, "sam-slice3", sam.predict(e, prompt));
            }
        }
    }

    private static void write(PrintWriter out, String name, SliceResult r) {
        StringBuilder sb = new StringBuilder(name).append(' ').append(r.objectScore()).append(' ').append(r.iou());
        for (float f : r.lowResLogits()) {
            sb.append(' ').append(f);
        }
        out.println(sb);
    }
}
