package io.github.promptonce.volume;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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
            int count = files.size();
            int firstW = w;
            int firstH = h;
            // the size comes from the header and is checked before any pixel is decoded: a small file may claim
            // a huge image
            BufferedImage img = load(f, (iw, ih) -> {
                if (firstW < 0) {
                    if ((long) iw * ih * count > Volume.MAX_VOXELS) {
                        throw new VolumeFormatException(path + ": " + iw + "x" + ih + "x" + count
                                + " voxels exceed the " + Volume.MAX_VOXELS + " supported");
                    }
                    // the volume (float32) and one decoded image (at most 4 bytes a pixel)
                    NiftiReader.requireHeap(4L * iw * ih * count + 4L * iw * ih, path.toString(),
                            "reading " + iw + "x" + ih + "x" + count + " voxels");
                } else if (iw != firstW || ih != firstH) {
                    throw new VolumeFormatException(path + ": mixed image sizes: " + firstW + "x" + firstH + " in "
                            + firstFile.getFileName() + " but " + iw + "x" + ih + " in " + f.getFileName()
                            + "; expected one size");
                }
            });
            if (k == 0) {
                w = img.getWidth();
                h = img.getHeight();
                voxels = NiftiReader.allocate(w * h * files.size(), path.toString());
                type = typeOf(img, f);
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

    /** Checks an image's width and height, read from its header, before it is decoded. */
    @FunctionalInterface
    private interface SizeCheck {
        void check(int width, int height) throws VolumeFormatException;
    }

    private static BufferedImage load(Path f, SizeCheck sizeCheck) throws VolumeFormatException {
        try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator()
                    : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new VolumeFormatException(f + ": not a readable PNG or TIFF image");
            }
            ImageReader reader = preferred(readers);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new VolumeFormatException(f + ": image size " + width + "x" + height
                            + " in its header; expected positive");
                }
                sizeCheck.check(width, height);
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new VolumeFormatException(f + ": not a readable PNG or TIFF image");
                }
                if (img.getWidth() != width || img.getHeight() != height) {
                    throw new VolumeFormatException(f + ": decoded " + img.getWidth() + "x" + img.getHeight()
                            + " but its header says " + width + "x" + height);
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (VolumeFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new VolumeFormatException(f + ": corrupt or unsupported image: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // a reader sized an array from a corrupt header (e.g. a TIFF tag count of 2^31): the allocation failed,
            // nothing was held, so the input is what is wrong
            throw new VolumeFormatException(f + ": corrupt image: its header asks for more memory than this JVM has ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * The JDK's own reader when it is among them: other ImageIO plugins on the class path (JAI's TIFF reader, which
     * the JPEG 2000 codec brings along) come first in the registry's order, and handle corrupt files less well.
     */
    private static ImageReader preferred(Iterator<ImageReader> readers) {
        ImageReader first = readers.next();
        if (isJdk(first)) {
            return first;
        }
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (isJdk(r)) {
                first.dispose();
                return r;
            }
            r.dispose();
        }
        return first;
    }

    private static boolean isJdk(ImageReader reader) {
        return reader.getClass().getName().startsWith("com.sun.imageio.");
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
