package io.github.promptonce.cli;

import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OutputFiles}: all or nothing, refusals, the umask's permissions. */
class OutputFilesTest {
    @TempDir
    Path tmp;

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The permissions of a file created the ordinary way here: 0666 less the process's umask. */
    static Set<PosixFilePermission> umaskPermissions(Path dir) throws IOException {
        Path probe = Files.createFile(dir.resolve("umask-probe"));
        try {
            return Files.getPosixFilePermissions(probe);
        } finally {
            Files.delete(probe);
        }
    }

    @Test
    void nothingAppearsBeforeCommitAndEverythingAfter() throws Exception {
        Path a = tmp.resolve("a.txt");
        Path b = tmp.resolve("sub/dir/b.txt");
        try (OutputFiles out = new OutputFiles(false, List.of())) {
            out.writeString(a, "A");
            out.writeString(b, "B");
            assertFalse(Files.exists(a));
            assertFalse(Files.exists(b));
            out.commit();
        }
        assertEquals("A", Files.readString(a));
        assertEquals("B", Files.readString(b));
        assertEquals(List.of("a.txt", "sub"), names(tmp), "no temporary file left");
        assertEquals(List.of("b.txt"), names(tmp.resolve("sub/dir")));
    }

    @Test
    void withoutCommitNoFileAndNoCreatedDirectoryIsLeft() throws Exception {
        try (OutputFiles out = new OutputFiles(false, List.of())) {
            out.writeString(tmp.resolve("a.txt"), "A");
            out.writeString(tmp.resolve("new/dir/b.txt"), "B");
            out.writeInto(tmp.resolve("ov"), dir -> Files.writeString(dir.resolve("s1.png"), "x"));
        }
        assertEquals(List.of(), names(tmp));
    }

    @Test
    void aFailureInjectedPartWayLeavesNothing() throws Exception {
        OutputFiles.failureHook = (stage, target) -> {
            if (stage.equals("move") && target.getFileName().toString().equals("b.txt")) {
                throw new IOException("injected");
            }
        };
        try (OutputFiles out = new OutputFiles(false, List.of())) {
            out.writeString(tmp.resolve("a.txt"), "A");
            out.writeString(tmp.resolve("b.txt"), "B");
            assertThrows(IOException.class, out::commit);
        } finally {
            OutputFiles.failureHook = null;
        }
        assertEquals(List.of(), names(tmp), "a.txt is checked before anything moves");
    }

    @Test
    void existingInputAndDuplicateTargetsAreRefused() throws Exception {
        Path existing = Files.writeString(tmp.resolve("old.nii.gz"), "old");
        Path input = Files.writeString(tmp.resolve("in.nii.gz"), "input");
        try (OutputFiles out = new OutputFiles(false, List.of(input))) {
            OutputRefusedException e = assertThrows(OutputRefusedException.class, () -> out.check(existing));
            assertTrue(e.getMessage().contains("exists: add --overwrite"), e.getMessage());
            out.check(tmp.resolve("new.nii.gz"));
            e = assertThrows(OutputRefusedException.class, () -> out.check(tmp.resolve("x/../new.nii.gz")));
            assertTrue(e.getMessage().contains("named twice"), e.getMessage());
        }
        Path link = Files.createSymbolicLink(tmp.resolve("link.nii.gz"), input);
        try (OutputFiles out = new OutputFiles(true, List.of(input))) {
            out.check(existing); // --overwrite: an existing output may be replaced
            for (Path sameFile : List.of(input, tmp.resolve("./in.nii.gz"), link)) {
                OutputRefusedException e = assertThrows(OutputRefusedException.class, () -> out.check(sameFile));
                assertTrue(e.getMessage().contains("is an input of this command"), e.getMessage());
            }
        }
        assertEquals("input", Files.readString(input));
    }

    @Test
    void filesFollowTheUmaskNotTempFilePermissions() throws Exception {
        Set<PosixFilePermission> expected = umaskPermissions(tmp);
        Volume v = Volume.of(new float[8], 2, 2, 2, Geometry.ofSpacing(1, 1, 1));
        Path direct = tmp.resolve("direct.nii.gz");
        NiftiWriter.write(v, direct);
        Path text = tmp.resolve("t.csv");
        Path nifti = tmp.resolve("staged.nii.gz");
        try (OutputFiles out = new OutputFiles(false, List.of())) {
            out.writeString(text, "x\n");
            out.write(nifti, f -> NiftiWriter.write(v, f));
            out.commit();
        }
        for (Path p : List.of(direct, text, nifti)) {
            assertEquals(expected, Files.getPosixFilePermissions(p), p.toString());
        }
    }
}
