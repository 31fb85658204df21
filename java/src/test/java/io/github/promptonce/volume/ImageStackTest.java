package io.github.promptonce.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStackTest {
    @TempDir
    Path tmp;

    private static void grey(Path f, int type, int w, int h, int base, String format) throws Exception {
        BufferedImage img = new BufferedImage(w, h, type);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, base + 10 * y + x);
            }
        }
        assertTrue(ImageIO.write(img, format, f.toFile()), "no ImageIO writer for " + format);
    }

    @Test
    void pngStackInNaturalOrderWithSpacingFromOptions() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("png"));
        grey(dir.resolve("img10.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, 200, "png");
        grey(dir.resolve("img2.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, 100, "png");
        grey(dir.resolve("img1.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, 0, "png");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        Volume v = Volumes.read(dir, ReadOptions.defaults().withStackSpacing(0.5, 0.5, 2));
        assertEquals(SourceFormat.IMAGE_STACK, v.format());
        assertArrayEquals(new int[] {3, 2, 3}, v.dims());
        assertEquals(DataType.UINT8, v.sourceDataType());
        assertEquals(0f, v.get(0, 0, 0));
        assertEquals(112f, v.get(2, 1, 1));
        assertEquals(211f, v.get(1, 1, 2));
        assertArrayEquals(new double[] {0.5, 0.5, 2}, v.spacing());
        assertEquals(0, v.geometry().qformCode());
        assertEquals(0, v.geometry().sformCode());
    }

    @Test
    void sixteenBitPngAndTiff() throws Exception {
        for (String format : new String[] {"png", "tiff"}) {
            Path dir = Files.createDirectory(tmp.resolve("u16" + format));
            grey(dir.resolve("a1." + format), BufferedImage.TYPE_USHORT_GRAY, 4, 3, 60000, format);
            grey(dir.resolve("a2." + format), BufferedImage.TYPE_USHORT_GRAY, 4, 3, 1000, format);
            Volume v = Volumes.read(dir);
            assertEquals(DataType.UINT16, v.sourceDataType(), format);
            assertEquals(60023f, v.get(3, 2, 0), format);
            assertEquals(1000f, v.get(0, 0, 1), format);
            assertArrayEquals(new double[] {1, 1, 1}, v.spacing());
        }
        Path single = tmp.resolve("single.png");
        grey(single, BufferedImage.TYPE_USHORT_GRAY, 2, 2, 5, "png");
        assertArrayEquals(new int[] {2, 2, 1}, Volumes.read(single).dims());
    }

    @Test
    void mixedSizesColourAndCorruptImages() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mixed"));
        grey(dir.resolve("s1.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, 0, "png");
        grey(dir.resolve("s2.png"), BufferedImage.TYPE_BYTE_GRAY, 2, 3, 0, "png");
        String m = assertThrows(VolumeFormatException.class, () -> Volumes.read(dir)).getMessage();
        assertTrue(m.endsWith("mixed: mixed image sizes: 3x2 in s1.png but 2x3 in s2.png; expected one size"), m);

        Path rgb = tmp.resolve("rgb.png");
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png", rgb.toFile());
        m = assertThrows(VolumeFormatException.class, () -> Volumes.read(rgb)).getMessage();
        assertTrue(m.endsWith("rgb.png: 3-band colour image; expected greyscale (one band)"), m);

        Path bad = tmp.resolve("bad.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        m = assertThrows(VolumeFormatException.class, () -> Volumes.read(bad)).getMessage();
        assertTrue(m.contains("bad.png: "), m);
    }

    /** A real PNG whose IHDR (CRC fixed up) claims {@code width}x{@code height}: only a few bytes of pixels follow. */
    private static byte[] pngClaiming(int width, int height) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", out);
        byte[] png = out.toByteArray();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png); // signature (8), IHDR length (4), "IHDR", data (13), CRC
        b.putInt(16, width).putInt(20, height);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 4 + 13);
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    @Test
    void aHugeClaimedImageSizeIsRefusedBeforeDecoding() throws Exception {
        Path tooMany = Files.write(tmp.resolve("huge.png"), pngClaiming(60000, 60000));
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(tooMany));
        assertTrue(e.getMessage().contains("60000x60000x1 voxels exceed"), e.getMessage());
        // within the voxel limit but not the heap (a test JVM has far less than the 9.6 GB this needs)
        Path tooBig = Files.write(tmp.resolve("big.png"), pngClaiming(40000, 40000));
        assertTrue(Runtime.getRuntime().maxMemory() < 5L * 40000 * 40000, "the test needs a heap below 8 GB");
        e = assertThrows(VolumeFormatException.class, () -> Volumes.read(tooBig));
        assertTrue(e.getMessage().contains("MiB of heap"), e.getMessage());
        // a stack whose second image claims another size is refused from its header
        Path dir = Files.createDirectory(tmp.resolve("mixed"));
        grey(dir.resolve("a1.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 4, 0, "png");
        Files.write(dir.resolve("a2.png"), pngClaiming(30000, 30000));
        e = assertThrows(VolumeFormatException.class, () -> Volumes.read(dir));
        assertTrue(e.getMessage().contains("mixed image sizes: 4x4 in a1.png but 30000x30000 in a2.png"),
                e.getMessage());
    }

    /**
     * A TIFF whose one IFD entry claims 2^31 - 1 values: JAI's TIFF reader (on the class path with the JPEG 2000
     * codec) sized an array from it and threw OutOfMemoryError out of the reader. Now an input error.
     */
    @Test
    void aTiffTagCountOfTwoToTheThirtyOneIsAnInputError() throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 2 + 12 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);   // header, IFD at 8
        b.putShort((short) 1);                                                 // one entry
        b.putShort((short) 273).putShort((short) 4).putInt(Integer.MAX_VALUE).putInt(26); // StripOffsets, LONG
        b.putInt(0);                                                           // no next IFD
        Path f = tmp.resolve("huge-count.tif");
        Files.write(f, b.array());
        String m = assertThrows(VolumeFormatException.class, () -> Volumes.read(f)).getMessage();
        assertTrue(m.contains("huge-count.tif"), m);
        // and when the JDK's TIFF reader is not there, JAI's reads it: its OutOfMemoryError is an input error too
        javax.imageio.spi.IIORegistry registry = javax.imageio.spi.IIORegistry.getDefaultInstance();
        java.util.List<javax.imageio.spi.ImageReaderSpi> jdk = new java.util.ArrayList<>();
        registry.getServiceProviders(javax.imageio.spi.ImageReaderSpi.class, true).forEachRemaining(spi -> {
            if (spi.getClass().getName().startsWith("com.sun.imageio.plugins.tiff.")) {
                jdk.add(spi);
            }
        });
        assertTrue(!jdk.isEmpty(), "the JDK's TIFF reader is registered");
        jdk.forEach(registry::deregisterServiceProvider);
        try {
            m = assertThrows(VolumeFormatException.class, () -> Volumes.read(f)).getMessage();
            assertTrue(m.contains("huge-count.tif") && m.contains("memory"), m);
        } finally {
            jdk.forEach(registry::registerServiceProvider);
        }
    }
}
