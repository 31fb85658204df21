package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.volume.Slice;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Grey slice → the model's input: grey repeated in 3 channels, 0–255 scale × pixel_scale, resized (SAM 2: to
 * S×S ignoring the aspect ratio; SAM: longest side to S, padded bottom/right with zeros after normalising),
 * normalised with the manifest's mean/std. Resizing is bilinear without antialiasing (PyTorch's
 * {@code F.interpolate(..., align_corners=False)}); the official image predictor antialiases when it shrinks, its
 * video loader uses PIL bicubic — slices already at S×S are identical in all three.
 *
 * <p>The input is written straight into the native tensor's memory: no Java copy of the slice at model size.
 */
public final class Preprocessor {
    private final int size;
    private final boolean pad;
    private final boolean minMax;
    private final float scale;
    private final float[] mean;
    private final float[] std;

    /** @throws PromptonceException BAD_MODEL when the manifest names an unknown resize mode */
    public Preprocessor(ModelManifest manifest) {
        this.size = manifest.imageSize();
        String resize = manifest.resizeMode();
        if (!resize.equals("square") && !resize.equals("longest_side_pad")) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, manifest.directory() + ": unknown resize mode '"
                    + resize + "' (expected square or longest_side_pad)");
        }
        this.pad = resize.equals("longest_side_pad");
        this.minMax = manifest.intensityMode().equals("minmax");
        this.scale = (float) (255.0 * manifest.pixelScale());
        double[] m = manifest.mean();
        double[] s = manifest.std();
        this.mean = new float[] {(float) m[0], (float) m[1], (float) m[2]};
        this.std = new float[] {(float) s[0], (float) s[1], (float) s[2]};
    }

    /** The model's square input side S. */
    public int size() {
        return size;
    }

    /** Width and height of the slice inside the model input (S×S for SAM 2). */
    public int[] inputExtent(int width, int height) {
        if (!pad) {
            return new int[] {size, size};
        }
        double s = (double) size / Math.max(width, height);
        return new int[] {(int) (width * s + 0.5), (int) (height * s + 0.5)};
    }

    /**
     * The normalised input [1, 3, S, S] as a new tensor on {@code device}.
     *
     * @throws IllegalArgumentException when a pixel lies outside [0, 1] or is not finite (window the slice first)
     */
    public Tensor toInput(Slice image, TorchRuntime runtime, Device device) {
        requireWindowed(image);
        int[] extent = inputExtent(image.width(), image.height());
        int w = extent[0];
        int h = extent[1];
        boolean resize = w != image.width() || h != image.height();
        float[] grey = resize ? ImageOps.resizeBilinear(image.data(), image.width(), image.height(), w, h)
                : image.data(); // read in place: not copied
        float factor = scale;
        if (minMax) {
            grey = minMaxScaled(grey);
            factor = 1f;
        }
        Tensor cpu = runtime.empty(DType.FLOAT32, new long[] {1, 3, size, size}, Device.CPU);
        try {
            MemorySegment out = cpu.data();
            if (w != size || h != size) {
                out.fill((byte) 0); // padding (SAM) is 0 after normalisation, as in SamPredictor
            }
            for (int c = 0; c < 3; c++) {
                long base = (long) c * size * size;
                float mu = mean[c];
                float sigma = std[c];
                for (int y = 0; y < h; y++) {
                    long row = base + (long) y * size;
                    int src = y * w;
                    for (int x = 0; x < w; x++) {
                        float v = factor == 1f ? grey[src + x] : grey[src + x] * factor;
                        out.setAtIndex(ValueLayout.JAVA_FLOAT, row + x, (v - mu) / sigma);
                    }
                }
            }
            return HostTensors.onDevice(cpu, device);
        } catch (RuntimeException e) {
            cpu.close();
            throw e;
        }
    }

    private static void requireWindowed(Slice image) {
        int bad = 0;
        for (float v : image.data()) {
            if (!(v >= 0f && v <= 1f)) {
                bad++;
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException(bad + " pixel(s) outside [0, 1] or not finite: window the slice first");
        }
    }

    /** MedSAM's input: on the 0–255 scale, then min-max normalised to [0, 1] (a new array). */
    private float[] minMaxScaled(float[] grey) {
        float[] v = new float[grey.length];
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int i = 0; i < v.length; i++) {
            v[i] = grey[i] * scale;
            lo = Math.min(lo, v[i]);
            hi = Math.max(hi, v[i]);
        }
        float range = Math.max(hi - lo, 1e-8f);
        for (int i = 0; i < v.length; i++) {
            v[i] = (v[i] - lo) / range;
        }
        return v;
    }

    /** A slice point in model-input pixels: x * w'/W, y * h'/H, in float arithmetic like the official code. */
    public float[] toInput(double x, double y, int width, int height) {
        int[] extent = inputExtent(width, height);
        if (!pad) {
            return new float[] {(float) x / width * size, (float) y / height * size};
        }
        return new float[] {(float) x * ((float) extent[0] / width), (float) y * ((float) extent[1] / height)};
    }
}
