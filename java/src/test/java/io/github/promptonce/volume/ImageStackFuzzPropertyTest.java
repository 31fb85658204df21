package io.github.promptonce.volume;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated PNG and TIFF images in a two-image stack (the first intact, the second mutated, or a mutated single
 * image): reading gives a consistent volume or a {@link VolumeFormatException}; never another exception, a hang or
 * an OutOfMemoryError (a mutated header may claim a huge image: the size is checked before decoding).
 */
class ImageStackFuzzPropertyTest {
    private static final Path DIR = FuzzFiles.freshDir("promptonce-stack-fuzz");

    /** format/pixel type -> a small valid image file (8x6). */
    private static final Map<String, byte[]> SEEDS = Map.of(
            "png-u8", image("png", BufferedImage.TYPE_BYTE_GRAY),
            "png-u16", image("png", BufferedImage.TYPE_USHORT_GRAY),
            "tiff-u8", image("tiff", BufferedImage.TYPE_BYTE_GRAY),
            "tiff-u16", image("tiff", BufferedImage.TYPE_USHORT_GRAY));

    private static byte[] image(String format, int type) {
        BufferedImage img = new BufferedImage(8, 6, type);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                r.setSample(x, y, 0, (x * 37 + y * 11) % 200);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    record Case(String seed, boolean stack, List<FuzzFiles.Mutation> mutations) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.of(SEEDS.keySet().stream().sorted().toList()), Arbitraries.of(false, true),
                FuzzFiles.mutations(64).list().ofMinSize(1).ofMaxSize(3)).as(Case::new);
    }

    @Property(tries = 10000, shrinking = ShrinkingMode.BOUNDED)
    void onlyVolumeFormatExceptionEscapes(@ForAll("cases") Case c) throws Exception {
        FuzzFiles.clear(DIR);
        String ext = c.seed().startsWith("png") ? ".png" : ".tif";
        byte[] seed = SEEDS.get(c.seed());
        // PNG is big-endian throughout; the JDK writes TIFF big-endian too
        byte[] mutated = FuzzFiles.apply(seed, c.mutations(), ByteOrder.BIG_ENDIAN);
        Path target;
        if (c.stack()) {
            Files.write(DIR.resolve("s1" + ext), seed);
            Files.write(DIR.resolve("s2" + ext), mutated);
            target = DIR;
        } else {
            target = Files.write(DIR.resolve("only" + ext), mutated);
        }
        try {
            Volume v = FuzzFiles.withinLimit(() -> ImageStackReader.read(target,
                    ReadOptions.defaults().withNonFinite(NonFinitePolicy.KEEP)));
            assertEquals(c.stack() ? 2 : 1, v.nz());
            assertEquals((long) v.nx() * v.ny() * v.nz(), v.voxelCount());
            assertTrue(v.nx() > 0 && v.ny() > 0 && v.voxelCount() <= 1 << 20, v.nx() + "x" + v.ny());
            v.slice(v.nz() - 1);
            Statistics.label("outcome").collect("read");
        } catch (VolumeFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(DIR.toString()), e.getMessage());
            Statistics.label("outcome").collect("rejected");
        }
        Statistics.label("outcome").coverage(k -> {
            k.check("read").percentage(p -> p >= 1);
            k.check("rejected").percentage(p -> p >= 1);
        });
    }
}
