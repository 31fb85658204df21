package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SegmenterOptions#withModelSha256}: only the pinned model (by its manifest's SHA-256) loads. */
class ModelPinTest {
    private static final Path MODEL = TestModels.dir("test-tiny");

    @Test
    void thePinnedModelLoadsInAnyCase() {
        String sha = ModelManifest.read(MODEL).sha256();
        assertEquals(64, sha.length());
        try (Segmenter s = Segmenter.load(MODEL, SegmenterOptions.defaults().withModelSha256(sha))) {
            assertEquals(sha, s.manifest().sha256());
        }
        try (Segmenter s = Segmenter.load(MODEL,
                SegmenterOptions.defaults().withModelSha256(sha.toUpperCase(Locale.ROOT)))) {
            assertEquals(sha, s.manifest().sha256());
        }
    }

    @Test
    void anotherModelIsRefusedNamingBothHashes() {
        String sha = ModelManifest.read(MODEL).sha256();
        String other = "0".repeat(64);
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> Segmenter.load(MODEL, SegmenterOptions.defaults().withModelSha256(other)));
        assertEquals(ErrorCode.BAD_MODEL, e.code());
        assertTrue(e.getMessage().contains(sha) && e.getMessage().contains(other), e.getMessage());
    }

    @Test
    void aMalformedPinIsRejectedWhenGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.defaults().withModelSha256("abc"));
        assertTrue(e.getMessage().contains("'abc' is not a SHA-256"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.defaults().withModelSha256("g".repeat(64)));
    }

    @Test
    void theManifestHashIsTheHashOfTheFileAsStored() throws Exception {
        byte[] bytes = java.nio.file.Files.readAllBytes(MODEL.resolve(ModelManifest.FILE));
        String expected = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(expected, ModelManifest.read(MODEL).sha256());
    }
}
