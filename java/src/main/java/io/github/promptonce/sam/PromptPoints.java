package io.github.promptonce.sam;

/**
 * A prompt in slice pixels, as the models take it: clicks (x, y, positive) and an optional box.
 *
 * @param xy       click coordinates, interleaved x0, y0, x1, y1, ...
 * @param positive one flag per click
 * @param box      {x0, y0, x1, y1}, or null
 */
public record PromptPoints(double[] xy, boolean[] positive, double[] box) {
    public PromptPoints {
        if (xy.length != 2 * positive.length) {
            throw new IllegalArgumentException(xy.length + " coordinates for " + positive.length + " clicks");
        }
        if (box != null && box.length != 4) {
            throw new IllegalArgumentException("a box has 4 coordinates, got " + box.length);
        }
    }

    public int clicks() {
        return positive.length;
    }

    /** Points as the official multimask rule counts them: a box counts as two. */
    public int pointCount() {
        return clicks() + (box != null ? 2 : 0);
    }
}
