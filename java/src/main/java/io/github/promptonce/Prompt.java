package io.github.promptonce;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the user says about one object on one slice: positive / negative points, an optional box, in pixel
 * coordinates of the original slice (x = column, y = row; 0..width and 0..height). A plain value.
 *
 * @param points the clicks, in order
 * @param box    the box, or null
 */
public record Prompt(List<Point> points, Box box) {

    /** A click; {@code positive} = on the object, else background. */
    public record Point(double x, double y, boolean positive) {
        public Point {
            requireFinite("point x", x);
            requireFinite("point y", y);
        }
    }

    /** A box from (x0, y0) to (x1, y1), x0 ≤ x1 and y0 ≤ y1. */
    public record Box(double x0, double y0, double x1, double y1) {
        public Box {
            requireFinite("box x0", x0);
            requireFinite("box y0", y0);
            requireFinite("box x1", x1);
            requireFinite("box y1", y1);
            if (x0 > x1 || y0 > y1) {
                throw new IllegalArgumentException("box (" + x0 + "," + y0 + ")-(" + x1 + "," + y1
                        + ") is not ordered: expected x0 <= x1 and y0 <= y1");
            }
        }
    }

    public Prompt {
        points = List.copyOf(Objects.requireNonNull(points, "points"));
        if (points.isEmpty() && box == null) {
            throw new IllegalArgumentException("a prompt needs at least one point or a box");
        }
    }

    public static Prompt point(double x, double y) {
        return new Prompt(List.of(new Point(x, y, true)), null);
    }

    public static Prompt box(double x0, double y0, double x1, double y1) {
        return new Prompt(List.of(), new Box(x0, y0, x1, y1));
    }

    /** This prompt plus a click. */
    public Prompt with(Point point) {
        List<Point> more = new ArrayList<>(points);
        more.add(Objects.requireNonNull(point, "point"));
        return new Prompt(more, box);
    }

    /** This prompt with a box (replacing any box). */
    public Prompt withBox(Box newBox) {
        return new Prompt(points, Objects.requireNonNull(newBox, "box"));
    }

    /** Throws unless every point and the box lie inside a {@code width} × {@code height} slice. */
    public void requireInside(int width, int height) {
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (p.x() < 0 || p.x() > width || p.y() < 0 || p.y() > height) {
                throw new IllegalArgumentException("point " + i + " (" + p.x() + "," + p.y() + ") lies outside the "
                        + width + "x" + height + " slice (expected 0 <= x <= " + width + ", 0 <= y <= " + height + ")");
            }
        }
        if (box != null && (box.x0() < 0 || box.y0() < 0 || box.x1() > width || box.y1() > height)) {
            throw new IllegalArgumentException("box (" + box.x0() + "," + box.y0() + ")-(" + box.x1() + ","
                    + box.y1() + ") exceeds the " + width + "x" + height + " slice");
        }
    }

    private static void requireFinite(String what, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " is " + v + ", expected a finite number");
        }
    }

    /** This prompt as the SAM layer takes it. */
    io.github.promptonce.sam.PromptPoints toModel() {
        double[] xy = new double[2 * points.size()];
        boolean[] positive = new boolean[points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[2 * i] = points.get(i).x();
            xy[2 * i + 1] = points.get(i).y();
            positive[i] = points.get(i).positive();
        }
        double[] corners = box == null ? null : new double[] {box.x0(), box.y0(), box.x1(), box.y1()};
        return new io.github.promptonce.sam.PromptPoints(xy, positive, corners);
    }
}
