package io.github.promptonce.overlay;

import io.github.promptonce.volume.Slice;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Renders one windowed slice (values in [0, 1]) as an RGB image with the mask (fill and outline, one colour per label)
 * and prompt markers: positive points green, negative points red, boxes yellow. Draws no text (no fonts needed; works
 * headless).
 */
public final class OverlayRenderer {
    /** Label colours: label l uses PALETTE[(l − 1) % length]. */
    static final Color[] PALETTE = {
        new Color(0, 160, 255), new Color(255, 140, 0), new Color(190, 80, 255), new Color(255, 230, 0),
        new Color(0, 220, 200), new Color(255, 80, 160), new Color(140, 200, 60), new Color(120, 120, 255)};
    static final Color POSITIVE = new Color(40, 220, 60);
    static final Color NEGATIVE = new Color(235, 40, 40);
    static final Color BOX = new Color(255, 220, 0);

    private OverlayRenderer() {
    }

    /**
     * @param windowed the slice after {@link io.github.promptonce.volume.Window#apply(Slice)}
     * @param mask labels of the same slice, row-major {@code width × height}, or null
     * @param markers prompts on this slice (may be empty)
     */
    public static BufferedImage render(Slice windowed, byte[] mask, List<Marker> markers, OverlayStyle style) {
        int w = windowed.width();
        int h = windowed.height();
        if (mask != null && mask.length != w * h) {
            throw new IllegalArgumentException("mask has " + mask.length + " labels for a " + w + "x" + h + " slice");
        }
        int s = style.scaleFor(w, h);
        int sw = w * s;
        int sh = h * s;
        BufferedImage img = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[sw];
        float[] v = windowed.data();
        float alpha = style.fill() ? style.fillAlpha() : 0f;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float f = v[y * w + x];
                int g = Math.round((Float.isNaN(f) ? 0f : Math.max(0f, Math.min(1f, f))) * 255f);
                int r = g;
                int gg = g;
                int b = g;
                int label = mask == null ? 0 : mask[y * w + x] & 0xff;
                if (label != 0 && alpha > 0) {
                    Color c = PALETTE[(label - 1) % PALETTE.length];
                    r = Math.round(g * (1 - alpha) + c.getRed() * alpha);
                    gg = Math.round(g * (1 - alpha) + c.getGreen() * alpha);
                    b = Math.round(g * (1 - alpha) + c.getBlue() * alpha);
                }
                int rgb = r << 16 | gg << 8 | b;
                for (int dx = 0; dx < s; dx++) {
                    row[x * s + dx] = rgb;
                }
            }
            for (int dy = 0; dy < s; dy++) {
                img.setRGB(0, y * s + dy, sw, 1, row, 0, sw);
            }
        }
        if (mask != null && style.outline()) {
            drawOutline(img, mask, w, h, s);
        }
        if (!markers.isEmpty()) {
            Graphics2D g = img.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
                for (Marker m : markers) {
                    draw(g, m, s);
                }
            } finally {
                g.dispose();
            }
        }
        return img;
    }

    /** Boundary at display resolution: a pixel inside a label whose 4-neighbour (or the image edge) is not. */
    private static void drawOutline(BufferedImage img, byte[] mask, int w, int h, int s) {
        int sw = w * s;
        int sh = h * s;
        for (int y = 0; y < sh; y++) {
            int oy = y / s;
            for (int x = 0; x < sw; x++) {
                int ox = x / s;
                int label = mask[oy * w + ox] & 0xff;
                if (label == 0) {
                    continue;
                }
                boolean edge = x == 0 || y == 0 || x == sw - 1 || y == sh - 1
                        || (mask[oy * w + (x - 1) / s] & 0xff) != label
                        || (mask[oy * w + (x + 1) / s] & 0xff) != label
                        || (mask[((y - 1) / s) * w + ox] & 0xff) != label
                        || (mask[((y + 1) / s) * w + ox] & 0xff) != label;
                if (edge) {
                    img.setRGB(x, y, PALETTE[(label - 1) % PALETTE.length].brighter().getRGB());
                }
            }
        }
    }

    private static void draw(Graphics2D g, Marker m, int s) {
        float stroke = Math.max(1.5f, s / 3f);
        switch (m) {
            case Marker.Point p -> {
                double cx = (p.x() + 0.5) * s;
                double cy = (p.y() + 0.5) * s;
                double r = Math.max(5, 1.2 * s);
                Ellipse2D disc = new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
                g.setColor(p.positive() ? POSITIVE : NEGATIVE);
                g.fill(disc);
                g.setStroke(new BasicStroke(stroke));
                g.setColor(Color.BLACK);
                g.draw(disc);
                g.setColor(Color.WHITE);
                double a = r * 0.55;
                g.draw(new Line2D.Double(cx - a, cy, cx + a, cy));
                if (p.positive()) {
                    g.draw(new Line2D.Double(cx, cy - a, cx, cy + a));
                }
            }
            case Marker.Box b -> {
                double x0 = (Math.min(b.x0(), b.x1()) + 0.5) * s;
                double y0 = (Math.min(b.y0(), b.y1()) + 0.5) * s;
                double x1 = (Math.max(b.x0(), b.x1()) + 0.5) * s;
                double y1 = (Math.max(b.y0(), b.y1()) + 0.5) * s;
                g.setStroke(new BasicStroke(stroke));
                g.setColor(BOX);
                g.draw(new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0));
            }
        }
    }
}
