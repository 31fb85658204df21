package io.github.promptonce.runtime;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading happens once per JVM, so each case runs {@link LoaderProbe} in a child JVM. */
@Tag(TestBackend.NATIVE_ONLY)
class NativeLibraryLoaderTest {

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome probe(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LoaderProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void loadsTheBundledLibrary() throws Exception {
        Outcome o = probe("--enable-native-access=ALL-UNNAMED");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().startsWith("loaded LibTorch "), o.out());
    }

    @Test
    void explicitPathToADirectoryIsUsed() throws Exception {
        Path bundledDir = Path.of(NativeRuntime.get().libraryFile().getParent().toString());
        Outcome o = probe("--enable-native-access=ALL-UNNAMED", "-Dpromptonce.native.path=" + bundledDir);
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains(bundledDir.toString()), o.out());
    }

    @Test
    void wrongExplicitPathIsAnErrorNamingThePathAndTheFix(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("libpromptonce.so");
        Outcome o = probe("--enable-native-access=ALL-UNNAMED", "-Dpromptonce.native.path=" + missing);
        assertEquals(3, o.exit(), o.out());
        assertTrue(o.err().startsWith("NATIVE_LIBRARY"), o.err());
        assertTrue(o.err().contains(missing.toString()) && o.err().contains("no such file")
                && o.err().contains("promptonce.native.path"), o.err());
    }

    @Test
    void fileThatIsNotALibraryReportsTheLoadersReason(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("libpromptonce.so");
        // longer than an ELF header, so that every glibc reads it and reports the header, not "file too short"
        java.nio.file.Files.writeString(fake, "not an ELF file\n".repeat(64));
        Outcome o = probe("--enable-native-access=ALL-UNNAMED", "-Dpromptonce.native.path=" + fake);
        assertEquals(3, o.exit(), o.out());
        assertTrue(o.err().contains(fake.toString()) && o.err().contains("invalid ELF header"), o.err());
    }

    @Test
    void missingNativeAccessFlagNamesTheFlag() throws Exception {
        Outcome o = probe();
        assertEquals(3, o.exit(), o.out());
        assertTrue(o.err().contains("--enable-native-access=ALL-UNNAMED"), o.err());
    }
}
