package io.github.promptonce.phantom;

import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the synthetic phantoms of models/PHANTOMS.md, deterministically by seed; the Python generator
 * ({@code models/promptonce_models/phantom.py}) gives the same volume for the same arguments. Stateless and
 * thread-safe.
 *
 * <pre>{@code
 * Phantom p = PhantomGenerator.generate(256, 256, 24, 3);                       // shape, modality from the seed
 * Phantom q = PhantomGenerator.generate(256, 256, 24, 3, Phantom.Shape.TUBE, Phantom.Modality.CT);
 * }</pre>
 */
public final class PhantomGenerator {
    /** Voxel size in mm (x, y, z). */
    public static final double[] SPACING = {0.8, 0.8, 2.5};

    static final double TWO_PI = 2.0 * Math.PI;
    private static final Phantom.Shape[] SHAPES = {Phantom.Shape.ELLIPSOID, Phantom.Shape.TUBE, Phantom.Shape.BLOB};

    private PhantomGenerator() {
    }

    /** A phantom whose shape and modality the seed chooses. */
    public static Phantom generate(int nx, int ny, int nz, long seed) {
        return generate(nx, ny, nz, seed, Phantom.Shape.ANY, Phantom.Modality.ANY);
    }

    /**
     * The phantom of the spec.
     *
     * @throws IllegalArgumentException for nx or ny &lt; 32 or nz &lt; 6
     */
    public static Phantom generate(int nx, int ny, int nz, long seed, Phantom.Shape shape, Phantom.Modality modality) {
        if (nx < 32 || ny < 32) {
            throw new IllegalArgumentException("phantom: nx and ny must be >= 32, got " + nx + " x " + ny);
        }
        if (nz < 6) {
            throw new IllegalArgumentException("phantom: nz must be >= 6, got " + nz);
        }
        if ((long) nx * ny * nz > Volume.MAX_VOXELS) {
            throw new IllegalArgumentException("phantom: " + nx + "x" + ny + "x" + nz + " is too large");
        }
        Spec spec = new Spec(nx, ny, nz, seed, shape, modality);
        int plane = nx * ny;
        float[] voxels = new float[plane * nz];
        byte[] label = new byte[plane * nz];
        byte[] dlabel = new byte[plane * nz];
        double[][] lattices = spec.lattices();
        for (int k = 0; k < nz; k++) {
            spec.renderSlice(k, lattices, voxels, label, dlabel);
        }
        Geometry g = Geometry.ofSpacing(SPACING[0], SPACING[1], SPACING[2])
                .withDescription("promptonce phantom seed " + seed + " " + spec.shape.id() + " " + spec.modality.id());
        return new Phantom(seed, spec.shape, spec.modality, Volume.of(voxels, nx, ny, nz, g),
                VolumeMask.of(label, nx, ny, nz, g), VolumeMask.of(dlabel, nx, ny, nz, g), spec.distractors.size(),
                spec.tissue, spec.targetI);
    }

    // -------------------------------------------------------------------------------------------------------------

    /** An ellipse on one slice (PHANTOMS.md §3), optionally lobulated. */
    record Ellipse(double cx, double cy, double a, double b, double rot, double[] lobeM, double[] lobeAmp,
                   double[] lobePhase) {
        Ellipse(double cx, double cy, double a, double b, double rot) {
            this(cx, cy, a, b, rot, new double[0], new double[0], new double[0]);
        }

        double rMax() {
            double s = 0;
            for (double amp : lobeAmp) {
                s += Math.abs(amp);
            }
            return Math.max(a, b) * (1.0 + s);
        }

        double distance(double x, double y) {
            double dx = x - cx;
            double dy = y - cy;
            double c = Math.cos(rot);
            double s = Math.sin(rot);
            double u = dx * c + dy * s;
            double v = -dx * s + dy * c;
            double rho = Math.sqrt(dx * dx + dy * dy);
            double cp = 1.0;
            double sp = 0.0;
            if (rho != 0.0) {
                cp = u / rho;
                sp = v / rho;
            }
            double r = (a * b) / Math.sqrt((b * cp) * (b * cp) + (a * sp) * (a * sp));
            if (lobeAmp.length > 0) {
                double phi = Math.atan2(v, u);
                double mod = 1.0;
                for (int l = 0; l < lobeAmp.length; l++) {
                    mod = mod + lobeAmp[l] * Math.cos(lobeM[l] * phi + lobePhase[l]);
                }
                r = r * mod;
            }
            return rho - r;
        }

        /** {x0, x1, y0, y1} (ends exclusive) of the voxels within r_max + 1 in x and y, or null. */
        int[] box(int nx, int ny) {
            double r = rMax() + 1.0;
            int x0 = Math.max(0, (int) Math.floor(cx - r));
            int x1 = Math.min(nx, (int) Math.floor(cx + r) + 1);
            int y0 = Math.max(0, (int) Math.floor(cy - r));
            int y1 = Math.min(ny, (int) Math.floor(cy + r) + 1);
            return x0 >= x1 || y0 >= y1 ? null : new int[] {x0, x1, y0, y1};
        }
    }

    static double occupancy(double d) {
        return Math.min(1.0, Math.max(0.0, 0.5 - d));
    }

    /** An object along the slice axis (PHANTOMS.md §3). */
    record Path(double zc, double hz, boolean tube, double radius, double aspect, double rot0, double drot,
                double growth, double[][] lobes) {
        double t(int k) {
            return (k - zc) / hz;
        }

        double p(double t) {
            if (tube) {
                double q = Math.max(0.0, (Math.abs(t) - 0.75) / 0.25);
                return Math.sqrt(Math.max(0.0, 1.0 - q * q));
            }
            return Math.sqrt(Math.max(0.0, 1.0 - t * t));
        }

        double zocc(double t) {
            return Math.min(1.0, Math.max(0.0, (1.0 - Math.abs(t)) * hz + 0.5));
        }

        double rMaxAll() {
            double s = 0;
            for (double[] l : lobes) {
                s += Math.abs(l[1]);
            }
            return radius * (1.0 + Math.abs(growth)) * (1.0 + s);
        }
    }

    record Distractor(Path path, double ox, double oy, double intensity) {
    }

    record Clutter(double x, double y, double r, double intensity, double dx, double dy) {
    }

    record Organ(double cx, double cy, double a, double b, double rot, double intensity, double dx, double dy) {
    }

    /** All parameters of one phantom, drawn in the spec's order (§2). */
    static final class Spec {
        final int nx;
        final int ny;
        final int nz;
        final double s;
        final double cxi;
        final double cyi;
        final Phantom.Shape shape;
        final Phantom.Modality modality;
        final double bcx;
        final double bcy;
        final double bax;
        final double bay;
        final double brot;
        final double fat;
        final double bscale;
        final Path target;
        final double[] drift;
        final double c0x;
        final double c0y;
        final double air;
        final double tissue;
        final double fatI;
        final double targetI;
        final double sigma;
        final double tex;
        final double gx;
        final double gy;
        final List<Distractor> distractors = new ArrayList<>();
        final List<Clutter> clutter = new ArrayList<>();
        final List<Organ> organs = new ArrayList<>();
        final long texSeed;
        final long noiseSeed;
        final int[][] octaves; // {cell, cz}
        final double[] octaveWeights = {1.0, 0.5};

        Spec(int nx, int ny, int nz, long seed, Phantom.Shape shapeArg, Phantom.Modality modalityArg) {
            this.nx = nx;
            this.ny = ny;
            this.nz = nz;
            SplitMix64 rng = new SplitMix64(seed);
            double S = Math.min(nx, ny);
            this.s = S;
            cxi = (nx - 1) / 2.0;
            cyi = (ny - 1) / 2.0;
            // 1. kind
            double mSel = rng.nextDouble();
            double sSel = rng.nextDouble();
            modality = modalityArg != Phantom.Modality.ANY ? modalityArg
                    : mSel < 0.5 ? Phantom.Modality.CT : Phantom.Modality.MR;
            shape = shapeArg != Phantom.Shape.ANY ? shapeArg : SHAPES[Math.min(2, (int) Math.floor(3.0 * sSel))];
            // 2. body
            bcx = cxi + S * rng.uniform(-0.03, 0.03);
            bcy = cyi + S * rng.uniform(-0.03, 0.03);
            bax = S * rng.uniform(0.40, 0.47);
            bay = S * rng.uniform(0.33, 0.42);
            brot = rng.uniform(-0.2, 0.2);
            fat = S * rng.uniform(0.015, 0.04);
            bscale = rng.uniform(-0.1, 0.1);
            // 3. target
            boolean tube = shape == Phantom.Shape.TUBE;
            double L = nz - 2.0;
            double zfrac = rng.uniform(0.55, 0.85);
            double zpos = rng.nextDouble();
            double radius = S * rng.uniform(0.045, 0.10);
            double aspect = rng.uniform(0.6, 1.0);
            double rot0 = rng.uniform(0.0, Math.PI);
            double drot = rng.uniform(-0.6, 0.6);
            double growth = rng.uniform(-0.35, 0.35);
            double vx = rng.uniform(-1.0, 1.0);
            double vy = rng.uniform(-1.0, 1.0);
            double bx = rng.uniform(-1.0, 1.0);
            double by = rng.uniform(-1.0, 1.0);
            double px = rng.uniform(-1.0, 1.0);
            double py = rng.uniform(-1.0, 1.0);
            double[][] lobes = new double[4][];
            for (int m = 2; m < 6; m++) {
                double amp = rng.uniform(0.0, 0.12);
                double ph = rng.uniform(0.0, TWO_PI);
                double pd = rng.uniform(-1.5, 1.5);
                lobes[m - 2] = new double[] {m, amp, ph, pd};
            }
            double hz = zfrac * L / 2.0;
            double zc = 0.5 + hz + zpos * (L - 2.0 * hz);
            target = new Path(zc, hz, tube, radius, tube ? 0.5 + 0.5 * aspect : aspect, rot0, drot, growth,
                    shape == Phantom.Shape.BLOB ? lobes : new double[0][]);
            double dv = S * (tube ? 0.10 : 0.05);
            double db = S * (tube ? 0.08 : 0.03);
            drift = new double[] {dv * vx, dv * vy, db * bx, db * by};
            double rmax = target.rMaxAll();
            double shrink = 1.0 - Math.abs(bscale) / 2.0;
            double roomX = Math.max(0.0, 0.8 * bax * shrink - rmax - (dv * Math.abs(vx) + db * Math.abs(bx)));
            double roomY = Math.max(0.0, 0.8 * bay * shrink - rmax - (dv * Math.abs(vy) + db * Math.abs(by)));
            c0x = bcx + px * roomX;
            c0y = bcy + py * roomY;
            // 4. intensities
            double[] iu = new double[8];
            for (int i = 0; i < 8; i++) {
                iu[i] = rng.nextDouble();
            }
            if (modality == Phantom.Modality.CT) {
                air = -1000.0;
                tissue = 20.0 + 40.0 * iu[0];
                fatI = -120.0 + 40.0 * iu[1];
                double sign = iu[2] < 0.3 ? -1.0 : 1.0;
                targetI = tissue + sign * (40.0 + 80.0 * iu[3]);
                sigma = 6.0 + 14.0 * iu[4];
                tex = 10.0 + 20.0 * iu[5];
                gx = 0.0;
                gy = 0.0;
            } else {
                air = 0.0;
                tissue = 300.0 + 200.0 * iu[0];
                fatI = 700.0 + 250.0 * iu[1];
                double sign = iu[2] < 0.35 ? -1.0 : 1.0;
                targetI = tissue * (1.0 + sign * (0.35 + 0.5 * iu[3]));
                sigma = tissue * (0.02 + 0.04 * iu[4]);
                tex = tissue * (0.03 + 0.05 * iu[5]);
                gx = 0.6 * (iu[6] - 0.5);
                gy = 0.6 * (iu[7] - 0.5);
            }
            // 5. distractors
            int nd = 1 + Math.min(1, (int) Math.floor(2.0 * rng.nextDouble()));
            double beta = Math.atan2(bcy - c0y, bcx - c0x);
            for (int sl = 0; sl < 2; sl++) {
                double ang = rng.nextDouble();
                double gap = S * rng.uniform(0.012, 0.06);
                double rd = S * rng.uniform(0.035, 0.085);
                double aspd = rng.uniform(0.55, 1.0);
                double rotd = rng.uniform(0.0, Math.PI);
                double growd = rng.uniform(-0.3, 0.3);
                double zfd = rng.uniform(0.4, 0.9);
                double zpd = rng.nextDouble();
                double di = rng.nextDouble();
                if (sl >= nd) {
                    continue;
                }
                double dist = rmax + rd * (1.0 + Math.abs(growd)) + gap;
                double alpha = fitAngle(beta + (ang - 0.5) * Math.PI + sl * Math.PI, dist,
                        rd * (1.0 + Math.abs(growd)));
                double hzd = zfd * L / 2.0;
                double zcd = 0.5 + hzd + zpd * (L - 2.0 * hzd);
                double inten = modality == Phantom.Modality.CT ? targetI + (2.0 * di - 1.0) * 15.0
                        : targetI * (1.0 + (2.0 * di - 1.0) * 0.06);
                Path path = new Path(zcd, hzd, false, rd, aspd, rotd, 0.0, growd, new double[0][]);
                distractors.add(new Distractor(path, dist * Math.cos(alpha), dist * Math.sin(alpha), inten));
            }
            // 6. clutter
            int nc = 3 + Math.min(3, (int) Math.floor(4.0 * rng.nextDouble()));
            for (int c = 0; c < 6; c++) {
                double ux = rng.nextDouble();
                double uy = rng.nextDouble();
                double ur = rng.nextDouble();
                double ui = rng.nextDouble();
                double udx = rng.nextDouble();
                double udy = rng.nextDouble();
                if (c >= nc) {
                    continue;
                }
                double inten = modality == Phantom.Modality.CT ? tissue - 80.0 + 280.0 * ui : tissue * (0.4 + 1.4 * ui);
                clutter.add(new Clutter(bcx + (2.0 * ux - 1.0) * 0.75 * bax, bcy + (2.0 * uy - 1.0) * 0.75 * bay,
                        S * (0.008 + 0.014 * ur), inten, S * 0.04 * (2.0 * udx - 1.0), S * 0.04 * (2.0 * udy - 1.0)));
            }
            // 7. organs
            for (int o = 0; o < 2; o++) {
                double ux = rng.nextDouble();
                double uy = rng.nextDouble();
                double ua = rng.nextDouble();
                double uasp = rng.nextDouble();
                double urot = rng.nextDouble();
                double ui = rng.nextDouble();
                double udx = rng.nextDouble();
                double udy = rng.nextDouble();
                double a = S * (0.10 + 0.12 * ua);
                double inten = modality == Phantom.Modality.CT ? tissue + (2.0 * ui - 1.0) * 35.0
                        : tissue * (1.0 + (2.0 * ui - 1.0) * 0.15);
                organs.add(new Organ(bcx + (2.0 * ux - 1.0) * 0.5 * bax, bcy + (2.0 * uy - 1.0) * 0.5 * bay, a,
                        a * (0.5 + 0.5 * uasp), Math.PI * urot, inten, S * 0.05 * (2.0 * udx - 1.0),
                        S * 0.05 * (2.0 * udy - 1.0)));
            }
            // 8. field seeds
            texSeed = rng.nextLong();
            noiseSeed = rng.nextLong();
            int si = (int) S;
            octaves = new int[][] {{Math.max(4, si / 8), 4}, {Math.max(2, si / 32), 2}};
        }

        private double fitAngle(double alpha, double dist, double rdMax) {
            double ex = bax * (1.0 - Math.abs(bscale) / 2.0) - fat - rdMax;
            double ey = bay * (1.0 - Math.abs(bscale) / 2.0) - fat - rdMax;
            for (int j = 0; j < 8; j++) {
                double a = alpha + j * (Math.PI / 4.0);
                double ox = dist * Math.cos(a);
                double oy = dist * Math.sin(a);
                boolean fits = ex > 0.0 && ey > 0.0;
                for (double t : new double[] {-1.0, -0.5, 0.0, 0.5, 1.0}) {
                    if (!fits) {
                        break;
                    }
                    double[] c = centre(t);
                    double qx = (c[0] + ox - bcx) / ex;
                    double qy = (c[1] + oy - bcy) / ey;
                    fits = qx * qx + qy * qy <= 1.0;
                }
                if (fits) {
                    return a;
                }
            }
            return alpha;
        }

        double[] centre(double t) {
            return new double[] {c0x + drift[0] * t + drift[2] * t * t, c0y + drift[1] * t + drift[3] * t * t};
        }

        /** The target's ellipse on slice k and its zocc, or null. */
        Object[] targetEllipse(int k) {
            double t = target.t(k);
            if (Math.abs(t) >= 1.0) {
                return null;
            }
            double a = target.radius() * target.p(t) * (1.0 + target.growth() * t);
            if (a <= 0.0) {
                return null;
            }
            double[] c = centre(t);
            int n = target.lobes().length;
            double[] m = new double[n];
            double[] amp = new double[n];
            double[] ph = new double[n];
            for (int l = 0; l < n; l++) {
                double[] lobe = target.lobes()[l];
                m[l] = lobe[0];
                amp[l] = lobe[1];
                ph[l] = lobe[2] + lobe[3] * t;
            }
            return new Object[] {new Ellipse(c[0], c[1], a, a * target.aspect(), target.rot0() + target.drot() * t, m,
                    amp, ph), target.zocc(t)};
        }

        Object[] distractorEllipse(int d, int k) {
            Distractor dd = distractors.get(d);
            Path path = dd.path();
            double t = path.t(k);
            if (Math.abs(t) >= 1.0) {
                return null;
            }
            double a = path.radius() * path.p(t) * (1.0 + path.growth() * t);
            if (a <= 0.0) {
                return null;
            }
            double[] c = centre(Math.min(1.0, Math.max(-1.0, target.t(k))));
            return new Object[] {new Ellipse(c[0] + dd.ox(), c[1] + dd.oy(), a, a * path.aspect(), path.rot0()),
                    path.zocc(t)};
        }

        double[][] lattices() {
            double[][] out = new double[2][];
            long offset = 0;
            for (int o = 0; o < 2; o++) {
                int cell = octaves[o][0];
                int cz = octaves[o][1];
                int n = (nx / cell + 2) * (ny / cell + 2) * (nz / cz + 2);
                double[] lat = new double[n];
                for (int e = 0; e < n; e++) {
                    lat[e] = 2.0 * SplitMix64.element(texSeed, offset + e) - 1.0;
                }
                out[o] = lat;
                offset += n;
            }
            return out;
        }

        double texture(double[][] lattices, int i, int j, int k) {
            double total = 0.0;
            for (int o = 0; o < 2; o++) {
                int cell = octaves[o][0];
                int cz = octaves[o][1];
                int lx = nx / cell + 2;
                int ly = ny / cell + 2;
                int i0 = i / cell;
                int j0 = j / cell;
                int k0 = k / cz;
                double fx = (double) (i - i0 * cell) / cell;
                double fy = (double) (j - j0 * cell) / cell;
                double fz = (double) (k - k0 * cz) / cz;
                double wx = fx * fx * (3.0 - 2.0 * fx);
                double wy = fy * fy * (3.0 - 2.0 * fy);
                double wz = fz * fz * (3.0 - 2.0 * fz);
                double[] lat = lattices[o];
                int base = i0 + lx * (j0 + ly * k0);
                int sy = lx;
                int sz = lx * ly;
                double v00 = lat[base] * (1.0 - wx) + lat[base + 1] * wx;
                double v10 = lat[base + sy] * (1.0 - wx) + lat[base + sy + 1] * wx;
                double v01 = lat[base + sz] * (1.0 - wx) + lat[base + sz + 1] * wx;
                double v11 = lat[base + sy + sz] * (1.0 - wx) + lat[base + sy + sz + 1] * wx;
                double v0 = v00 * (1.0 - wy) + v10 * wy;
                double v1 = v01 * (1.0 - wy) + v11 * wy;
                total = total + octaveWeights[o] * (v0 * (1.0 - wz) + v1 * wz);
            }
            return total;
        }

        /** Renders slice k into the volume and mask arrays (PHANTOMS.md §4). */
        void renderSlice(int k, double[][] lattices, float[] voxels, byte[] label, byte[] dlabel) {
            int plane = nx * ny;
            int off = k * plane;
            double sb = 1.0 + bscale * (k / (nz - 1.0) - 0.5);
            Ellipse outer = new Ellipse(bcx, bcy, bax * sb, bay * sb, brot);
            Ellipse inner = new Ellipse(bcx, bcy, bax * sb - fat, bay * sb - fat, brot);
            double[] v = new double[plane];
            double[] occB = new double[plane];
            double[] occIn = new double[plane];
            double[] occT = new double[plane];
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    int p = i + nx * j;
                    double ob = occupancy(outer.distance(i, j));
                    double oi = occupancy(inner.distance(i, j));
                    occB[p] = ob;
                    occIn[p] = oi;
                    v[p] = air * (1.0 - ob) + ob * (fatI * (1.0 - oi) + tissue * oi);
                }
            }
            double tau = k / (nz - 1.0) - 0.5;
            for (Organ o : organs) {
                Ellipse e = new Ellipse(o.cx() + o.dx() * tau, o.cy() + o.dy() * tau, o.a(), o.b(), o.rot());
                int[] box = e.box(nx, ny);
                if (box == null) {
                    continue;
                }
                for (int j = box[2]; j < box[3]; j++) {
                    for (int i = box[0]; i < box[1]; i++) {
                        int p = i + nx * j;
                        double occ = occupancy(e.distance(i, j)) * occIn[p];
                        v[p] = v[p] * (1.0 - occ) + o.intensity() * occ;
                    }
                }
            }
            for (Clutter c : clutter) {
                double ccx = c.x() + c.dx() * tau;
                double ccy = c.y() + c.dy() * tau;
                int[] box = new Ellipse(ccx, ccy, c.r(), c.r(), 0.0).box(nx, ny);
                if (box == null) {
                    continue;
                }
                for (int j = box[2]; j < box[3]; j++) {
                    for (int i = box[0]; i < box[1]; i++) {
                        int p = i + nx * j;
                        double dx = i - ccx;
                        double dy = j - ccy;
                        double occ = occupancy(Math.sqrt(dx * dx + dy * dy) - c.r()) * occIn[p];
                        v[p] = v[p] * (1.0 - occ) + c.intensity() * occ;
                    }
                }
            }
            for (int d = 0; d < distractors.size(); d++) {
                Object[] ez = distractorEllipse(d, k);
                if (ez == null) {
                    continue;
                }
                Ellipse e = (Ellipse) ez[0];
                double zocc = (Double) ez[1];
                double inten = distractors.get(d).intensity();
                int[] box = e.box(nx, ny);
                if (box == null) {
                    continue;
                }
                for (int j = box[2]; j < box[3]; j++) {
                    for (int i = box[0]; i < box[1]; i++) {
                        int p = i + nx * j;
                        double dist = e.distance(i, j);
                        double occ = occupancy(dist) * zocc;
                        v[p] = v[p] * (1.0 - occ) + inten * occ;
                        if (dist < 0) {
                            dlabel[off + p] = (byte) (d + 1);
                        }
                    }
                }
            }
            Object[] ez = targetEllipse(k);
            if (ez != null) {
                Ellipse e = (Ellipse) ez[0];
                double zocc = (Double) ez[1];
                int[] box = e.box(nx, ny);
                if (box != null) {
                    for (int j = box[2]; j < box[3]; j++) {
                        for (int i = box[0]; i < box[1]; i++) {
                            int p = i + nx * j;
                            double dist = e.distance(i, j);
                            double occ = occupancy(dist) * zocc;
                            occT[p] = occ;
                            v[p] = v[p] * (1.0 - occ) + targetI * occ;
                            if (dist < 0) {
                                label[off + p] = 1;
                            }
                        }
                    }
                }
            }
            boolean ct = modality == Phantom.Modality.CT;
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    int p = i + nx * j;
                    double val = v[p] + tex * texture(lattices, i, j, k) * (occB[p] * (1.0 - 0.5 * occT[p]));
                    long n = (long) off + p;
                    double u1 = SplitMix64.element(noiseSeed, 2 * n);
                    double u2 = SplitMix64.element(noiseSeed, 2 * n + 1);
                    double r = Math.sqrt(-2.0 * Math.log(1.0 - u1));
                    double g1 = r * Math.cos(TWO_PI * u2);
                    if (ct) {
                        val = val + sigma * g1;
                    } else {
                        double g2 = r * Math.sin(TWO_PI * u2);
                        double bias = 1.0 + gx * (i - cxi) / s + gy * (j - cyi) / s;
                        val = val * bias;
                        val = Math.sqrt((val + sigma * g1) * (val + sigma * g1) + (sigma * g2) * (sigma * g2));
                    }
                    voxels[off + p] = (float) val;
                }
            }
        }
    }
}
