package io.github.promptonce.volume;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The entry point for reading: detects the format of a path and reads it.
 *
 * <ul>
 *   <li>a file starting with gzip magic or a NIfTI {@code sizeof_hdr} (348 or 540, either byte order): NIfTI;</li>
 *   <li>a file with "DICM" at byte 128 or a plausible first DICOM element: DICOM (one image or multi-frame);</li>
 *   <li>a .png/.tif/.tiff file: a one-slice image stack;</li>
 *   <li>a directory holding DICOM files (searched recursively): a DICOM series;</li>
 *   <li>a directory holding PNG/TIFF files: an image stack.</li>
 * </ul>
 */
public final class Volumes {
    private Volumes() {
    }

    /** Reads with {@link ReadOptions#defaults()}. */
    public static Volume read(Path path) throws VolumeFormatException {
        return read(path, ReadOptions.defaults());
    }

    public static Volume read(Path path, ReadOptions options) throws VolumeFormatException {
        return switch (detect(path)) {
            case NIFTI1, NIFTI2 -> NiftiReader.read(path, options);
            case DICOM -> DicomReader.read(path, options);
            case IMAGE_STACK -> ImageStackReader.read(path, options);
            case MEMORY -> throw new AssertionError();
        };
    }

    /**
     * The format of a path (NIFTI1 stands for any NIfTI file: the header tells the version).
     *
     * @throws VolumeFormatException if the path does not exist, is an empty directory or matches no format
     */
    public static SourceFormat detect(Path path) throws VolumeFormatException {
        if (!Files.exists(path)) {
            throw new VolumeFormatException(path + ": no such file or directory");
        }
        if (Files.isDirectory(path)) {
            return detectDirectory(path);
        }
        if (!Files.isReadable(path)) {
            throw new VolumeFormatException(path + ": permission denied");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(132);
        } catch (IOException e) {
            throw new VolumeFormatException(path + ": cannot read: " + e.getMessage(), e);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return SourceFormat.NIFTI1;
        }
        if (head.length >= 4) {
            int le = ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            int be = ByteBuffer.wrap(head, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
            if (le == 348 || be == 348 || le == 540 || be == 540) {
                return SourceFormat.NIFTI1;
            }
        }
        if (DicomParser.looksLikeDicom(head, head.length)) {
            return SourceFormat.DICOM;
        }
        if (ImageStackReader.isImageName(path)) {
            return SourceFormat.IMAGE_STACK;
        }
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".nii") || n.endsWith(".nii.gz")) {
            return SourceFormat.NIFTI1; // let the NIfTI reader explain what is wrong with the header
        }
        if (n.endsWith(".dcm")) {
            return SourceFormat.DICOM;
        }
        throw new VolumeFormatException(path + ": unrecognised format: not NIfTI (no sizeof_hdr 348/540, no gzip"
                + " magic), not DICOM (no \"DICM\" at byte 128), not PNG/TIFF");
    }

    private static SourceFormat detectDirectory(Path dir) throws VolumeFormatException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir, 16)) {
            files = s.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new VolumeFormatException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new VolumeFormatException(dir + ": directory is empty; expected a DICOM series or PNG/TIFF images");
        }
        for (Path f : files) {
            if (DicomReader.isDicomFile(f)) {
                return SourceFormat.DICOM;
            }
        }
        if (!ImageStackReader.imageFiles(dir).isEmpty()) {
            return SourceFormat.IMAGE_STACK;
        }
        throw new VolumeFormatException(dir + ": no DICOM files or PNG/TIFF images found (" + files.size()
                + (files.size() == 1 ? " file" : " files") + " looked at)");
    }
}
