package io.github.promptonce.cli.serve;

import io.github.promptonce.volume.Slice;
import io.github.promptonce.volume.Window;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** 8-bit grey PNGs: a windowed slice for display, a slice's mask as 0/255 (compact: a mask compresses well). */
final class Pngs {
    private Pngs() {
    }

    /** Slice {@code s} through {@code w}: pixel (x, y) is voxel (i = x, j = y). */
    static byte[] slice(Slice s, Window w) {
        byte[] grey = new byte[s.width() * s.height()];
        float[] v = s.data();
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) Math.round(w.apply(v[i]) * 255f);
        }
        return grey(grey, s.width(), s.height());
    }

    /** A 0/1 mask (null = empty) as 0/255. */
    static byte[] mask(byte[] mask, int width, int height) {
        byte[] grey = new byte[width * height];
        if (mask != null) {
            for (int i = 0; i < grey.length; i++) {
                grey[i] = mask[i] != 0 ? (byte) 255 : 0;
            }
        }
        return grey(grey, width, height);
    }

    static byte[] grey(byte[] pixels, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(pixels, 0, raster, 0, pixels.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
