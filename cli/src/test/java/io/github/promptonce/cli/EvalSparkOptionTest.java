package io.github.promptonce.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval --spark} without the spark module, and the arguments its tasks get. */
class EvalSparkOptionTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheSparkModuleTheOptionIsAUsageErrorNamingWhatToAdd() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path labels = Files.createDirectories(tmp.resolve("labels"));
        MainTest.Result r = MainTest.run("eval", "--images", images.toString(), "--labels", labels.toString(),
                "--out", tmp.resolve("out").toString(), "--spark", "local[1]");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--spark needs the promptonce-spark module"), r.err());
        assertFalse(Files.exists(tmp.resolve("out/per_volume.csv")), "nothing run");
    }

    @Test
    void taskArgumentsAreThisCommandsWithAbsolutePaths() {
        Path base = Path.of("/data/run");
        List<String> args = EvalCommand.taskArgs(List.of("--verbose", "eval", "--images", "ct", "--labels=masks",
                "--model", "/models/a", "--out", "out", "--window-preset", "ct-lung", "--spark", "local[2]"), base);
        assertEquals(List.of("--images", "/data/run/ct", "--labels=/data/run/masks", "--model", "/models/a", "--out",
                "/data/run/out", "--window-preset", "ct-lung", "--spark", "local[2]"), args);
    }
}
