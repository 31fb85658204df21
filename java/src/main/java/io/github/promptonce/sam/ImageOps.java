package io.github.promptonce.sam;

/** Resampling and mask post-processing, with the exact semantics of the PyTorch ops the official code uses. */
public final class ImageOps {
    private ImageOps() {
    }

    /**
     * {@code F.interpolate(mode="bilinear", align_corners=False)} without antialiasing, single channel, in float
     * arithmetic as PyTorch does on the CPU: source = (dst + 0.5) * in/out - 0.5, clamped at 0.
     */
    public static float[] resizeBilinear(float[] src, int srcW, int srcH, int dstW, int dstH) {
        float[] dst = new float[dstW * dstH];
        float scaleX = (float) srcW / dstW;
        float scaleY = (float) srcH / dstH;
        int[] x0 = new int[dstW];
        int[] x1 = new int[dstW];
        float[] lx = new float[dstW];
        for (int x = 0; x < dstW; x++) {
            float s = Math.max(scaleX * (x + 0.5f) - 0.5f, 0f);
            x0[x] = Math.min((int) s, srcW - 1);
            x1[x] = x0[x] + (x0[x] < srcW - 1 ? 1 : 0);
            lx[x] = s - x0[x];
        }
        for (int y = 0; y < dstH; y++) {
            float s = Math.max(scaleY * (y + 0.5f) - 0.5f, 0f);
            int y0 = Math.min((int) s, srcH - 1);
            int y1 = y0 + (y0 < srcH - 1 ? 1 : 0);
            float ly = s - y0;
            float hy = 1f - ly;
            int r0 = y0 * srcW;
            int r1 = y1 * srcW;
            int o = y * dstW;
            for (int x = 0; x < dstW; x++) {
                float hx = 1f - lx[x];
                dst[o + x] = hy * (hx * src[r0 + x0[x]] + lx[x] * src[r0 + x1[x]])
                        + ly * (hx * src[r1 + x0[x]] + lx[x] * src[r1 + x1[x]]);
            }
        }
        return dst;
    }

    /**
     * SAM 2's {@code fill_holes_in_mask_scores}: background regions (logit ≤ 0, 8-connected) of at most
     * {@code maxArea} pixels become foreground with the score 0.1. In place; returns how many pixels changed.
     */
    public static int fillHoles(float[] logits, int width, int height, int maxArea) {
        if (maxArea <= 0) {
            return 0;
        }
        int filled = 0;
        int[] label = new int[logits.length];
        int[] stack = new int[logits.length];
        int[] members = new int[maxArea + 1];
        int next = 0;
        for (int start = 0; start < logits.length; start++) {
            if (logits[start] > 0 || label[start] != 0) {
                continue;
            }
            next++;
            int top = 0;
            int area = 0;
            stack[top++] = start;
            label[start] = next;
            while (top > 0) {
                int p = stack[--top];
                if (area <= maxArea) {
                    members[area] = p;
                }
                area++;
                int px = p % width;
                int py = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = py + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = px + dx;
                        if (nx < 0 || nx >= width) {
                            continue;
                        }
                        int q = ny * width + nx;
                        if (logits[q] <= 0 && label[q] == 0) {
                            label[q] = next;
                            stack[top++] = q;
                        }
                    }
                }
            }
            if (area <= maxArea) {
                for (int i = 0; i < area; i++) {
                    logits[members[i]] = 0.1f;
                }
                filled += area;
            }
        }
        return filled;
    }

    /** Keeps only pixels with logit > threshold, as 0/1 bytes. */
    public static byte[] threshold(float[] logits, float threshold) {
        byte[] mask = new byte[logits.length];
        for (int i = 0; i < logits.length; i++) {
            mask[i] = (byte) (logits[i] > threshold ? 1 : 0);
        }
        return mask;
    }
}
