package io.github.promptonce.overlay;

import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.Slice;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Window;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Overlay PNGs of a volume: per-slice images ({@code slice_0042.png}) or one montage. Every slice uses the same
 * window (one per volume). Markers are given per slice index.
 */
public final class Overlays {
    private static final int GAP = 4;
    private static final int BACKGROUND = 0x202020;

    private Overlays() {
    }

    /** One slice rendered (windowed image + mask slice + that slice's markers). */
    public static BufferedImage renderSlice(Volume volume, Window window, VolumeMask mask,
                                            Map<Integer, List<Marker>> markers, Axis axis, int index,
                                            OverlayStyle style) {
        checkGrid(volume, mask);
        Slice s = window.apply(volume.slice(axis, index));
        byte[] m = mask == null ? null : mask.slice(axis, index);
        return OverlayRenderer.render(s, m, markers == null ? List.of() : markers.getOrDefault(index, List.of()),
                style);
    }

    /**
     * Writes {@code slice_NNNN.png} for each index in {@code indices} (all slices if null) into {@code dir};
     * returns the files written.
     */
    public static List<Path> writeSlices(Volume volume, Window window, VolumeMask mask,
                                         Map<Integer, List<Marker>> markers, Axis axis, List<Integer> indices,
                                         Path dir, OverlayStyle style) throws IOException {
        Files.createDirectories(dir);
        List<Integer> which = indices != null ? indices : allSlices(volume.size(axis));
        List<Path> out = new ArrayList<>();
        for (int k : which) {
            Path f = dir.resolve(String.format("slice_%04d.png", k));
            write(renderSlice(volume, window, mask, markers, axis, k, style), f);
            out.add(f);
        }
        return out;
    }

    /**
     * Writes a montage of {@code indices} (null: {@link #autoSlices}) in a near-square grid, each tile marked with its
     * slice index (drawn top-left with a built-in 3×5 pixel font, see {@link TileLabel}).
     */
    public static Path writeMontage(Volume volume, Window window, VolumeMask mask,
                                    Map<Integer, List<Marker>> markers, Axis axis, List<Integer> indices, Path png,
                                    OverlayStyle style) throws IOException {
        List<Integer> which = indices != null ? indices : autoSlices(mask, markers, axis, volume.size(axis),
                style.maxTiles());
        if (which.isEmpty()) {
            throw new IllegalArgumentException("no slices to show");
        }
        List<BufferedImage> tiles = new ArrayList<>();
        for (int k : which) {
            BufferedImage t = renderSlice(volume, window, mask, markers, axis, k, style);
            TileLabel.draw(t, k);
            tiles.add(t);
        }
        int cols = (int) Math.ceil(Math.sqrt(tiles.size()));
        int rows = (tiles.size() + cols - 1) / cols;
        int tw = tiles.get(0).getWidth();
        int th = tiles.get(0).getHeight();
        BufferedImage m = new BufferedImage(cols * tw + (cols + 1) * GAP, rows * th + (rows + 1) * GAP,
                BufferedImage.TYPE_INT_RGB);
        int[] bg = new int[m.getWidth()];
        java.util.Arrays.fill(bg, BACKGROUND);
        for (int y = 0; y < m.getHeight(); y++) {
            m.setRGB(0, y, m.getWidth(), 1, bg, 0, m.getWidth());
        }
        for (int t = 0; t < tiles.size(); t++) {
            int x = GAP + (t % cols) * (tw + GAP);
            int y = GAP + (t / cols) * (th + GAP);
            BufferedImage tile = tiles.get(t);
            m.setRGB(x, y, tw, th, tile.getRGB(0, 0, tw, th, null, 0, tw), 0, tw);
        }
        write(m, png);
        return png;
    }

    /**
     * Slices worth showing, at most {@code max}: those with mask voxels or markers, evenly sampled (always keeping
     * the slices that have markers); if there are none, slices evenly spaced through the volume.
     */
    public static List<Integer> autoSlices(VolumeMask mask, Map<Integer, List<Marker>> markers, Axis axis, int count,
                                           int max) {
        List<Integer> interesting = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            boolean marked = markers != null && !markers.getOrDefault(k, List.of()).isEmpty();
            if (marked || (mask != null && !mask.isSliceEmpty(axis, k))) {
                interesting.add(k);
            }
        }
        List<Integer> pool = interesting.isEmpty() ? allSlices(count) : interesting;
        if (pool.size() <= max) {
            return pool;
        }
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < max; t++) {
            int k = pool.get((int) Math.round(t * (pool.size() - 1) / (double) (max - 1 == 0 ? 1 : max - 1)));
            if (!out.contains(k)) {
                out.add(k);
            }
        }
        if (markers != null) {
            for (int k : markers.keySet()) {
                if (k >= 0 && k < count && !out.contains(k) && !markers.get(k).isEmpty()) {
                    out.set(nearest(out, k), k);
                }
            }
            out.sort(Integer::compare);
        }
        return out;
    }

    private static int nearest(List<Integer> list, int k) {
        int best = 0;
        for (int i = 1; i < list.size(); i++) {
            if (Math.abs(list.get(i) - k) < Math.abs(list.get(best) - k)) {
                best = i;
            }
        }
        return best;
    }

    private static List<Integer> allSlices(int n) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    private static void checkGrid(Volume v, VolumeMask m) {
        if (m != null && (m.nx() != v.nx() || m.ny() != v.ny() || m.nz() != v.nz())) {
            throw new IllegalArgumentException("mask " + m.nx() + "x" + m.ny() + "x" + m.nz() + " does not match volume "
                    + v.nx() + "x" + v.ny() + "x" + v.nz());
        }
    }

    private static void write(BufferedImage img, Path f) throws IOException {
        Path parent = f.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", f.toFile())) {
            throw new IOException("no PNG writer available for " + f);
        }
    }
}
