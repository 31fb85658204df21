package io.github.promptonce;

import io.github.promptonce.model.ModelManifest;

/**
 * Grey slice → the model's input: grey repeated in 3 channels, 0–255 scale × pixel_scale, resized (SAM 2: to
 * S×S ignoring the aspect ratio; SAM: longest side to S, padded bottom/right with zeros after normalising),
 * normalised with the manifest's mean/std. Resizing is bilinear without antialiasing (PyTorch's
 * {@code F.interpolate(..., align_corners=False)}); the official image predictor antialiases when it shrinks, its
 * video loader uses PIL bicubic — slices already at S×S are identical in all three.
 */
final class Preprocessor {
    private final int size;
    private final boolean pad;
    private final boolean minMax;
    private final float scale;
    private final float[] mean;
    private final float[] std;

    Preprocessor(ModelManifest manifest) {
        this.size = manifest.imageSize();
        String resize = manifest.resizeMode();
        if (!resize.equals("square") && !resize.equals("longest_side_pad")) {
            throw new IllegalArgumentException("unknown resize mode " + resize);
        }
        this.pad = resize.equals("longest_side_pad");
        this.minMax = manifest.intensityMode().equals("minmax");
        this.scale = (float) (255.0 * manifest.pixelScale());
        double[] m = manifest.mean();
        double[] s = manifest.std();
        this.mean = new float[] {(float) m[0], (float) m[1], (float) m[2]};
        this.std = new float[] {(float) s[0], (float) s[1], (float) s[2]};
    }

    /** Width and height of the slice inside the model input (S×S for SAM 2). */
    int[] inputExtent(int width, int height) {
        if (!pad) {
            return new int[] {size, size};
        }
        double s = (double) size / Math.max(width, height);
        return new int[] {(int) (width * s + 0.5), (int) (height * s + 0.5)};
    }

    /** The normalised [3, S, S] input, channel-major. */
    float[] toInput(Image2D image) {
        int[] extent = inputExtent(image.width(), image.height());
        int w = extent[0];
        int h = extent[1];
        float[] grey = image.pixels();
        float[] resized = (w == image.width() && h == image.height()) ? grey.clone()
                : ImageOps.resizeBilinear(grey, image.width(), image.height(), w, h);
        for (int i = 0; i < resized.length; i++) {
            resized[i] *= scale;
        }
        if (minMax) {
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            for (float v : resized) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float range = Math.max(hi - lo, 1e-8f);
            for (int i = 0; i < resized.length; i++) {
                resized[i] = (resized[i] - lo) / range;
            }
        }
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            int base = c * size * size;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[base + y * size + x] = (resized[y * w + x] - mean[c]) / std[c];
                }
            }
            // padding (SAM) stays 0 after normalisation, as in SamPredictor
        }
        return out;
    }

    /** A slice point in model-input pixels: x * w'/W, y * h'/H, in float arithmetic like the official code. */
    float[] toInput(double x, double y, int width, int height) {
        int[] extent = inputExtent(width, height);
        if (!pad) {
            return new float[] {(float) x / width * size, (float) y / height * size};
        }
        return new float[] {(float) x * ((float) extent[0] / width), (float) y * ((float) extent[1] / height)};
    }

    int size() {
        return size;
    }
}
