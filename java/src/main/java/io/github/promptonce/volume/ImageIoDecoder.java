package io.github.promptonce.volume;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes a frame with a javax.imageio plugin found on the class path: TwelveMonkeys' JPEG reader (8-bit baseline,
 * extended and progressive DCT, lossless JPEG of 2 to 16 bits) or JAI's JPEG 2000 reader. A warning from the reader
 * (e.g. "premature end of JPEG file", on which readers return a grey image) is an error here.
 */
final class ImageIoDecoder implements FrameDecoder {
    private final String format;
    private final String preferredVendor;

    private ImageIoDecoder(String format, String preferredVendor) {
        this.format = format;
        this.preferredVendor = preferredVendor;
    }

    static ImageIoDecoder jpeg() {
        return new ImageIoDecoder("jpeg", "com.twelvemonkeys.");
    }

    static ImageIoDecoder jpeg2000() {
        return new ImageIoDecoder("jpeg2000", "com.github.jaiimageio.");
    }

    @Override
    public int[] decode(byte[] frame, Shape shape) throws CodecException {
        ImageReader reader = reader();
        List<String> warnings = new ArrayList<>();
        IIOReadWarningListener listener = (source, warning) -> warnings.add(warning);
        // in memory: ImageIO.createImageInputStream would cache the stream in a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(listener);
            Raster raster = reader.readRaster(0, null);
            if (!warnings.isEmpty()) {
                throw new CodecException(format + " stream: " + warnings.get(0) + " (corrupt or truncated stream)");
            }
            if (raster.getNumBands() != 1) {
                throw new CodecException(format + " stream holds " + raster.getNumBands()
                        + " components; expected 1 (greyscale)");
            }
            if (raster.getWidth() != shape.columns() || raster.getHeight() != shape.rows()) {
                throw new CodecException(format + " stream is " + raster.getWidth() + "x" + raster.getHeight()
                        + " but Columns x Rows is " + shape.columns() + "x" + shape.rows());
            }
            int[] out = raster.getSamples(raster.getMinX(), raster.getMinY(), shape.columns(), shape.rows(), 0,
                    new int[shape.samples()]);
            if (shape.bitsAllocated() < 32) {
                int mask = (1 << shape.bitsAllocated()) - 1;
                for (int p = 0; p < out.length; p++) {
                    out[p] &= mask;
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            // The plugins report corrupt data as IIOException, or as runtime exceptions from deep inside.
            throw new CodecException(format + " stream cannot be decoded: " + e.getMessage()
                    + " (corrupt or truncated stream)", e);
        } catch (Error e) {
            // JAI's JPEG 2000 code ends a truncated codestream with an Error (ThreadDeath); only the JVM's own
            // errors (out of memory, stack overflow) are not about the stream.
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            throw new CodecException(format + " stream cannot be decoded: " + e
                    + " (corrupt or truncated stream)", e);
        } finally {
            reader.dispose();
        }
    }

    private ImageReader reader() throws CodecException {
        ImageReader fallback = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith(preferredVendor)) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return r;
            }
            if (fallback == null) {
                fallback = r;
            } else {
                r.dispose();
            }
        }
        if (fallback == null) {
            throw new CodecException("no javax.imageio reader for " + format + " on the class path (expected "
                    + preferredVendor + "*)");
        }
        return fallback;
    }
}
