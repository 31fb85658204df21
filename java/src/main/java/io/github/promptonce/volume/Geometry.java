package io.github.promptonce.volume;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where the voxels are in the world: the NIfTI geometry fields of a volume, kept exactly as read so that a mask
 * written with them lines up with the source in any viewer. Immutable.
 *
 * <p>Fields are those of the NIfTI header: {@code pixdim[0..7]} (pixdim[0] is qfac, 1..3 the voxel size),
 * {@code xyzt_units}, {@code qform_code} with the quaternion (b, c, d) and offset, {@code sform_code} with the
 * three {@code srow} rows. Values are stored as doubles; a NIfTI-1 header's float32 values convert exactly, so
 * read → write keeps them bit for bit. Volumes read from DICOM carry the DICOM-derived affine (converted to RAS)
 * as both sform and qform with code 1 (scanner), as dcm2niix writes them.
 *
 * <p>{@link #affine(int, int, int)} chooses as nibabel's {@code get_best_affine}: the sform if
 * {@code sform_code != 0}, else the qform if {@code qform_code != 0}, else the Analyze-style base affine built from
 * pixdim (x flipped, centred on the volume).
 */
public final class Geometry {
    /** NIfTI {@code xyzt_units} for millimetres. */
    public static final int UNITS_MM = 2;

    private final int niftiVersion;
    private final double[] pixdim;
    private final int xyztUnits;
    private final int qformCode;
    private final double[] quatern; // b, c, d, qoffset x, y, z
    private final int sformCode;
    private final double[] srow; // 12, rows x, y, z
    private final String description;

    Geometry(int niftiVersion, double[] pixdim, int xyztUnits, int qformCode, double[] quatern, int sformCode,
             double[] srow, String description) {
        if (pixdim.length != 8 || quatern.length != 6 || srow.length != 12) {
            throw new IllegalArgumentException("pixdim needs 8, quatern 6, srow 12 values");
        }
        this.niftiVersion = niftiVersion;
        this.pixdim = pixdim.clone();
        this.xyztUnits = xyztUnits;
        this.qformCode = qformCode;
        this.quatern = quatern.clone();
        this.sformCode = sformCode;
        this.srow = srow.clone();
        this.description = description == null ? "" : description;
    }

    /**
     * A geometry whose sform and qform both encode {@code rasAffine} with {@code code} (1 = scanner, 2 = aligned…);
     * pixdim is the voxel size (column norms), qfac the handedness, units mm. The qform is the closest rigid
     * approximation (nifti1_io's {@code mat44_to_quatern}); the sform keeps a sheared affine exactly.
     */
    public static Geometry fromAffine(Affine rasAffine, int code) {
        Objects.requireNonNull(rasAffine, "rasAffine");
        double[] q = Quaternions.fromAffine(rasAffine);
        // q = b, c, d, qx, qy, qz, dx, dy, dz, qfac
        double[] pixdim = {q[9], q[6], q[7], q[8], 0, 0, 0, 0};
        double[] srow = new double[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                srow[r * 4 + c] = rasAffine.get(r, c);
            }
        }
        return new Geometry(0, pixdim, UNITS_MM, code, Arrays.copyOf(q, 6), code, srow, "");
    }

    /** A geometry with only a voxel size (qform and sform codes 0): for image stacks and synthetic volumes. */
    public static Geometry ofSpacing(double dx, double dy, double dz) {
        for (double d : new double[] {dx, dy, dz}) {
            if (!(d > 0) || !Double.isFinite(d)) {
                throw new IllegalArgumentException("spacing " + d + " must be a positive finite number");
            }
        }
        return new Geometry(0, new double[] {1, dx, dy, dz, 0, 0, 0, 0}, UNITS_MM, 0, new double[6], 0,
                new double[12], "");
    }

    /** This geometry with another description (NIfTI {@code descrip}, at most 79 ASCII characters are written). */
    public Geometry withDescription(String text) {
        return new Geometry(niftiVersion, pixdim, xyztUnits, qformCode, quatern, sformCode, srow, text);
    }

    /** 1 or 2 when read from a NIfTI-1 / NIfTI-2 header (writers keep that version), 0 otherwise. */
    public int niftiVersion() {
        return niftiVersion;
    }

    /** The 8 pixdim values as read (a copy); pixdim[0] is qfac. */
    public double[] pixdim() {
        return pixdim.clone();
    }

    /** NIfTI {@code xyzt_units} as read. */
    public int xyztUnits() {
        return xyztUnits;
    }

    /** Name of the spatial unit ({@code xyzt_units & 7}): "mm", "m", "µm" or "unknown". */
    public String spatialUnit() {
        return switch (xyztUnits & 7) {
            case 1 -> "m";
            case 2 -> "mm";
            case 3 -> "um";
            default -> "unknown";
        };
    }

    public int qformCode() {
        return qformCode;
    }

    public int sformCode() {
        return sformCode;
    }

    /** quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z as read (a copy). */
    public double[] quaternion() {
        return quatern.clone();
    }

    /** srow_x, srow_y, srow_z as read, 12 values (a copy). */
    public double[] srow() {
        return srow.clone();
    }

    /** NIfTI {@code descrip} as read ("" if none). */
    public String description() {
        return description;
    }

    /** qfac: -1 if pixdim[0] is negative, else 1 (NIfTI treats 0 as 1). */
    public double qfac() {
        return pixdim[0] < 0 ? -1 : 1;
    }

    /**
     * Voxel size along i, j, k: {@code |pixdim[1..3]|}; a zero or non-finite pixdim counts as 1 (as the NIfTI
     * reference library does).
     */
    public double[] spacing() {
        double[] s = new double[3];
        for (int a = 0; a < 3; a++) {
            double v = Math.abs(pixdim[a + 1]);
            s[a] = (v > 0 && Double.isFinite(v)) ? v : 1.0;
        }
        return s;
    }

    /** The sform built from srow (throws {@link IllegalStateException} if srow holds a non-finite value). */
    public Affine sform() {
        try {
            return Affine.of(srow);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sform is not usable: " + e.getMessage(), e);
        }
    }

    /** The qform from the quaternion, qoffset, pixdim and qfac, computed as nibabel's {@code get_qform}. */
    public Affine qform() {
        return Quaternions.toAffine(quatern, spacingForQform(), qfac());
    }

    private double[] spacingForQform() {
        return spacing();
    }

    /**
     * The affine a viewer uses for a volume of this size (nibabel's rule, see the class comment).
     */
    public Affine affine(int nx, int ny, int nz) {
        if (sformCode != 0) {
            return sform();
        }
        if (qformCode != 0) {
            return qform();
        }
        return baseAffine(nx, ny, nz);
    }

    /** Which transform {@link #affine} uses: "sform", "qform" or "pixdim". */
    public String affineSource() {
        return sformCode != 0 ? "sform" : qformCode != 0 ? "qform" : "pixdim";
    }

    /** nibabel's {@code get_base_affine}: diag(-dx, dy, dz), the volume centre at the origin. */
    public Affine baseAffine(int nx, int ny, int nz) {
        double[] s = spacing();
        return Affine.diagonal(-s[0], s[1], s[2],
                s[0] * (nx - 1) / 2.0, -s[1] * (ny - 1) / 2.0, -s[2] * (nz - 1) / 2.0);
    }

    /** Name of a qform/sform code: 0 unknown, 1 scanner, 2 aligned, 3 talairach, 4 mni, 5 template. */
    public static String codeName(int code) {
        return switch (code) {
            case 0 -> "unknown";
            case 1 -> "scanner";
            case 2 -> "aligned";
            case 3 -> "talairach";
            case 4 -> "mni";
            case 5 -> "template";
            default -> "code " + code;
        };
    }

    /** Same fields (description excluded), compared exactly. */
    public boolean sameGeometry(Geometry o) {
        return Arrays.equals(pixdim, o.pixdim) && xyztUnits == o.xyztUnits && qformCode == o.qformCode
                && sformCode == o.sformCode && Arrays.equals(quatern, o.quatern) && Arrays.equals(srow, o.srow);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Geometry g && sameGeometry(g) && niftiVersion == g.niftiVersion
                && description.equals(g.description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(pixdim), xyztUnits, qformCode, sformCode, Arrays.hashCode(quatern),
                Arrays.hashCode(srow));
    }

    @Override
    public String toString() {
        return "Geometry[pixdim=" + Arrays.toString(pixdim) + ", qform_code=" + qformCode + ", sform_code="
                + sformCode + ", units=" + xyztUnits + "]";
    }
}
