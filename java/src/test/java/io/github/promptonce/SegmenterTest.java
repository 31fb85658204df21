package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.volume.Slice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmenterTest {
    private static Segmenter sam2;
    private static Segmenter sam;
    private static final SliceSource VOLUME = TestModels.phantom(96, 80, 12);
    private static final Prompt CLICK = Prompt.point(40, 40).withBox(new Prompt.Box(20, 20, 60, 60));

    @BeforeAll
    static void load() {
        sam2 = Segmenter.load(TestModels.dir("test-tiny"));
        sam = Segmenter.load(TestModels.dir("test-tiny-sam"));
    }

    @AfterAll
    static void close() {
        sam2.close();
        sam.close();
    }

    @Test
    void runsOnTheBackendUnderTest() {
        String expected = System.getProperty("promptonce.backend", "native");
        assertTrue(sam2.runtimeDescription().startsWith(expected + " "), sam2.runtimeDescription());
    }

    @Test
    void loadsBothFamiliesFromTheirManifests() {
        assertEquals(ModelManifest.Family.SAM2, sam2.family());
        assertEquals("test-tiny", sam2.arch());
        assertEquals(128, sam2.imageSize());
        assertEquals(ModelManifest.Family.SAM, sam.family());
    }

    @Test
    void changedComponentFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("model");
        Files.createDirectories(copy);
        try (var files = Files.list(TestModels.dir("test-tiny"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.write(copy.resolve("mask_decoder.pt"), new byte[] {1}, StandardOpenOption.APPEND);
        PromptonceException e = assertThrows(PromptonceException.class, () -> Segmenter.load(copy));
        assertEquals(ErrorCode.BAD_MODEL, e.code());
        assertTrue(e.getMessage().contains("mask_decoder.pt") && e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aManifestWithValuesOutOfRangeIsABadModel(@TempDir Path dir) throws IOException {
        for (String[] edit : new String[][] {{"\"resize\": \"square\"", "\"resize\": \"fisheye\""},
                {"\"num_maskmem\": 7", "\"num_maskmem\": 0"}}) {
            Path copy = dir.resolve(edit[1].replaceAll("[^a-z0-9]", ""));
            Files.createDirectories(copy);
            try (var files = Files.list(TestModels.dir("test-tiny"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            Path manifest = copy.resolve("manifest.json");
            String text = Files.readString(manifest);
            assertTrue(text.contains(edit[0]), edit[0]);
            Files.writeString(manifest, text.replace(edit[0], edit[1]));
            PromptonceException e = assertThrows(PromptonceException.class, () -> Segmenter.load(copy).close());
            assertEquals(ErrorCode.BAD_MODEL, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains(edit[1].contains("fisheye") ? "fisheye" : "num_maskmem"), e.getMessage());
        }
    }

    @Test
    void missingModelDirectory(@TempDir Path dir) {
        PromptonceException e = assertThrows(PromptonceException.class, () -> Segmenter.load(dir.resolve("none")));
        assertEquals(ErrorCode.FILE_NOT_FOUND, e.code());
        PromptonceException noManifest = assertThrows(PromptonceException.class, () -> Segmenter.load(dir));
        assertTrue(noManifest.getMessage().contains("manifest.json"), noManifest.getMessage());
    }

    @Test
    void imageModeOnBothFamiliesGivesFullResolutionMasks() {
        Slice slice = VOLUME.slice(5);
        try (ImageEmbedding e = sam2.encode(slice)) {
            SliceResult r = sam2.predict(e, Prompt.point(40, 40));
            assertEquals(96, r.width());
            assertEquals(80, r.height());
            assertEquals(32 * 32, r.lowResLogits().length);
            assertEquals(96 * 80, r.mask().length);
            assertTrue(Float.isFinite(r.objectScore()) && Float.isFinite(r.iou()));
            SliceResult again = sam2.predict(e, Prompt.point(40, 40));
            assertArrayEquals(r.lowResLogits(), again.lowResLogits(), "an embedding is reusable, results repeat");
        }
        try (ImageEmbedding e = sam.encode(slice)) {
            SliceResult r = sam.predict(e, CLICK);
            assertEquals(96 * 80, r.mask().length);
            assertTrue(Float.isNaN(r.objectScore()), "SAM (v1) has no object score");
            assertTrue(r.inputHeight() < r.inputSize(), "SAM pads the shorter side: " + r);
        }
    }

    @Test
    void samV1CannotPropagate() {
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> sam.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK))));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("SAM (v1)"), e.getMessage());
        for (org.junit.jupiter.api.function.Executable sam2Only : List.<org.junit.jupiter.api.function.Executable>of(
                () -> sam.newMemoryBank(3), () -> sam.session(VOLUME),
                () -> sam.propagateDataset(VOLUME.slice(0), CLICK, List.of(VOLUME), PropagationOptions.defaults()))) {
            assertEquals(ErrorCode.UNSUPPORTED_MODEL, assertThrows(PromptonceException.class, sam2Only).code());
        }
    }

    @Test
    void everyModeCoversItsSlices() {
        int seed = 6;
        List<ObjectPrompt> prompts = List.of(new ObjectPrompt(1, seed, CLICK));
        for (PropagationMode mode : PropagationMode.values()) {
            VolumeSegmentation v = sam2.propagate(VOLUME, prompts, PropagationOptions.defaults().withMode(mode));
            for (int k = 0; k < VOLUME.sliceCount(); k++) {
                boolean expected = switch (mode) {
                    case BOTH, HALVES -> true;
                    case FORWARD -> k >= seed;
                    case BACKWARD -> k <= seed;
                };
                assertEquals(expected, v.result(1, k) != null, mode + " slice " + k);
            }
            assertEquals(1, v.promptsUsed());
        }
    }

    @Test
    void objectsShareEachSlicesEncoding() {
        List<ObjectPrompt> prompts = List.of(new ObjectPrompt(1, 6, CLICK),
                new ObjectPrompt(2, 6, Prompt.point(70, 30)), new ObjectPrompt(2, 9, Prompt.point(75, 30)));
        long before = sam2.imageEncoderCalls();
        List<Integer> progress = new ArrayList<>();
        VolumeSegmentation v = sam2.propagate(VOLUME, prompts,
                PropagationOptions.defaults().withListener((slice, done, total) -> progress.add(slice)));
        // prompted slices 6 and 9 once, then every other slice once: the forward pass from 6 re-uses 6, and 9 is
        // tracked for object 1 (encoded again there), the reverse pass from 6 encodes 0..5
        long calls = sam2.imageEncoderCalls() - before;
        assertEquals(VOLUME.sliceCount() + 1, calls, "slice 9: prompted for object 2, tracked for object 1");
        assertEquals(List.of(1, 2), v.objectIds());
        assertEquals(VOLUME.sliceCount(), v.slicesSegmented(1));
        assertEquals(VOLUME.sliceCount(), v.slicesSegmented(2));
        assertEquals(VOLUME.sliceCount() + 1, progress.size(), "seed slice reported by both passes");
        assertEquals(96 * 80 * 12, v.labels().length);
    }

    @Test
    void oneReferencePromptSegmentsADatasetEncodingTheReferenceOnce() {
        List<SliceSource> volumes = List.of(TestModels.phantom(96, 80, 7), TestModels.phantom(64, 64, 5),
                TestModels.phantom(80, 96, 9));
        Slice reference = VOLUME.slice(6);
        long before = sam2.imageEncoderCalls();
        List<VolumeSegmentation> out = sam2.propagateDataset(reference, CLICK, volumes, PropagationOptions.defaults());
        long calls = sam2.imageEncoderCalls() - before;
        // the reference once; each volume's slices once, its middle slice twice (first frame of both halves)
        assertEquals(1 + (7 + 1) + (5 + 1) + (9 + 1), calls);
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            VolumeSegmentation v = out.get(i);
            assertEquals(volumes.get(i).sliceCount(), v.slicesSegmented(1), "volume " + i);
            assertEquals(0, v.promptsUsed(), "no prompt on the volumes themselves");
        }
    }

    @Test
    void bankStaysBoundedOverAThreeHundredSliceVolume() {
        SliceSource tall = TestModels.phantom(32, 32, 300);
        try (MemoryBank bank = sam2.newMemoryBank(300)) {
            try (ImageEmbedding e = sam2.encode(tall.slice(0))) {
                sam2.addPrompt(bank, 0, e, Prompt.point(12, 16));
            }
            int peak = 0;
            for (int k = 1; k < 300; k++) {
                try (ImageEmbedding e = sam2.encode(tall.slice(k))) {
                    sam2.track(bank, k, e, false);
                }
                peak = Math.max(peak, bank.heldFrames());
            }
            int reach = sam2.manifest().memoryConfig().reach();
            // the conditioning frame, the frames within reach of it, and those within reach of the last tracked one
            assertTrue(peak <= 2 * reach + 2, "held at most " + peak + " frames");
            // the conditioning frame, the `reach` frames after it (a reverse pass from it may select them), and the
            // last reach+1 tracked frames
            assertEquals(1 + reach + (reach + 1), bank.heldFrames());
        }
    }

    @Test
    void cancellationStopsThePropagation() {
        int[] seen = {0};
        PropagationOptions o = PropagationOptions.defaults()
                .withListener((slice, done, total) -> seen[0] = done)
                .withCancellation(() -> seen[0] >= 3);
        CancellationException e = assertThrows(CancellationException.class,
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)), o));
        assertTrue(e.getMessage().contains("cancelled at slice"), e.getMessage());
        assertEquals(3, seen[0]);
    }

    @Test
    void testModelGivesNonTrivialMasks() {
        // guards the other tests against comparing constant "no object" masks
        VolumeSegmentation v = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)));
        for (int k = 0; k < VOLUME.sliceCount(); k++) {
            SliceResult r = v.result(1, k);
            assertTrue(r.objectScore() > 0, "slice " + k + " score " + r.objectScore());
            int fg = 0;
            for (byte b : r.mask()) {
                fg += b;
            }
            assertTrue(fg > 0 && fg < r.width() * r.height(), "slice " + k + " has " + fg + " foreground pixels");
        }
    }

    @Test
    void driftGuardStopsEachPassAfterKAbsentSlicesAndSaysWhere() {
        try (Segmenter absent = Segmenter.load(TestModels.dir("test-tiny-absent"))) {
            VolumeSegmentation v = absent.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)),
                    PropagationOptions.defaults().withDriftGuard(2));
            assertEquals(List.of(8, 4), v.driftStops(1), "forward pass stops at 8 (7, 8 absent), reverse at 4");
            for (int k = 0; k < VOLUME.sliceCount(); k++) {
                boolean reached = k >= 4 && k <= 8;
                assertEquals(reached, v.result(1, k) != null, "slice " + k);
                if (reached) {
                    assertTrue(v.result(1, k).objectScore() <= 0);
                    assertTrue(v.result(1, k).isEmpty(), "absent object: empty mask on slice " + k);
                }
            }
        }
        // with the object present the guard never fires and changes nothing
        VolumeSegmentation guarded = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)),
                PropagationOptions.defaults().withDriftGuard(1));
        VolumeSegmentation unguarded = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)));
        assertTrue(guarded.driftStops(1).isEmpty());
        for (int k = 0; k < VOLUME.sliceCount(); k++) {
            assertArrayEquals(unguarded.result(1, k).lowResLogits(), guarded.result(1, k).lowResLogits(), "slice " + k);
        }
    }

    @Test
    void badPromptsAndClosedObjectsGiveTypedErrors() {
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, Prompt.point(200, 10)))));
        assertTrue(outside.getMessage().contains("96x80"), outside.getMessage());
        IllegalArgumentException slice = assertThrows(IllegalArgumentException.class,
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 12, CLICK))));
        assertTrue(slice.getMessage().contains("slice 12"), slice.getMessage());
        IllegalArgumentException halves = assertThrows(IllegalArgumentException.class,
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 2, CLICK), new ObjectPrompt(1, 6, CLICK)),
                        PropagationOptions.defaults().withMode(PropagationMode.HALVES)));
        assertTrue(halves.getMessage().contains("[2, 6]"), halves.getMessage());
        ImageEmbedding e = sam2.encode(VOLUME.slice(0));
        e.close();
        e.close();
        assertThrows(IllegalStateException.class, () -> sam2.predict(e, CLICK));
        MemoryBank bank = sam2.newMemoryBank(4);
        bank.close();
        try (ImageEmbedding e2 = sam2.encode(VOLUME.slice(0))) {
            assertThrows(IllegalStateException.class, () -> sam2.addPrompt(bank, 0, e2, CLICK));
        }
        Segmenter closed = Segmenter.load(TestModels.dir("test-tiny"));
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.encode(VOLUME.slice(0)));
    }

    @Test
    void largestComponentKeepsTheBiggestBlob() {
        byte[] m = new byte[4 * 4 * 2];
        m[0] = 1;                   // a single voxel
        m[10] = m[11] = m[15] = 1;  // three voxels, 26-connected
        m[16 + 15] = 1;             // joins the three through the next slice
        byte[] expected = new byte[32];
        expected[10] = expected[11] = expected[15] = expected[31] = 1;
        assertArrayEquals(expected, VolumeSegmentation.largestComponent(m, 4, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> VolumeSegmentation.largestComponent(m, 4, 4, 3));
    }

    @Test
    void anObjectScoreFloorEmptiesTheSlicesBelowItAndNothingElse() {
        VolumeSegmentation v = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)));
        float[] scores = v.objectScores(1);
        assertEquals(VOLUME.sliceCount(), scores.length);
        float[] sorted = scores.clone();
        java.util.Arrays.sort(sorted);
        assertTrue(sorted[0] < sorted[sorted.length - 1],
                "the test needs scores that differ: " + java.util.Arrays.toString(scores));
        double floor = (sorted[sorted.length / 2] + sorted[sorted.length / 2 - 1]) / 2.0;  // between two scores
        byte[] all = v.mask(1);
        byte[] kept = v.mask(1, floor);
        int area = VOLUME.width() * VOLUME.height();
        int emptied = 0;
        for (int k = 0; k < scores.length; k++) {
            byte[] want = scores[k] < floor ? new byte[area]
                    : java.util.Arrays.copyOfRange(all, k * area, (k + 1) * area);
            assertArrayEquals(want, java.util.Arrays.copyOfRange(kept, k * area, (k + 1) * area), "slice " + k);
            emptied += scores[k] < floor ? 1 : 0;
        }
        assertTrue(emptied > 0 && emptied < scores.length, emptied + " slices emptied");
        assertArrayEquals(all, v.mask(1, Double.NEGATIVE_INFINITY));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> v.mask(1, Double.NaN));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.objectScores(2));
    }

    @Test
    void theManifestCarriesAnOptionalObjectScoreFloor(@TempDir Path dir) throws IOException {
        assertTrue(sam2.manifest().minObjectScore().isEmpty(), "test-tiny names no floor");
        String[][] cases = {{"test-tiny", "{\"min_object_score\": 2.5}", "2.5"},
                {"test-tiny", "{}", ""},
                {"test-tiny", "{\"min_object_score\": \"high\"}", "postprocess.min_object_score is high"},
                {"test-tiny", "[1]", "postprocess is [1]"},
                {"test-tiny-sam", "{\"min_object_score\": 1}", "has no object score"}};
        int n = 0;
        for (String[] c : cases) {
            Path copy = dir.resolve("m" + n++);
            Files.createDirectories(copy);
            try (var files = Files.list(TestModels.dir(c[0]))) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            Path manifest = copy.resolve("manifest.json");
            String text = Files.readString(manifest).strip();
            Files.writeString(manifest, text.substring(0, text.length() - 1) + ", \"postprocess\": " + c[1] + "}");
            if (c[2].isEmpty()) {
                assertTrue(ModelManifest.read(copy).minObjectScore().isEmpty());
            } else if (Character.isDigit(c[2].charAt(0))) {
                assertEquals(Double.parseDouble(c[2]), ModelManifest.read(copy).minObjectScore().getAsDouble());
            } else {
                PromptonceException e = assertThrows(PromptonceException.class, () -> ModelManifest.read(copy));
                assertEquals(ErrorCode.BAD_MODEL, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains(c[2]), e.getMessage());
            }
        }
    }

    @Test
    void largestComponentPerSliceKeepsOneIslandInEachSlice() {
        // slice 0 (5 x 4): an island of 2 linked diagonally, a single voxel, and the largest, of 4;
        // slice 1: two islands of 2 (the first in row-major order wins); slice 2: empty
        byte[] m = new byte[5 * 4 * 3];
        m[0] = m[6] = 1;                          // (0,0) (1,1): one island through the diagonal
        m[4] = 1;                                 // (4,0): alone
        m[15] = m[16] = m[17] = m[18] = 1;        // row 3: the largest
        m[20] = m[21] = 1;                        // slice 1, row 0
        m[20 + 13] = m[20 + 14] = 1;              // slice 1, row 2, apart from row 0
        byte[] expected = new byte[60];
        expected[15] = expected[16] = expected[17] = expected[18] = 1;
        expected[20] = expected[21] = 1;
        assertArrayEquals(expected, VolumeSegmentation.largestComponentPerSlice(m, 5, 4, 3));
        assertArrayEquals(new byte[60], VolumeSegmentation.largestComponentPerSlice(new byte[60], 5, 4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VolumeSegmentation.largestComponentPerSlice(m, 4, 5, 4));
        assertTrue(e.getMessage().contains("60 voxels") && e.getMessage().contains("4x5x4"), e.getMessage());
    }
}
