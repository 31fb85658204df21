package io.github.promptonce.runtime.javacpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One LibTorch backend per JVM, and AUTO's choice. Each case is a child JVM with both backends on its class path
 * (this module's test class path): loading both would crash it, so the guard must refuse the second.
 */
class BackendSelectionTest {

    private static void assertRefused(ChildJvm.Outcome o, String loaded, String refused) {
        assertFalse(o.crashed(), "the JVM crashed instead of refusing: " + o);
        assertEquals(3, o.exit(), o.toString());
        assertTrue(o.out().startsWith("loaded " + loaded + " "), o.toString());
        // stderr: the log line of the first backend's loading, then the probe's report of the refusal
        String err = o.err().lines().filter(l -> l.startsWith("NATIVE_LIBRARY: ")).findFirst().orElse(o.err());
        assertTrue(err.startsWith("NATIVE_LIBRARY: cannot load the " + refused + " LibTorch backend"), o.toString());
        assertTrue(err.contains("already loaded the " + loaded + " backend") && err.contains("separate JVMs"), err);
    }

    @Test
    void javacppAfterNativeIsRefusedNotACrash() throws Exception {
        assertRefused(ChildJvm.run(BackendProbe.class, List.of(), "native", "javacpp"), "native", "javacpp");
    }

    @Test
    void nativeAfterJavacppIsRefusedNotACrash() throws Exception {
        assertRefused(ChildJvm.run(BackendProbe.class, List.of(), "javacpp", "native"), "javacpp", "native");
    }

    @Test
    void sameBackendTwiceAndAutoAfterItAreFine() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(BackendProbe.class, List.of(), "javacpp", "javacpp", "auto");
        assertEquals(0, o.exit(), o.toString());
        assertEquals(List.of("loaded javacpp 2.10.0", "loaded javacpp 2.10.0", "loaded javacpp 2.10.0"),
                o.out().lines().toList(), "auto returns the backend already loaded");
    }

    /**
     * Regression: on a cold JavaCPP cache, JavaCPP used to load libtorch.so before it had extracted
     * libtorch_cpu.so, so the dynamic loader took the system's (Debian's LibTorch 1.13) and the JVM crashed.
     */
    @Test
    void coldJavacppCacheLoadsOnlyTheBundledLibTorch(@TempDir Path cache) throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(BackendProbe.class, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache),
                "javacpp", "maps");
        assertFalse(o.crashed(), o.toString());
        assertEquals(0, o.exit(), o.toString());
        List<String> mapped = o.out().lines().filter(l -> l.startsWith("mapped ")).map(l -> l.substring(7)).toList();
        assertTrue(mapped.stream().anyMatch(p -> p.endsWith("/libtorch_cpu.so")), o.toString());
        for (String path : mapped) {
            assertTrue(path.startsWith(cache.toString()), "a LibTorch library from outside JavaCPP's cache: " + path);
        }
    }

    @Test
    void autoPrefersNativeWhenItsLibraryLoads() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(BackendProbe.class, List.of(), "auto");
        assertEquals(0, o.exit(), o.toString());
        assertTrue(o.out().startsWith("loaded native "), o.toString());
        assertTrue(o.err().contains("LibTorch backend native") && o.err().contains("chosen by auto"),
                "the choice is logged: " + o);
    }

    @Test
    void autoFallsBackToJavacppWhenTheNativeLibraryDoesNotLoad(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("libpromptonce.so");
        ChildJvm.Outcome o = ChildJvm.run(BackendProbe.class, List.of("-Dpromptonce.native.path=" + missing), "auto");
        assertEquals(0, o.exit(), o.toString());
        assertTrue(o.out().startsWith("loaded javacpp 2.10.0"), o.toString());
        assertTrue(o.err().contains("native LibTorch backend unavailable") && o.err().contains(missing.toString())
                && o.err().contains("LibTorch backend javacpp (LibTorch 2.10.0)"), "the fallback is logged: " + o);
    }

    @Test
    void javacppWithoutNativeAccessNamesTheFlag() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(BackendProbe.class, false, List.of(), "javacpp");
        assertFalse(o.crashed(), o.toString());
        assertEquals(3, o.exit(), o.toString());
        assertTrue(o.err().contains("--enable-native-access=ALL-UNNAMED"), o.toString());
    }
}
