package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.metrics.Metrics;
import io.github.promptonce.metrics.SegmentationScore;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.runtime.CpuFeatures;
import io.github.promptonce.volume.VolumeMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Precision}: choosing the files, resolving AUTO, refusing BF16 without variants, and how close BF16 stays. */
class PrecisionTest {

    @Test
    void parsesTheThreeNamesAndRefusesOthers() {
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        assertEquals(Precision.BF16, Precision.parse("bfloat16"));
        assertEquals(Precision.AUTO, Precision.parse(" auto "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
        assertTrue(e.getMessage().contains("\"fp16\"") && e.getMessage().contains("fp32, bf16 or auto"), e.getMessage());
        assertEquals("bf16", Precision.BF16.toString());
        assertEquals(Precision.FP32, SegmenterOptions.defaults().precision());
        assertThrows(IllegalArgumentException.class, () -> SegmenterOptions.defaults().withPrecision(null));
    }

    @Test
    void manifestListsTheVariantsAndChecksTheirHashes(@TempDir Path tmp) throws IOException {
        ModelManifest m = ModelManifest.read(TestModels.dir("test-tiny"));
        assertTrue(m.hasBfloat16());
        for (String c : List.of("image_encoder", "memory_attention")) {
            ModelManifest.Component comp = m.component(c);
            assertEquals(c + ".bf16.pt", comp.file(Precision.BF16).getFileName().toString());
            assertEquals(c + ".pt", comp.file(Precision.FP32).getFileName().toString());
        }
        assertNull(m.component("mask_decoder").bfloat16(), "the decoder has no bfloat16 variant");
        assertNull(m.component("memory_encoder").bfloat16(), "the memory encoder has no bfloat16 variant");
        assertEquals("mask_decoder.pt", m.component("mask_decoder").file(Precision.BF16).getFileName().toString());
        assertThrows(IllegalArgumentException.class, () -> m.component("image_encoder").file(Precision.AUTO));
        assertEquals(6, m.files().size());

        Path copy = copyModel(TestModels.dir("test-tiny"), tmp.resolve("m"), false);
        Files.write(copy.resolve("memory_attention.bf16.pt"), new byte[] {1, 2, 3});
        PromptonceException e = assertThrows(PromptonceException.class, () -> ModelManifest.read(copy).verifyChecksums());
        assertEquals(ErrorCode.BAD_MODEL, e.code());
        assertTrue(e.getMessage().contains("memory_attention (bfloat16)"), e.getMessage());
    }

    @Test
    void aVariantFileOutsideTheModelDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        Path copy = copyModel(TestModels.dir("test-tiny"), tmp.resolve("m"), false);
        String json = Files.readString(copy.resolve("manifest.json"), StandardCharsets.UTF_8);
        String bad = json.replace("\"memory_attention.bf16.pt\"", "\"../memory_attention.bf16.pt\"");
        assertNotEquals(json, bad);
        Files.writeString(copy.resolve("manifest.json"), bad, StandardCharsets.UTF_8);
        PromptonceException e = assertThrows(PromptonceException.class, () -> ModelManifest.read(copy));
        assertEquals(ErrorCode.BAD_MODEL, e.code());
        assertTrue(e.getMessage().contains("component memory_attention bfloat16 file \"../memory_attention.bf16.pt\""
                + " must be a plain file name"), e.getMessage());
    }

    @Test
    void bf16OnAModelWithoutVariantsIsRefusedAndAutoFallsBack(@TempDir Path tmp) throws IOException {
        Path plain = copyModel(TestModels.dir("test-tiny"), tmp.resolve("plain"), true);
        assertTrue(!ModelManifest.read(plain).hasBfloat16());
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> Segmenter.load(plain, SegmenterOptions.defaults().withPrecision(Precision.BF16)));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("no bfloat16 components") && e.getMessage().contains("export.py"),
                e.getMessage());
        withCpuBf16("true", () -> {
            try (Segmenter s = Segmenter.load(plain, SegmenterOptions.defaults().withPrecision(Precision.AUTO))) {
                assertEquals(Precision.FP32, s.precision());
            }
        });
    }

    @Test
    void autoFollowsTheCpuFlags() {
        Path tiny = TestModels.dir("test-tiny");
        withCpuBf16("true", () -> {
            try (Segmenter s = Segmenter.load(tiny, SegmenterOptions.defaults().withPrecision(Precision.AUTO))) {
                assertEquals(Precision.BF16, s.precision());
            }
        });
        withCpuBf16("false", () -> {
            try (Segmenter s = Segmenter.load(tiny, SegmenterOptions.defaults().withPrecision(Precision.AUTO))) {
                assertEquals(Precision.FP32, s.precision());
            }
        });
        withCpuBf16("maybe", () -> assertThrows(IllegalArgumentException.class, CpuFeatures::hasBfloat16));
    }

    /** The default model on held-out phantoms: bf16 keeps the masks of fp32 (docs/fidelity.md has the full study). */
    @Test
    void bf16KeepsTheDefaultModelsMasksOnAPhantom() {
        double[] dice = new double[2];
        VolumeMask[] masks = new VolumeMask[2];
        Phantom phantom = PhantomGenerator.generate(128, 128, 16, 3);
        VolumeMask truth = phantom.truth();
        SliceSource source = SliceSource.of(phantom.volume(), phantom.suggestedWindow());
        int[] click = phantom.promptPoint();
        float[][] logits = new float[2][];
        for (int i = 0; i < 2; i++) {
            Precision p = i == 0 ? Precision.FP32 : Precision.BF16;
            try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults().withPrecision(p))) {
                assertEquals(p, s.precision());
                VolumeSegmentation v = s.propagate(source, List.of(new ObjectPrompt(1, click[2],
                        Prompt.point(click[0], click[1]))), PropagationOptions.defaults());
                masks[i] = VolumeMask.of(v.mask(1), truth.nx(), truth.ny(), truth.nz(), truth.geometry());
                dice[i] = Metrics.compare(truth, masks[i]).dice();
                logits[i] = v.logits(1);
            }
        }
        SegmentationScore agreement = Metrics.compare(masks[0], masks[1]);
        assertTrue(agreement.dice() > 0.97, "bf16 vs fp32 3-D Dice " + agreement.dice());
        assertTrue(Math.abs(dice[0] - dice[1]) < 0.02, "Dice to the truth fp32 " + dice[0] + " bf16 " + dice[1]);
        double diff = 0;
        for (int k = 0; k < logits[0].length; k++) {
            diff = Math.max(diff, Math.abs(logits[0][k] - logits[1][k]));
        }
        assertNotEquals(0.0, diff, "bf16 gave exactly the fp32 logits: it did not run in bfloat16");
    }

    private static void withCpuBf16(String value, Runnable r) {
        String before = System.getProperty(CpuFeatures.BF16_PROPERTY);
        System.setProperty(CpuFeatures.BF16_PROPERTY, value);
        try {
            r.run();
        } finally {
            if (before == null) {
                System.clearProperty(CpuFeatures.BF16_PROPERTY);
            } else {
                System.setProperty(CpuFeatures.BF16_PROPERTY, before);
            }
        }
    }

    /** Copies a model directory; {@code dropVariants} also removes the bfloat16 files and their manifest entries. */
    static Path copyModel(Path from, Path to, boolean dropVariants) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!(dropVariants && f.getFileName().toString().endsWith(".bf16.pt"))) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        if (dropVariants) {
            String json = Files.readString(to.resolve("manifest.json"), StandardCharsets.UTF_8);
            String stripped = json.replaceAll(",\\s*\"bfloat16\":\\s*\\{[^{}]*\\}", "");
            assertNotEquals(json, stripped);
            Files.writeString(to.resolve("manifest.json"), stripped, StandardCharsets.UTF_8);
        }
        return to;
    }
}
