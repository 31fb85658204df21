package io.github.promptonce.cli.eval;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One labelled volume of a dataset.
 *
 * @param name  its name in the results: the image's file name without {@code .nii}/{@code .nii.gz} (a DICOM
 *              series directory: the directory's name)
 * @param image the image volume (NIfTI file or DICOM series directory; anything {@code Volumes.read} reads)
 * @param label the label volume, same grid as the image (whole numbers 0..255)
 */
public record DatasetItem(String name, Path image, Path label) {
    public DatasetItem {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(label, "label");
        if (name.isBlank() || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("volume name '" + name + "' is blank or holds a line break");
        }
    }

    /** A path's name stem: the file name without {@code .nii.gz} or {@code .nii} (case-insensitive). */
    static String stem(Path p) {
        Path f = p.getFileName();
        String n = f == null ? p.toString() : f.toString();
        String l = n.toLowerCase(java.util.Locale.ROOT);
        if (l.endsWith(".nii.gz")) {
            return n.substring(0, n.length() - 7);
        }
        if (l.endsWith(".nii")) {
            return n.substring(0, n.length() - 4);
        }
        return n;
    }
}
