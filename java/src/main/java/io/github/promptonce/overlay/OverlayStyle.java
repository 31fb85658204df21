package io.github.promptonce.overlay;

/**
 * How overlays look.
 *
 * @param scale integer magnification (nearest neighbour); 0 = automatic: the larger side becomes at least
 *              {@code 256} pixels (at most ×16)
 * @param fill whether the mask is filled (translucent)
 * @param outline whether the mask's boundary is drawn
 * @param fillAlpha opacity of the fill, 0..1
 * @param maxTiles the most slices an automatic montage shows
 */
public record OverlayStyle(int scale, boolean fill, boolean outline, float fillAlpha, int maxTiles) {
    public OverlayStyle {
        if (scale < 0 || scale > 64) {
            throw new IllegalArgumentException("scale " + scale + " must be 0 (auto) to 64");
        }
        if (!(fillAlpha >= 0 && fillAlpha <= 1)) {
            throw new IllegalArgumentException("fillAlpha " + fillAlpha + " must be within 0..1");
        }
        if (maxTiles < 1) {
            throw new IllegalArgumentException("maxTiles " + maxTiles + " must be at least 1");
        }
    }

    /** Auto scale, translucent fill and outline, up to 16 montage tiles. */
    public static OverlayStyle defaults() {
        return new OverlayStyle(0, true, true, 0.35f, 16);
    }

    public OverlayStyle withScale(int s) {
        return new OverlayStyle(s, fill, outline, fillAlpha, maxTiles);
    }

    public OverlayStyle withMaxTiles(int n) {
        return new OverlayStyle(scale, fill, outline, fillAlpha, n);
    }

    /** The magnification for an image of this size. */
    int scaleFor(int width, int height) {
        if (scale > 0) {
            return scale;
        }
        int side = Math.max(width, height);
        return Math.max(1, Math.min(16, (256 + side - 1) / side));
    }
}
