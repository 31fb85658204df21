package io.github.promptonce;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationSessionTest {
    private static Segmenter sam2;
    private static final SliceSource VOLUME = TestModels.phantom(96, 80, 12);
    private static final Prompt FIRST = Prompt.point(40, 40).withBox(new Prompt.Box(20, 20, 60, 60));
    private static final Prompt CORRECTION = Prompt.point(50, 40).with(new Prompt.Point(20, 70, false));

    @BeforeAll
    static void load() {
        sam2 = Segmenter.load(TestModels.dir("test-tiny"));
    }

    @AfterAll
    static void close() {
        sam2.close();
    }

    @Test
    void sessionPropagationEqualsSegmenterPropagate() {
        VolumeSegmentation direct = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, FIRST)));
        try (SegmentationSession s = sam2.session(VOLUME)) {
            s.prompt(1, 6, FIRST);
            VolumeSegmentation v = s.propagate(PropagationOptions.defaults());
            for (int k = 0; k < 12; k++) {
                assertArrayEquals(direct.result(1, k).lowResLogits(), v.result(1, k).lowResLogits(), "slice " + k);
            }
        }
    }

    @Test
    void aCorrectionUsesTheMemoryAndRePropagatesFromItsSlice() {
        try (SegmentationSession s = sam2.session(VOLUME)) {
            s.prompt(1, 6, FIRST);
            VolumeSegmentation before = s.propagate(PropagationOptions.defaults());
            List<float[]> old = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                old.add(before.result(1, k).lowResLogits());
            }
            SliceResult corrected = s.prompt(1, 9, CORRECTION);
            assertEquals(Set.of(6, 9), s.bank(1).conditioningFrames());
            // a fresh, memory-free prompt on the same slice differs: the correction was conditioned on the memory
            try (SegmentationSession fresh = sam2.session(VOLUME)) {
                SliceResult memoryFree = fresh.prompt(1, 9, CORRECTION);
                assertFalse(java.util.Arrays.equals(memoryFree.lowResLogits(), corrected.lowResLogits()),
                        "a correction on a tracked slice uses the bank's memory and previous mask");
            }
            List<Integer> progress = new ArrayList<>();
            VolumeSegmentation after = s.propagateFrom(9,
                    PropagationOptions.defaults().withListener((slice, done, total) -> progress.add(slice)));
            assertArrayEquals(corrected.lowResLogits(), after.result(1, 9).lowResLogits(), "prompted result kept");
            assertEquals(List.of(9, 10, 11, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), progress);
            int changed = 0;
            for (int k = 0; k < 12; k++) {
                if (k != 6 && !java.util.Arrays.equals(old.get(k), after.result(1, k).lowResLogits())) {
                    changed++;
                }
            }
            assertTrue(changed > 0, "re-propagation with the new conditioning frame changed tracked slices");
            assertArrayEquals(old.get(6), after.result(1, 6).lowResLogits(), "the first prompted slice is kept");
            assertEquals(2, after.promptsUsed());
        }
    }

    @Test
    void severalObjectsOnOneSliceShareItsEncoding() {
        try (SegmentationSession s = sam2.session(VOLUME)) {
            long before = sam2.imageEncoderCalls();
            Map<Integer, SliceResult> r = s.prompt(4, Map.of(1, FIRST, 2, Prompt.point(70, 30)));
            assertEquals(1, sam2.imageEncoderCalls() - before);
            assertEquals(Set.of(1, 2), r.keySet());
        }
    }

    @Test
    void misuseIsReported() {
        SegmentationSession s = sam2.session(VOLUME);
        IllegalStateException noPrompt = assertThrows(IllegalStateException.class,
                () -> s.propagate(PropagationOptions.defaults()));
        assertTrue(noPrompt.getMessage().contains("no prompt yet"), noPrompt.getMessage());
        s.prompt(1, 3, FIRST);
        assertThrows(IllegalArgumentException.class,
                () -> s.propagate(PropagationOptions.defaults().withMode(PropagationMode.HALVES)));
        assertThrows(IllegalArgumentException.class, () -> s.prompt(1, 12, FIRST));
        assertThrows(IllegalArgumentException.class, () -> s.bank(7));
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.prompt(1, 3, FIRST));
    }
}
