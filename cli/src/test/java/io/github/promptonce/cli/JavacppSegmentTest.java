package io.github.promptonce.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code segment --backend javacpp} in a child JVM (one LibTorch per JVM: this one holds the native backend), read
 * as a user reads it: LibTorch's own stderr included, which only a separate process shows.
 */
class JavacppSegmentTest {
    @TempDir
    Path tmp;

    @Test
    void stderrHoldsOnlyPromptonceLinesAndNoNnpackWarning() throws Exception {
        Path input = CommandOutputsTest.discVolume(tmp);
        Path out = tmp.resolve("mask.nii.gz");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "segment", "--backend", "javacpp", "--threads", "1", "--model",
                SegmentCommandTest.model("test-tiny").toString(), "--input", input.toString(), "--slice", "3",
                "--point", "20,16", "--window", "50,600", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("stdout.txt").toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the child JVM did not finish");
        String err = Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertTrue(err.contains("javacpp LibTorch"), "ran on javacpp:\n" + err);
        assertFalse(err.contains("NNPACK"), err);
        for (String line : err.lines().toList()) {
            assertTrue(line.startsWith("promptonce: "), "one promptonce line per message, found '" + line + "':\n"
                    + err);
        }
        assertTrue(Files.size(out) > 0);
    }
}
