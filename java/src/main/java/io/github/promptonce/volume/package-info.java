/**
 * Volumes in and masks out: reading NIfTI-1/2, DICOM series (uncompressed or compressed: RLE, JPEG, JPEG-LS,
 * JPEG 2000) and image stacks into {@link io.github.promptonce.volume.Volume}s with their geometry, windowing to
 * [0, 1], and writing masks and float volumes (logits) as NIfTI on the source grid, or masks of a DICOM volume as a
 * DICOM SEG ({@link io.github.promptonce.volume.DicomSegWriter}).
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Voxel (i, j, k), i fastest in memory. A 2-D slice along K (the default) has column = i and row = j, so a
 *       SAM prompt point (x, y) on slice k is voxel (x, y, k). See {@link io.github.promptonce.volume.Axis} for the
 *       other axes.</li>
 *   <li>World coordinates are RAS+ millimetres (NIfTI). DICOM's LPS+ affine is converted by negating x and y.</li>
 *   <li>All voxels are float32 after scaling (NIfTI scl_slope/scl_inter, DICOM RescaleSlope/Intercept); the stored
 *       datatype is kept in {@link io.github.promptonce.volume.Volume#sourceDataType()}.</li>
 *   <li>Input problems are reported as {@link io.github.promptonce.volume.VolumeFormatException} with a one-line
 *       message naming the file, the value and what was expected.</li>
 * </ul>
 *
 * <p>Entry points: {@link io.github.promptonce.volume.Volumes#read}, {@link io.github.promptonce.volume.NiftiWriter},
 * {@link io.github.promptonce.volume.Window}, {@link io.github.promptonce.volume.VolumeMask},
 * {@link io.github.promptonce.volume.DicomSegWriter}.
 */
package io.github.promptonce.volume;
