package io.github.promptonce.volume;

/** NIfTI quaternion ↔ affine, as nibabel ({@code quat2mat}) and nifti1_io ({@code mat44_to_quatern}). */
final class Quaternions {
    private Quaternions() {
    }

    /**
     * The qform: rotation from (b, c, d) with a = sqrt(1 - b² - c² - d²) (0 if negative, as nibabel within its
     * tolerance), times diag(dx, dy, qfac·dz), plus the offset.
     */
    static Affine toAffine(double[] quatern, double[] spacing, double qfac) {
        double b = quatern[0];
        double c = quatern[1];
        double d = quatern[2];
        double w2 = 1.0 - (b * b + c * c + d * d);
        double a;
        if (w2 < 0) {
            // nifti1_io: renormalise (b, c, d) and use a = 0; nibabel does the same within float32 rounding.
            double n = Math.sqrt(b * b + c * c + d * d);
            if (w2 < -3 * Math.ulp(1.0f)) {
                b /= n;
                c /= n;
                d /= n;
            }
            a = 0;
        } else {
            a = Math.sqrt(w2);
        }
        double nq = a * a + b * b + c * c + d * d;
        double[][] r;
        if (nq < 1e-15) {
            r = new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        } else {
            double s = 2.0 / nq;
            double x2 = b * s, y2 = c * s, z2 = d * s;
            double wx = a * x2, wy = a * y2, wz = a * z2;
            double xx = b * x2, xy = b * y2, xz = b * z2;
            double yy = c * y2, yz = c * z2, zz = d * z2;
            r = new double[][] {
                {1.0 - (yy + zz), xy - wz, xz + wy},
                {xy + wz, 1.0 - (xx + zz), yz - wx},
                {xz - wy, yz + wx, 1.0 - (xx + yy)}};
        }
        double[] z = {spacing[0], spacing[1], spacing[2] * qfac};
        double[] m = new double[12];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * z[col];
            }
            m[row * 4 + 3] = quatern[3 + row];
        }
        return Affine.of(m);
    }

    /** nifti1_io's mat44_to_quatern: returns b, c, d, qx, qy, qz, dx, dy, dz, qfac. */
    static double[] fromAffine(Affine aff) {
        double r11 = aff.get(0, 0), r12 = aff.get(0, 1), r13 = aff.get(0, 2);
        double r21 = aff.get(1, 0), r22 = aff.get(1, 1), r23 = aff.get(1, 2);
        double r31 = aff.get(2, 0), r32 = aff.get(2, 1), r33 = aff.get(2, 2);
        double qx = aff.get(0, 3), qy = aff.get(1, 3), qz = aff.get(2, 3);
        double xd = Math.sqrt(r11 * r11 + r21 * r21 + r31 * r31);
        double yd = Math.sqrt(r12 * r12 + r22 * r22 + r32 * r32);
        double zd = Math.sqrt(r13 * r13 + r23 * r23 + r33 * r33);
        if (xd == 0) {
            r11 = 1; r21 = 0; r31 = 0; xd = 1;
        }
        if (yd == 0) {
            r22 = 1; r12 = 0; r32 = 0; yd = 1;
        }
        if (zd == 0) {
            r33 = 1; r13 = 0; r23 = 0; zd = 1;
        }
        double dx = xd, dy = yd, dz = zd;
        r11 /= xd; r21 /= xd; r31 /= xd;
        r12 /= yd; r22 /= yd; r32 /= yd;
        r13 /= zd; r23 /= zd; r33 /= zd;
        double[][] p = Affine.polar(new double[][] {{r11, r12, r13}, {r21, r22, r23}, {r31, r32, r33}});
        r11 = p[0][0]; r12 = p[0][1]; r13 = p[0][2];
        r21 = p[1][0]; r22 = p[1][1]; r23 = p[1][2];
        r31 = p[2][0]; r32 = p[2][1]; r33 = p[2][2];
        double det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33
                + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
        double qfac;
        if (det > 0) {
            qfac = 1;
        } else {
            qfac = -1;
            r13 = -r13; r23 = -r23; r33 = -r33;
        }
        double a = r11 + r22 + r33 + 1.0;
        double b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r32 - r23) / a;
            c = 0.25 * (r13 - r31) / a;
            d = 0.25 * (r21 - r12) / a;
        } else {
            double x = 1.0 + r11 - (r22 + r33);
            double y = 1.0 + r22 - (r11 + r33);
            double z = 1.0 + r33 - (r11 + r22);
            if (x > 1.0) {
                b = 0.5 * Math.sqrt(x);
                c = 0.25 * (r12 + r21) / b;
                d = 0.25 * (r13 + r31) / b;
                a = 0.25 * (r32 - r23) / b;
            } else if (y > 1.0) {
                c = 0.5 * Math.sqrt(y);
                b = 0.25 * (r12 + r21) / c;
                d = 0.25 * (r23 + r32) / c;
                a = 0.25 * (r13 - r31) / c;
            } else {
                d = 0.5 * Math.sqrt(z);
                b = 0.25 * (r13 + r31) / d;
                c = 0.25 * (r23 + r32) / d;
                a = 0.25 * (r21 - r12) / d;
            }
            if (a < 0) {
                b = -b; c = -c; d = -d;
            }
        }
        return new double[] {b, c, d, qx, qy, qz, dx, dy, dz, qfac};
    }
}
