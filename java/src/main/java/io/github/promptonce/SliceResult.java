package io.github.promptonce;

/**
 * The segmentation of one object on one slice. The mask and full-resolution logits are derived from the
 * decoder's low-resolution logits by bilinear upsampling (as the official predictors do), threshold 0.
 *
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
 */
public record SliceResult(int width, int height, float[] lowResLogits, int lowResSize, float iou, float objectScore,
                          int inputSize, int inputWidth, int inputHeight) {

    public SliceResult {
        if (lowResLogits.length != lowResSize * lowResSize) {
            throw new IllegalArgumentException("low-res logits of " + lowResLogits.length + " values, expected "
                    + lowResSize + "²");
        }
    }

    /** Logits at the slice's resolution, row-major (as the official post-processing computes them). */
    public float[] logits() {
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

    /** The binary mask at the slice's resolution (1 = object), row-major. */
    public byte[] mask() {
        return ImageOps.threshold(logits(), 0f);
    }

    /** Whether any pixel is foreground. */
    public boolean isEmpty() {
        for (byte b : mask()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
