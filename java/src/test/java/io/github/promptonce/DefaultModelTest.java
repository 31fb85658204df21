package io.github.promptonce;

import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default model the build exports into the jar: found, copied out once, verified, loadable. */
class DefaultModelTest {
    @TempDir
    Path tmp;
    private final String savedCache = System.getProperty("promptonce.cache");

    @AfterEach
    void restore() {
        if (savedCache == null) {
            System.clearProperty("promptonce.cache");
        } else {
            System.setProperty("promptonce.cache", savedCache);
        }
    }

    @Test
    void theBuildBundlesTheDefaultModel() {
        assertTrue(DefaultModel.isBundled(), "the Maven build exports models/weights/promptonce-small.pt into the jar");
    }

    @Test
    void copiedOutOnceIntoTheCacheAndLoadable() throws Exception {
        onlyWithoutCacheEnvironment();
        System.setProperty("promptonce.cache", tmp.toString());
        Path dir = DefaultModel.directory();
        assertTrue(dir.startsWith(tmp), dir.toString());
        assertTrue(dir.getFileName().toString().startsWith("promptonce-small-"), dir.toString());
        long modified = Files.getLastModifiedTime(dir.resolve("image_encoder.pt")).toMillis();
        assertEquals(dir, DefaultModel.directory(), "the second call finds the cached copy");
        assertEquals(modified, Files.getLastModifiedTime(dir.resolve("image_encoder.pt")).toMillis());
        try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults())) {
            assertEquals(DefaultModel.ARCH, s.arch());
            assertEquals(ModelManifest.Family.SAM2, s.family());
            assertEquals(256, s.imageSize());
        }
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no staging directories left behind");
        }
    }

    @Test
    void aDamagedCacheIsAnErrorNamingTheFile() throws Exception {
        onlyWithoutCacheEnvironment();
        System.setProperty("promptonce.cache", tmp.toString());
        Path dir = DefaultModel.directory();
        Path encoder = dir.resolve("memory_encoder.pt");
        byte[] bytes = Files.readAllBytes(encoder);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(encoder, bytes);
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> DefaultModel.load(SegmenterOptions.defaults()));
        assertTrue(e.getMessage().contains("memory_encoder.pt"), e.getMessage());
    }

    private static void onlyWithoutCacheEnvironment() {
        String env = System.getenv("PROMPTONCE_CACHE");
        if (env != null && !env.isBlank()) {
            throw new IllegalStateException("unset PROMPTONCE_CACHE to run this test (it overrides the property)");
        }
    }
}
