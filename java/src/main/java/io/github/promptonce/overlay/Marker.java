package io.github.promptonce.overlay;

/**
 * A prompt drawn on an overlay, in the slice's pixel coordinates: x = column (first volume axis for a K slice),
 * y = row (second axis). Points and box corners are pixel indices and are drawn at pixel centres.
 */
public sealed interface Marker permits Marker.Point, Marker.Box {

    /** A click: positive (object) or negative (background). */
    record Point(double x, double y, boolean positive) implements Marker {
        public Point {
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("point (" + x + ", " + y + ") must be finite");
            }
        }
    }

    /** A box from (x0, y0) to (x1, y1), inclusive pixel indices. */
    record Box(double x0, double y0, double x1, double y1) implements Marker {
        public Box {
            if (!Double.isFinite(x0) || !Double.isFinite(y0) || !Double.isFinite(x1) || !Double.isFinite(y1)) {
                throw new IllegalArgumentException("box must be finite");
            }
        }
    }

    static Point positive(double x, double y) {
        return new Point(x, y, true);
    }

    static Point negative(double x, double y) {
        return new Point(x, y, false);
    }

    static Box box(double x0, double y0, double x1, double y1) {
        return new Box(x0, y0, x1, y1);
    }
}
