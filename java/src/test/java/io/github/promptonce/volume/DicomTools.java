package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference DICOM tools of Debian (dcmtk, gdcm, dicom3tools, dcm2niix), installed by
 * scripts/setup-dicom-tools.sh. A missing tool fails the test with that command: never a silent skip.
 */
public final class DicomTools {
    private DicomTools() {
    }

    /** Runs {@code command}, fails with its output unless it exits 0; returns stdout and stderr together. */
    public static String run(String... command) {
        return run(true, command);
    }

    /** Runs {@code command} whatever its exit status (validators exit non-zero on warnings); returns its output. */
    public static String runAnyExit(String... command) {
        return run(false, command);
    }

    private static String run(boolean mustSucceed, String... command) {
        Path exe = find(command[0]);
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, exe.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (mustSucceed && p.exitValue() != 0) {
                fail(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path find(String tool) {
        if (tool.startsWith("/")) {
            return Path.of(tool);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail(tool + " is not installed: run scripts/setup-dicom-tools.sh (Debian packages dcmtk, libgdcm-tools, "
                + "dicom3tools, dcm2niix, python3-pydicom)");
        return null;
    }
}
