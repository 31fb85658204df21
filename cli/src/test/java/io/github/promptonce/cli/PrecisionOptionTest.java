package io.github.promptonce.cli;

import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --precision} on segment: bf16 runs and keeps the mask, bad values and models without variants are refused. */
class PrecisionOptionTest {
    /** The library's override of the CPU detection (CpuFeatures.BF16_PROPERTY, documented in docs/performance.md). */
    private static final String CPU_BF16 = "promptonce.cpu.bf16";

    @TempDir
    Path tmp;
    Path input;
    int[] click;
    String window;

    @BeforeEach
    void writeVolume() throws Exception {
        // a held-out phantom, as the demo makes it: the default model was trained on such volumes
        Phantom phantom = PhantomGenerator.generate(128, 128, 16, 3);
        input = tmp.resolve("in.nii.gz");
        NiftiWriter.write(phantom.volume(), input);
        click = phantom.promptPoint();
        window = phantom.suggestedWindow().level() + "," + phantom.suggestedWindow().width();
    }

    private MainTest.Result segment(String precision, Path out, String... model) {
        String[] base = {"segment", "--input", input.toString(), "--slice", Integer.toString(click[2]), "--point",
                click[0] + "," + click[1], "--window", window, "--precision", precision, "--out", out.toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(model)).toArray(String[]::new);
        return MainTest.run(args);
    }

    @Test
    void bf16OnTheDefaultModelKeepsTheMask() throws Exception {
        Path fp32 = tmp.resolve("fp32.nii.gz");
        Path bf16 = tmp.resolve("bf16.nii.gz");
        MainTest.Result a = segment("fp32", fp32);
        MainTest.Result b = segment("bf16", bf16);
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains(", bf16"), "the run says it computes in bf16: " + b.err());
        assertTrue(!a.err().contains(", bf16"), a.err());
        Volume ma = Volumes.read(fp32);
        Volume mb = Volumes.read(bf16);
        long both = 0, either = 0;
        for (int i = 0; i < ma.voxelCount(); i++) {
            boolean x = ma.get(i) > 0, y = mb.get(i) > 0;
            both += x && y ? 1 : 0;
            either += x || y ? 1 : 0;
        }
        assertTrue(either > 0, "nothing segmented");
        assertTrue((double) both / either > 0.95, "bf16 vs fp32 mask IoU " + (double) both / either);
    }

    /** bf16 asked for on a CPU without bfloat16 instructions runs as asked, with one warning that it is slower. */
    @Test
    void bf16OnACpuWithoutTheInstructionsWarns() {
        String tiny = SegmentCommandTest.model("test-tiny").toString();
        String warning = "promptonce: warning: precision bf16 on a CPU without bfloat16 instructions";
        withCpuBf16("false", () -> {
            MainTest.Result slow = segment("bf16", tmp.resolve("a.nii.gz"), "--model", tiny);
            assertEquals(0, slow.code(), slow.err());
            assertTrue(slow.err().contains(", bf16"), "bf16 runs as asked: " + slow.err());
            assertEquals(1, slow.err().split(warning, -1).length - 1, "one warning: " + slow.err());
            assertTrue(slow.err().contains("slower than at fp32") && slow.err().contains("--precision auto"),
                    slow.err());
            MainTest.Result auto = segment("auto", tmp.resolve("b.nii.gz"), "--model", tiny);
            assertEquals(0, auto.code(), auto.err());
            assertTrue(!auto.err().contains(warning) && !auto.err().contains(", bf16"),
                    "auto runs fp32: " + auto.err());
        });
        withCpuBf16("true", () -> {
            MainTest.Result fast = segment("bf16", tmp.resolve("c.nii.gz"), "--model", tiny);
            assertEquals(0, fast.code(), fast.err());
            assertTrue(!fast.err().contains(warning), fast.err());
        });
    }

    /** Runs {@code r} with the library's CPU detection overridden ({@code -Dpromptonce.cpu.bf16}), then restores it. */
    static void withCpuBf16(String value, Runnable r) {
        String before = System.getProperty(CPU_BF16);
        System.setProperty(CPU_BF16, value);
        try {
            r.run();
        } finally {
            if (before == null) {
                System.clearProperty(CPU_BF16);
            } else {
                System.setProperty(CPU_BF16, before);
            }
        }
    }

    @Test
    void badValuesAndModelsWithoutVariantsAreRefused() throws Exception {
        MainTest.Result bad = segment("fp16", tmp.resolve("x.nii.gz"));
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("--precision: unknown precision \"fp16\" (expected fp32, bf16 or auto)"),
                bad.err());

        Path plain = tmp.resolve("plain");
        Files.createDirectories(plain);
        Path tiny = SegmentCommandTest.model("test-tiny");
        try (Stream<Path> files = Files.list(tiny)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().endsWith(".bf16.pt")) {
                    Files.copy(f, plain.resolve(f.getFileName()));
                }
            }
        }
        String json = Files.readString(plain.resolve("manifest.json"));
        Files.writeString(plain.resolve("manifest.json"), json.replaceAll(",\\s*\"bfloat16\":\\s*\\{[^{}]*\\}", ""));
        Path out = tmp.resolve("y.nii.gz");
        MainTest.Result refused = segment("bf16", out, "--model", plain.toString());
        assertEquals(ExitCodes.MODEL, refused.code(), refused.err());
        assertTrue(refused.err().contains("has no bfloat16 components"), refused.err());
        assertTrue(!Files.exists(out), "no output after a refusal");
        MainTest.Result auto = segment("auto", out, "--model", plain.toString());
        assertEquals(0, auto.code(), "auto falls back to fp32 on a model without variants: " + auto.err());
    }
}
