package io.github.promptonce.volume;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a directory of 2-D greyscale PNG or TIFF images (8 or 16 bit; also signed 16-bit and float32 TIFF) as the
 * slices of a volume, in natural name order (slice2 before slice10). Only the directory itself is read (not
 * sub-directories). Images carry no geometry: the voxel size comes from
 * {@link ReadOptions#withStackSpacing}, and qform/sform codes are 0. Pixel (x, y) of image k is voxel (x, y, k).
 */
public final class ImageStackReader {
    private ImageStackReader() {
    }

    /** Whether the name ends in .png, .tif or .tiff. */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".tif") || n.endsWith(".tiff");
    }

    /** The image files of a directory in natural order. */
    static List<Path> imageFiles(Path dir) throws VolumeFormatException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageStackReader::isImageName)
                    .sorted((a, b) -> NaturalOrder.STRINGS.compare(a.getFileName().toString(),
                            b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new VolumeFormatException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
    }

    /** Reads a directory of images, or a single image file as a one-slice volume. */
    public static Volume read(Path path, ReadOptions options) throws VolumeFormatException {
        List<Path> files = Files.isDirectory(path) ? imageFiles(path) : List.of(path);
        if (files.isEmpty()) {
            throw new VolumeFormatException(path + ": no PNG or TIFF images in the directory");
        }
        int w = -1;
        int h = -1;
        float[] voxels = null;
        DataType type = null;
        Path firstFile = files.get(0);
        for (int k = 0; k < files.size(); k++) {
            Path f = files.get(k);
            BufferedImage img = load(f);
            if (k == 0) {
                w = img.getWidth();
                h = img.getHeight();
                if ((long) w * h * files.size() > Volume.MAX_VOXELS) {
                    throw new VolumeFormatException(path + ": " + w + "x" + h + "x" + files.size()
                            + " voxels exceed the " + Volume.MAX_VOXELS + " supported");
                }
                voxels = NiftiReader.allocate(w * h * files.size(), path.toString());
                type = typeOf(img, f);
            } else if (img.getWidth() != w || img.getHeight() != h) {
                throw new VolumeFormatException(path + ": mixed image sizes: " + w + "x" + h + " in "
                        + firstFile.getFileName() + " but " + img.getWidth() + "x" + img.getHeight() + " in "
                        + f.getFileName() + "; expected one size");
            } else if (typeOf(img, f) != type) {
                throw new VolumeFormatException(path + ": mixed pixel types: " + type + " in "
                        + firstFile.getFileName() + " but " + typeOf(img, f) + " in " + f.getFileName());
            }
            copyGrey(img, f, voxels, k * w * h);
        }
        long nonFinite = NiftiReader.applyNonFinite(voxels, options.nonFinite(), path.toString());
        double[] s = options.stackSpacing();
        String detail = "image stack, " + files.size() + (files.size() == 1 ? " image" : " images") + ", "
                + type + ", spacing from options";
        return new Volume(voxels, w, h, files.size(), Geometry.ofSpacing(s[0], s[1], s[2]), SourceFormat.IMAGE_STACK,
                detail, path, type, 1, 0, 0, 1, nonFinite);
    }

    private static BufferedImage load(Path f) throws VolumeFormatException {
        try (InputStream in = Files.newInputStream(f)) {
            BufferedImage img = ImageIO.read(in);
            if (img == null) {
                throw new VolumeFormatException(f + ": not a readable PNG or TIFF image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new VolumeFormatException(f + ": corrupt or unsupported image: " + e.getMessage(), e);
        }
    }

    private static DataType typeOf(BufferedImage img, Path f) throws VolumeFormatException {
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        if (bands > 2 || (bands == 2 && !img.getColorModel().hasAlpha())) {
            throw new VolumeFormatException(f + ": " + bands + "-band colour image; expected greyscale (one band)");
        }
        if (indexed && !greyPalette((IndexColorModel) img.getColorModel())) {
            throw new VolumeFormatException(f + ": indexed-colour image with a colour palette; expected greyscale");
        }
        return switch (r.getDataBuffer().getDataType()) {
            case DataBuffer.TYPE_BYTE -> DataType.UINT8;
            case DataBuffer.TYPE_USHORT -> DataType.UINT16;
            case DataBuffer.TYPE_SHORT -> DataType.INT16;
            case DataBuffer.TYPE_FLOAT -> DataType.FLOAT32;
            default -> throw new VolumeFormatException(f + ": unsupported sample type (DataBuffer type "
                    + r.getDataBuffer().getDataType() + "); expected 8/16-bit integer or 32-bit float greyscale");
        };
    }

    private static boolean greyPalette(IndexColorModel cm) {
        for (int i = 0; i < cm.getMapSize(); i++) {
            if (cm.getRed(i) != cm.getGreen(i) || cm.getGreen(i) != cm.getBlue(i)) {
                return false;
            }
        }
        return true;
    }

    private static void copyGrey(BufferedImage img, Path f, float[] dst, int off) {
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        IndexColorModel icm = img.getColorModel() instanceof IndexColorModel c ? c : null;
        float[] row = new float[w];
        for (int y = 0; y < h; y++) {
            r.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                float v = row[x];
                dst[off + y * w + x] = icm != null ? icm.getRed((int) v) : v;
            }
        }
    }
}
