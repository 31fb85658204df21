package io.github.promptonce;

import java.util.ArrayList;
import java.util.List;

/** Prompts derived from masks, as the seed paper does for its experiments. */
public final class Prompts {
    private Prompts() {
    }

    /**
     * The paper's automatic prompt from a binary slice mask (row-major, {@code mask[y * width + x]}): one positive
     * point per 8-connected component at its centre of mass (moved to the component's nearest pixel when the
     * centre falls outside it), one negative point at the centre of the bounding box of all components, and that
     * box. Coordinates are continuous: pixel (x, y) spans [x, x+1) × [y, y+1). Unlike the paper's code, the negative point is left out when it
     * would fall on the object (a single convex component), where it would contradict the positive ones.
     *
     * @throws IllegalArgumentException when the mask is empty or its size does not match
     */
    public static Prompt fromMask(boolean[] mask, int width, int height) {
        if (width <= 0 || height <= 0 || mask == null || mask.length != (long) width * height) {
            throw new IllegalArgumentException("mask of " + (mask == null ? "null" : mask.length + " pixels")
                    + " does not match " + width + "x" + height);
        }
        int[] labels = new int[mask.length];
        List<int[]> components = new ArrayList<>(); // pixel indices per component
        int[] stack = new int[mask.length];
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || labels[start] != 0) {
                continue;
            }
            int label = components.size() + 1;
            int top = 0;
            stack[top++] = start;
            labels[start] = label;
            int[] pixels = new int[16];
            int count = 0;
            while (top > 0) {
                int p = stack[--top];
                if (count == pixels.length) {
                    pixels = java.util.Arrays.copyOf(pixels, count * 2);
                }
                pixels[count++] = p;
                int px = p % width;
                int py = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = px + dx;
                        int ny = py + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
                            continue;
                        }
                        int q = ny * width + nx;
                        if (mask[q] && labels[q] == 0) {
                            labels[q] = label;
                            stack[top++] = q;
                        }
                    }
                }
            }
            components.add(java.util.Arrays.copyOf(pixels, count));
        }
        if (components.isEmpty()) {
            throw new IllegalArgumentException("the mask is empty: no object to prompt");
        }
        List<Prompt.Point> points = new ArrayList<>();
        int minX = width, minY = height, maxX = -1, maxY = -1;
        for (int c = 0; c < components.size(); c++) {
            int[] pixels = components.get(c);
            double sx = 0, sy = 0;
            for (int p : pixels) {
                int x = p % width;
                int y = p / width;
                sx += x;
                sy += y;
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
            // continuous coordinates: pixel (x, y) covers [x, x+1) x [y, y+1), its centre is (x+0.5, y+0.5)
            double cx = sx / pixels.length + 0.5;
            double cy = sy / pixels.length + 0.5;
            if (labels[(int) cy * width + (int) cx] != c + 1) {
                int best = pixels[0];
                double bestD = Double.MAX_VALUE;
                for (int p : pixels) {
                    double d = Math.pow(p % width + 0.5 - cx, 2) + Math.pow(p / width + 0.5 - cy, 2);
                    if (d < bestD) {
                        bestD = d;
                        best = p;
                    }
                }
                cx = best % width + 0.5;
                cy = best / width + 0.5;
            }
            points.add(new Prompt.Point(cx, cy, true));
        }
        double bx = (minX + maxX + 1) / 2.0;
        double by = (minY + maxY + 1) / 2.0;
        if (!mask[Math.min((int) by, height - 1) * width + Math.min((int) bx, width - 1)]) {
            points.add(new Prompt.Point(bx, by, false));
        }
        return new Prompt(points, new Prompt.Box(minX, minY, maxX + 1, maxY + 1));
    }
}
