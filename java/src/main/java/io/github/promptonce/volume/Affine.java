package io.github.promptonce.volume;

import java.util.Arrays;
import java.util.Locale;

/**
 * An immutable 4×4 affine (last row 0 0 0 1) mapping voxel indices (i, j, k) to world millimetres.
 * In promptonce world coordinates are RAS+ as in NIfTI (x to the Right, y Anterior, z Superior); DICOM's LPS+
 * patient coordinates convert with {@link #lpsToRas()} (negate the first two rows).
 */
public final class Affine {
    /** The identity. */
    public static final Affine IDENTITY = new Affine(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});

    private final double[] m; // 12 values, row-major: rows 0..2 of the 4x4

    private Affine(double[] m12) {
        this.m = m12;
    }

    /**
     * From 12 (rows 0..2) or 16 (full, last row must be 0 0 0 1) row-major values.
     *
     * @throws IllegalArgumentException on another count, a non-finite value or a bad last row
     */
    public static Affine of(double... rowMajor) {
        if (rowMajor.length != 12 && rowMajor.length != 16) {
            throw new IllegalArgumentException("an affine needs 12 or 16 values, got " + rowMajor.length);
        }
        if (rowMajor.length == 16 && (rowMajor[12] != 0 || rowMajor[13] != 0 || rowMajor[14] != 0 || rowMajor[15] != 1)) {
            throw new IllegalArgumentException("last affine row must be 0 0 0 1, got " + rowMajor[12] + " "
                    + rowMajor[13] + " " + rowMajor[14] + " " + rowMajor[15]);
        }
        double[] m = Arrays.copyOf(rowMajor, 12);
        for (double v : m) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("affine value " + v + " is not finite");
            }
        }
        return new Affine(m);
    }

    /** From the three rows (each 4 values: 3 linear + translation), as NIfTI's srow_x/y/z. */
    public static Affine ofRows(double[] rowX, double[] rowY, double[] rowZ) {
        double[] m = new double[12];
        System.arraycopy(rowX, 0, m, 0, 4);
        System.arraycopy(rowY, 0, m, 4, 4);
        System.arraycopy(rowZ, 0, m, 8, 4);
        return of(m);
    }

    /** From direction columns (each scaled by its spacing) and an origin. */
    public static Affine ofColumns(double[] colI, double[] colJ, double[] colK, double[] origin) {
        return of(colI[0], colJ[0], colK[0], origin[0],
                colI[1], colJ[1], colK[1], origin[1],
                colI[2], colJ[2], colK[2], origin[2]);
    }

    /** A diagonal scaling with a translation. */
    public static Affine diagonal(double sx, double sy, double sz, double tx, double ty, double tz) {
        return of(sx, 0, 0, tx, 0, sy, 0, ty, 0, 0, sz, tz);
    }

    /** Element at row {@code r} (0..3), column {@code c} (0..3). */
    public double get(int r, int c) {
        if (r == 3) {
            return c == 3 ? 1 : 0;
        }
        return m[r * 4 + c];
    }

    /** All 16 values, row-major (a fresh array). */
    public double[] toArray() {
        double[] a = new double[16];
        System.arraycopy(m, 0, a, 0, 12);
        a[15] = 1;
        return a;
    }

    /** Row {@code r} (0..2) as 4 values, e.g. NIfTI's srow_x for r = 0. */
    public double[] row(int r) {
        return Arrays.copyOfRange(m, r * 4, r * 4 + 4);
    }

    /** World coordinates of voxel (i, j, k). */
    public double[] apply(double i, double j, double k) {
        double[] w = new double[3];
        for (int r = 0; r < 3; r++) {
            w[r] = m[r * 4] * i + m[r * 4 + 1] * j + m[r * 4 + 2] * k + m[r * 4 + 3];
        }
        return w;
    }

    /** {@code this · other}. */
    public Affine multiply(Affine other) {
        double[] out = new double[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    s += get(r, k) * other.get(k, c);
                }
                out[r * 4 + c] = s;
            }
        }
        return new Affine(out);
    }

    /** Determinant of the 3×3 linear part. */
    public double determinant() {
        return det3(linear());
    }

    /** The inverse; throws {@link IllegalStateException} if the linear part is singular. */
    public Affine inverse() {
        double[][] a = linear();
        double det = det3(a);
        if (det == 0 || !Double.isFinite(det)) {
            throw new IllegalStateException("affine is singular: " + this);
        }
        double[][] inv = invert3(a);
        double[] out = new double[12];
        for (int r = 0; r < 3; r++) {
            double t = 0;
            for (int c = 0; c < 3; c++) {
                out[r * 4 + c] = inv[r][c];
                t -= inv[r][c] * m[c * 4 + 3];
            }
            out[r * 4 + 3] = t;
        }
        return new Affine(out);
    }

    /**
     * The same mapping expressed in the other of LPS / RAS world conventions: rows 0 and 1 negated. The operation is
     * its own inverse, so it also converts RAS to LPS.
     */
    public Affine lpsToRas() {
        double[] out = m.clone();
        for (int c = 0; c < 4; c++) {
            out[c] = out[c] == 0 ? 0 : -out[c];
            out[4 + c] = out[4 + c] == 0 ? 0 : -out[4 + c];
        }
        return new Affine(out);
    }

    /** Length of each voxel axis in world units (column norms of the linear part): the voxel spacing. */
    public double[] zooms() {
        double[] z = new double[3];
        for (int c = 0; c < 3; c++) {
            z[c] = Math.sqrt(m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
        }
        return z;
    }

    /**
     * The orientation code: for each voxel axis i, j, k the world direction it points to, as nibabel's
     * {@code aff2axcodes} (RAS world): "RAS", "LAS", "LPS", "LSA"… Uses the closest orthogonal matrix (polar
     * decomposition) of the column-normalised linear part, then assigns axes in order i, j, k, each to the world
     * axis with the largest absolute component not yet taken. A voxel axis with a zero column gives '?'.
     */
    public String orientation() {
        double[][] rs = linear();
        double[] zooms = zooms();
        for (int c = 0; c < 3; c++) {
            double z = zooms[c] == 0 ? 1 : zooms[c];
            for (int r = 0; r < 3; r++) {
                rs[r][c] /= z;
            }
        }
        double[][] q = polar(rs);
        char[][] labels = {{'L', 'R'}, {'P', 'A'}, {'I', 'S'}};
        StringBuilder code = new StringBuilder(3);
        for (int c = 0; c < 3; c++) {
            int best = -1;
            double bestAbs = 0;
            boolean allZero = true;
            for (int r = 0; r < 3; r++) {
                if (Math.abs(q[r][c]) > 1e-8) {
                    allZero = false;
                }
                if (Math.abs(q[r][c]) > bestAbs) {
                    bestAbs = Math.abs(q[r][c]);
                    best = r;
                }
            }
            if (allZero || best < 0) {
                code.append('?');
                continue;
            }
            code.append(labels[best][q[best][c] < 0 ? 0 : 1]);
            for (int cc = 0; cc < 3; cc++) {
                q[best][cc] = 0; // this world axis is taken
            }
        }
        return code.toString();
    }

    /** The closest orthogonal matrix (polar factor) of a 3×3 matrix; the matrix itself if it is singular. */
    static double[][] polar(double[][] a) {
        double[][] x = copy(a);
        if (Math.abs(det3(x)) < 1e-12) {
            return x;
        }
        for (int it = 0; it < 100; it++) {
            double[][] inv = invert3(x);
            double change = 0;
            double[][] next = new double[3][3];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    next[r][c] = 0.5 * (x[r][c] + inv[c][r]); // (X + X^-T) / 2
                    change = Math.max(change, Math.abs(next[r][c] - x[r][c]));
                }
            }
            x = next;
            if (change < 1e-15) {
                break;
            }
        }
        return x;
    }

    double[][] linear() {
        return new double[][] {{m[0], m[1], m[2]}, {m[4], m[5], m[6]}, {m[8], m[9], m[10]}};
    }

    static double det3(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    static double[][] invert3(double[][] a) {
        double det = det3(a);
        double[][] inv = new double[3][3];
        inv[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
        inv[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
        inv[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
        inv[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
        inv[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
        inv[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
        inv[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
        inv[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
        inv[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
        return inv;
    }

    private static double[][] copy(double[][] a) {
        return new double[][] {a[0].clone(), a[1].clone(), a[2].clone()};
    }

    /** Whether every element differs from {@code other}'s by at most {@code tol}. */
    public boolean approxEquals(Affine other, double tol) {
        for (int i = 0; i < 12; i++) {
            if (Math.abs(m[i] - other.m[i]) > tol) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Affine a && Arrays.equals(m, a.m);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(m);
    }

    /** Three rows, e.g. {@code [[-2, 0, 0, 32], [0, 2, 0, -40], [0, 0, 2, -16]]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int r = 0; r < 3; r++) {
            sb.append(r == 0 ? "[" : ", [");
            for (int c = 0; c < 4; c++) {
                if (c > 0) {
                    sb.append(", ");
                }
                sb.append(format(m[r * 4 + c]));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    /** A compact decimal rendering (up to 6 decimals, no trailing zeros, no "-0"). */
    public static String format(double v) {
        if (v == 0) {
            return "0";
        }
        String s = String.format(Locale.ROOT, "%.6f", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s.equals("-0") ? "0" : s;
    }
}
