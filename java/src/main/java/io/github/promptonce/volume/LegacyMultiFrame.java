package io.github.promptonce.volume;

/**
 * Places the frames of a legacy multi-frame image (several frames, no per-frame functional groups: old MR and NM
 * multi-frame, RT Dose) from its single ImagePositionPatient (the first frame's) and ImageOrientationPatient: frame
 * i lies at that position plus offset_i along the slice normal (row × column cosines). The offsets come from
 * GridFrameOffsetVector (3004,000C) when it lists every frame (RT Dose; read relative to the first frame), else
 * from SpacingBetweenSlices, else SliceThickness. Without position, orientation or a spacing, the frames cannot be
 * placed and the file is refused.
 */
final class LegacyMultiFrame {
    static final int GRID_FRAME_OFFSETS = 0x3004000C;

    private LegacyMultiFrame() {
    }

    /** The offset of each frame along the normal, in mm, frame 0 at 0. */
    static double[] offsets(DicomParser.ParsedFile f, DicomDataset d, int frames) throws VolumeFormatException {
        double[] position = d.decimals(DicomReader.POSITION);
        double[] orientation = d.decimals(DicomReader.ORIENTATION);
        if (position == null || position.length < 3 || orientation == null || orientation.length < 6) {
            throw new VolumeFormatException(f.path() + ": multi-frame image with " + frames + " frames but 0 per-frame "
                    + "functional groups (5200,9230); cannot place the frames (ImagePositionPatient per frame is "
                    + "required, or one ImagePositionPatient and ImageOrientationPatient with a slice spacing)");
        }
        double[] grid = d.decimals(GRID_FRAME_OFFSETS);
        double[] out = new double[frames];
        if (grid != null && grid.length == frames && allFinite(grid)) {
            for (int i = 0; i < frames; i++) {
                out[i] = grid[i] - grid[0];
            }
            return out;
        }
        double spacing = d.decimal(DicomReader.SPACING_BETWEEN, Double.NaN);
        if (!(spacing > 0)) {
            spacing = d.decimal(DicomReader.SLICE_THICKNESS, Double.NaN);
        }
        if (!(spacing > 0)) {
            throw new VolumeFormatException(f.path() + ": multi-frame image with " + frames + " frames, no per-frame "
                    + "functional groups (5200,9230) and no positive SpacingBetweenSlices (0018,0088) or "
                    + "SliceThickness (0018,0050); cannot place the frames");
        }
        for (int i = 0; i < frames; i++) {
            out[i] = i * spacing;
        }
        return out;
    }

    /** {@code position + offset · (row × column)}; null when position or orientation is unknown. */
    static double[] position(double[] position, double[] orientation, double offset) {
        if (position == null || orientation == null) {
            return null;
        }
        double[] o = orientation;
        double[] n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
        return new double[] {position[0] + offset * n[0], position[1] + offset * n[1], position[2] + offset * n[2]};
    }

    private static boolean allFinite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
