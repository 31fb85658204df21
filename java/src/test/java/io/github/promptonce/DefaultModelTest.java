package io.github.promptonce;

import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void aDamagedCacheIsExtractedAgainFromTheJar() throws Exception {
        onlyWithoutCacheEnvironment();
        System.setProperty("promptonce.cache", tmp.toString());
        Path dir = DefaultModel.directory();
        Path encoder = dir.resolve("memory_encoder.pt");
        byte[] original = Files.readAllBytes(encoder);
        byte[] bytes = original.clone();
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(encoder, bytes);
        assertEquals(dir, DefaultModel.directory());
        assertArrayEquals(original, Files.readAllBytes(encoder), "the jar's file is back");
        ModelManifest.read(dir).verifyChecksums();
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no staging or stale directories left behind");
        }
    }

    @Test
    void aCacheReplacedWithAConsistentOtherModelIsExtractedAgain() throws Exception {
        onlyWithoutCacheEnvironment();
        System.setProperty("promptonce.cache", tmp.toString());
        Path dir = DefaultModel.directory();
        Path manifestFile = dir.resolve(ModelManifest.FILE);
        byte[] jarManifest = Files.readAllBytes(manifestFile);
        String jarSha = ModelManifest.read(dir).sha256();
        // someone with write access to a shared cache swaps a component and updates the manifest to match
        Path encoder = dir.resolve("memory_encoder.pt");
        byte[] original = Files.readAllBytes(encoder);
        byte[] swapped = original.clone();
        swapped[swapped.length / 3] ^= 0x11;
        Files.write(encoder, swapped);
        String oldHash = ModelManifest.read(dir).component("memory_encoder").sha256();
        String newHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(swapped));
        String text = Files.readString(manifestFile);
        assertTrue(text.contains(oldHash), text);
        Files.writeString(manifestFile, text.replace(oldHash, newHash));
        ModelManifest.read(dir).verifyChecksums(); // consistent in itself: only the jar can tell
        assertEquals(dir, DefaultModel.directory());
        assertArrayEquals(jarManifest, Files.readAllBytes(manifestFile));
        assertArrayEquals(original, Files.readAllBytes(encoder));
        assertEquals(jarSha, ModelManifest.read(dir).sha256());
        try (Segmenter s = DefaultModel.load(SegmenterOptions.defaults())) {
            assertEquals(jarSha, s.manifest().sha256());
        }
    }

    @Test
    void aDamagedModelDirectoryOutsideTheCacheIsAnErrorNamingTheFile() throws Exception {
        onlyWithoutCacheEnvironment();
        System.setProperty("promptonce.cache", tmp.resolve("cache").toString());
        Path copy = Files.createDirectory(tmp.resolve("copy"));
        try (var files = Files.list(DefaultModel.directory())) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path encoder = copy.resolve("memory_encoder.pt");
        byte[] bytes = Files.readAllBytes(encoder);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(encoder, bytes);
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> Segmenter.load(copy, SegmenterOptions.defaults()));
        assertTrue(e.getMessage().contains("memory_encoder.pt"), e.getMessage());
    }

    private static void onlyWithoutCacheEnvironment() {
        String env = System.getenv("PROMPTONCE_CACHE");
        if (env != null && !env.isBlank()) {
            throw new IllegalStateException("unset PROMPTONCE_CACHE to run this test (it overrides the property)");
        }
    }
}
