package io.github.promptonce.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.Slice;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Window;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayTest {
    @TempDir
    Path tmp;

    /** A 64×48×10 phantom: a bright disc (radius growing to the middle slice) on a ramp background. */
    static Volume phantom() {
        int nx = 64;
        int ny = 48;
        int nz = 10;
        float[] v = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            double r = 4 + 12 * Math.sin(Math.PI * (k + 0.5) / nz);
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    double d = Math.hypot(i - 30, j - 22);
                    v[i + nx * (j + ny * k)] = d < r ? 60 : -300 + 5 * i;
                }
            }
        }
        return Volume.of(v, nx, ny, nz, Geometry.ofSpacing(1, 1, 2));
    }

    static VolumeMask discMask(Volume v) {
        VolumeMask m = VolumeMask.empty(v);
        for (int k = 2; k < 8; k++) {
            for (int j = 0; j < v.ny(); j++) {
                for (int i = 0; i < v.nx(); i++) {
                    if (v.get(i, j, k) == 60) {
                        m.set(i, j, k, 1);
                    }
                }
            }
        }
        return m;
    }

    @Test
    void rendersGreyMaskOutlineAndMarkers() {
        Slice s = new Slice(4, 4, new float[] {0, 0.5f, 1, Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        byte[] mask = new byte[16];
        mask[5] = 1;
        mask[6] = 1;
        mask[9] = 1;
        mask[10] = 1;
        OverlayStyle style = OverlayStyle.defaults().withScale(10);
        BufferedImage img = OverlayRenderer.render(s, mask, List.of(), style);
        assertEquals(40, img.getWidth());
        assertEquals(0x000000, img.getRGB(5, 5) & 0xffffff);
        assertEquals(0x808080, img.getRGB(15, 5) & 0xffffff);
        assertEquals(0xffffff, img.getRGB(25, 5) & 0xffffff);
        assertEquals(0x000000, img.getRGB(35, 5) & 0xffffff, "NaN draws black");
        int inside = img.getRGB(20, 20) & 0xffffff; // centre of the 2×2 mask block: fill
        assertEquals(Math.round(0.35f * 0) << 16 | Math.round(0.35f * 160) << 8 | Math.round(0.35f * 255), inside);
        int edge = img.getRGB(10, 15) & 0xffffff; // left boundary of the mask block: outline colour
        assertEquals(OverlayRenderer.PALETTE[0].brighter().getRGB() & 0xffffff, edge);

        BufferedImage marked = OverlayRenderer.render(s, null, List.of(Marker.positive(3, 3), Marker.negative(0, 3),
                Marker.box(1, 1, 2, 2)), style);
        int pos = marked.getRGB(35 - 3, 35 - 3) & 0xffffff; // inside the positive disc, off its white cross
        assertEquals(OverlayRenderer.POSITIVE.getRGB() & 0xffffff, pos);
        int neg = marked.getRGB(5 - 3, 35 - 3) & 0xffffff;
        assertEquals(OverlayRenderer.NEGATIVE.getRGB() & 0xffffff, neg);
        int boxEdge = marked.getRGB(20, 15) & 0xffffff; // top edge of the box at y = 1.5·10
        assertEquals(OverlayRenderer.BOX.getRGB() & 0xffffff, boxEdge);
        assertThrows(IllegalArgumentException.class, () -> OverlayRenderer.render(s, new byte[3], List.of(), style));
    }

    @Test
    void writesSlicesAndMontage() throws Exception {
        Volume v = phantom();
        VolumeMask m = discMask(v);
        Map<Integer, List<Marker>> markers = Map.of(5, List.of(Marker.positive(30, 22), Marker.negative(5, 5),
                Marker.box(14, 6, 46, 38)));
        Window w = Window.preset("ct-abdomen");
        List<Path> files = Overlays.writeSlices(v, w, m, markers, Axis.K, List.of(4, 5), tmp.resolve("slices"),
                OverlayStyle.defaults());
        assertEquals(List.of(tmp.resolve("slices/slice_0004.png"), tmp.resolve("slices/slice_0005.png")), files);
        BufferedImage s5 = ImageIO.read(files.get(1).toFile());
        assertEquals(64 * 4, s5.getWidth()); // auto scale: 256 / 64
        assertEquals(48 * 4, s5.getHeight());

        Path montage = tmp.resolve("montage.png");
        Overlays.writeMontage(v, w, m, markers, Axis.K, null, montage, OverlayStyle.defaults());
        BufferedImage mi = ImageIO.read(montage.toFile());
        // slices 2..7 have mask voxels: 6 tiles in a 3×2 grid
        assertEquals(3 * 256 + 4 * 4, mi.getWidth());
        assertEquals(2 * 192 + 3 * 4, mi.getHeight());
        // tile 0 shows slice 2: dot size 2, glyph "2" top row at tile (2..7, 2..3), plus the 4-pixel gap
        assertEquals(0xffffff, mi.getRGB(4 + 2 + 2, 4 + 2) & 0xffffff, "label digit pixel");
        assertEquals(0x000000, mi.getRGB(4 + 2 + 2, 4 + 2 + 2) & 0xffffff, "label background");
        assertTrue(Files.size(montage) > 1000);

        assertEquals(List.of(2, 3, 4, 5, 6, 7), Overlays.autoSlices(m, null, Axis.K, 10, 16));
        assertEquals(List.of(0, 3, 6, 9), Overlays.autoSlices(null, null, Axis.K, 10, 4));
        List<Integer> withMarker = Overlays.autoSlices(m, Map.of(9, List.of(Marker.positive(1, 1))), Axis.K, 10, 3);
        assertTrue(withMarker.contains(9), withMarker.toString());
        assertEquals(3, withMarker.size());

        // the mask outline differs from the plain image on the prompted slice
        BufferedImage plain = Overlays.renderSlice(v, w, null, null, Axis.K, 5, OverlayStyle.defaults());
        assertNotEquals(plain.getRGB(30 * 4, 22 * 4), s5.getRGB(30 * 4 + 2, 22 * 4 + 2));
    }
}
