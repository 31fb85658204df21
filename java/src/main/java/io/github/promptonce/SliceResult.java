package io.github.promptonce;

import io.github.promptonce.sam.ImageOps;
import io.github.promptonce.sam.MaskPrediction;
import io.github.promptonce.sam.Preprocessor;

/**
 * The segmentation of one object on one slice. The mask and full-resolution logits are derived from the
 * decoder's low-resolution logits by bilinear upsampling (as the official predictors do), threshold 0 — once, on
 * first use, then kept: {@link #logits()}, {@link #mask()} and {@link #isEmpty()} do not upsample again.
 * Immutable and thread-safe (the arrays handed out are copies, except {@link #lowResLogits()}).
 */
public final class SliceResult {
    private final int width;
    private final int height;
    private final float[] lowResLogits;
    private final int lowResSize;
    private final float iou;
    private final float objectScore;
    private final int inputSize;
    private final int inputWidth;
    private final int inputHeight;
    private volatile float[] logits;
    private volatile byte[] mask;

    /**
     * @param width        slice width (original resolution)
     * @param height       slice height
     * @param lowResLogits the decoder's mask logits, {@code lowResSize²}, row-major (usable as a mask prompt)
     * @param lowResSize   side of the low-resolution logits (256 for a 1024 model)
     * @param iou          the predicted IoU of the mask
     * @param objectScore  the object score logit (> 0: object present); NaN for SAM (v1), which has none
     * @param inputSize    the model input side S
     * @param inputWidth   width of the slice inside the model input (S for SAM 2, which resizes to a square; the
     *                     resized width for SAM (v1), which keeps the aspect ratio and pads bottom/right)
     * @param inputHeight  likewise, the height
     * @throws IllegalArgumentException when the logits do not hold {@code lowResSize²} values
     */
    public SliceResult(int width, int height, float[] lowResLogits, int lowResSize, float iou, float objectScore,
                       int inputSize, int inputWidth, int inputHeight) {
        if (lowResLogits.length != lowResSize * lowResSize) {
            throw new IllegalArgumentException("low-res logits of " + lowResLogits.length + " values, expected "
                    + lowResSize + "²");
        }
        this.width = width;
        this.height = height;
        this.lowResLogits = lowResLogits;
        this.lowResSize = lowResSize;
        this.iou = iou;
        this.objectScore = objectScore;
        this.inputSize = inputSize;
        this.inputWidth = inputWidth;
        this.inputHeight = inputHeight;
    }

    /** The API's result for the SAM layer's prediction on a {@code width × height} slice. */
    static SliceResult of(MaskPrediction p, int width, int height, Preprocessor pre) {
        int[] extent = pre.inputExtent(width, height);
        return new SliceResult(width, height, p.lowResLogits(), p.lowResSize(), p.iou(), p.objectScore(), pre.size(),
                extent[0], extent[1]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The decoder's logits (the array itself: do not change it). */
    public float[] lowResLogits() {
        return lowResLogits;
    }

    public int lowResSize() {
        return lowResSize;
    }

    public float iou() {
        return iou;
    }

    public float objectScore() {
        return objectScore;
    }

    public int inputSize() {
        return inputSize;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    /** Logits at the slice's resolution, row-major (as the official post-processing computes them); a copy. */
    public float[] logits() {
        return upsampled().clone();
    }

    /** The binary mask at the slice's resolution (1 = object), row-major; a copy. */
    public byte[] mask() {
        return binary().clone();
    }

    /** Whether no pixel is foreground. */
    public boolean isEmpty() {
        for (byte b : binary()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The kept logits themselves, for copying into a volume (package-private: callers must not change them). */
    float[] logitsView() {
        return upsampled();
    }

    /** The kept mask itself (package-private, as {@link #logitsView()}). */
    byte[] maskView() {
        return binary();
    }

    private float[] upsampled() {
        float[] l = logits;
        if (l == null) {
            logits = l = upsample(); // idempotent: a race computes the same array twice at worst
        }
        return l;
    }

    private byte[] binary() {
        byte[] m = mask;
        if (m == null) {
            mask = m = ImageOps.threshold(upsampled(), 0f);
        }
        return m;
    }

    private float[] upsample() {
        if (inputWidth == inputSize && inputHeight == inputSize) {
            return ImageOps.resizeBilinear(lowResLogits, lowResSize, lowResSize, width, height);
        }
        // SAM (v1): up to the padded input, crop the padding, then down to the slice
        float[] full = ImageOps.resizeBilinear(lowResLogits, lowResSize, lowResSize, inputSize, inputSize);
        float[] cropped = new float[inputWidth * inputHeight];
        for (int y = 0; y < inputHeight; y++) {
            System.arraycopy(full, y * inputSize, cropped, y * inputWidth, inputWidth);
        }
        return ImageOps.resizeBilinear(cropped, inputWidth, inputHeight, width, height);
    }

    @Override
    public String toString() {
        return "SliceResult[" + width + "x" + height + ", iou=" + iou + ", objectScore=" + objectScore + "]";
    }
}
