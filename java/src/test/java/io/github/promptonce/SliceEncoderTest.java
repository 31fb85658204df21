package io.github.promptonce;

import io.github.promptonce.volume.Slice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliceEncoderTest {
    private static Segmenter sam2;
    private static final SliceSource VOLUME = TestModels.phantom(96, 80, 12);
    private static final Prompt CLICK = Prompt.point(40, 40);

    @BeforeAll
    static void load() {
        sam2 = Segmenter.load(TestModels.dir("test-tiny"));
    }

    @AfterAll
    static void close() {
        sam2.close();
    }

    /** Segmenter::encode, remembering every embedding it made and on which thread. */
    private static final class RecordingEncoder implements Function<Slice, ImageEmbedding> {
        final List<ImageEmbedding> made = Collections.synchronizedList(new ArrayList<>());
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());

        @Override
        public ImageEmbedding apply(Slice image) {
            ImageEmbedding e = sam2.encode(image);
            made.add(e);
            threads.add(Thread.currentThread().getName());
            return e;
        }
    }

    /** Runs tasks on another thread, remembering the thread count each asked for. */
    private static final class RecordingRunner implements SliceEncoder.AheadRunner {
        final List<Integer> counts = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

        @Override
        public <R> java.util.concurrent.Future<R> submit(int threads, java.util.concurrent.Callable<R> task) {
            counts.add(threads);
            return pool.submit(task);
        }
    }

    private static SliceEncoder<ImageEmbedding> encoder(Function<Slice, ImageEmbedding> encode, SliceSource source,
                                                        boolean ahead) {
        return new SliceEncoder<>(encode, source, ahead ? new RecordingRunner() : null, 1);
    }

    private static float[] visionFeatures(ImageEmbedding e) {
        return ((io.github.promptonce.sam.Sam2EncodedImage) e.encoded()).features().visionFeatures().toFloatArray();
    }

    @Test
    void theSliceEncodedAheadIsTheOneTakenOnTheSecondThread() {
        RecordingEncoder rec = new RecordingEncoder();
        try (SliceEncoder<ImageEmbedding> enc = encoder(rec, VOLUME, true)) {
            enc.encodeAhead(3);
            assertTrue(enc.hasPending());
            try (ImageEmbedding e = enc.take(3)) {
                assertFalse(enc.hasPending());
                assertEquals(1, rec.made.size(), "taken from the encoding ahead, not encoded again");
                assertSame(rec.made.get(0), e);
                assertNotEquals(Thread.currentThread().getName(), rec.threads.get(0));
                try (ImageEmbedding now = sam2.encode(VOLUME.slice(3))) {
                    assertArrayEquals(visionFeatures(now), visionFeatures(e), "the same slice's features");
                }
            }
        }
    }

    @Test
    void anEncodingAheadOfAnotherSliceIsFreedAndTheSliceEncodedNow() {
        RecordingEncoder rec = new RecordingEncoder();
        try (SliceEncoder<ImageEmbedding> enc = encoder(rec, VOLUME, true)) {
            enc.encodeAhead(4);
            try (ImageEmbedding e = enc.take(5)) {
                assertEquals(2, rec.made.size());
                assertTrue(rec.made.get(0).isClosed(), "slice 4, encoded ahead but not taken, is freed");
                assertSame(rec.made.get(1), e);
                assertFalse(e.isClosed());
            }
        }
    }

    @Test
    void closeFreesAnEncodingNobodyTook() {
        RecordingEncoder rec = new RecordingEncoder();
        SliceEncoder<ImageEmbedding> enc = encoder(rec, VOLUME, true);
        enc.encodeAhead(2);
        enc.close();
        assertEquals(1, rec.made.size());
        assertTrue(rec.made.get(0).isClosed());
        enc.close(); // idempotent
    }

    @Test
    void withoutEncodingAheadNothingRunsEarly() {
        RecordingEncoder rec = new RecordingEncoder();
        try (SliceEncoder<ImageEmbedding> enc = encoder(rec, VOLUME, false)) {
            enc.encodeAhead(1);
            assertFalse(enc.hasPending());
            assertEquals(0, rec.made.size());
            enc.take(1).close();
            assertEquals(List.of(Thread.currentThread().getName()), rec.threads);
        }
    }

    @Test
    void theThreadEncodingAheadAsksForItsOwnThreadCount() {
        RecordingRunner runner = new RecordingRunner();
        RecordingEncoder rec = new RecordingEncoder();
        try (SliceEncoder<ImageEmbedding> enc = new SliceEncoder<>(rec, VOLUME, runner, 3)) {
            enc.encodeAhead(1);
            enc.take(1).close();
            enc.encodeAhead(2);
            enc.take(2).close();
        }
        assertEquals(List.of(3, 3), runner.counts);
        assertThrows(IllegalArgumentException.class, () -> new SliceEncoder<>(rec, VOLUME, runner, 0));
    }

    @Test
    void withoutARunnerNothingIsEncodedAhead() {
        RecordingEncoder rec = new RecordingEncoder();
        try (SliceEncoder<ImageEmbedding> enc = new SliceEncoder<>(rec, VOLUME, null, 0)) {
            enc.encodeAhead(1);
            assertFalse(enc.hasPending());
            enc.take(1).close();
        }
        assertEquals(List.of(Thread.currentThread().getName()), rec.threads);
    }

    @Test
    void aSliceThatCannotBeReadFailsWhenItIsTakenNotWhenItIsEncodedAhead() {
        SliceSource broken = SliceSource.of(VOLUME.width(), VOLUME.height(), VOLUME.sliceCount(), k -> {
            if (k == 7) {
                throw new IllegalStateException("slice 7 is unreadable");
            }
            return VOLUME.slice(k);
        });
        try (SliceEncoder<ImageEmbedding> enc = encoder(sam2::encode, broken, true)) {
            enc.encodeAhead(7); // does not throw: the error belongs to the step that takes slice 7
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> enc.take(7));
            assertEquals("slice 7 is unreadable", e.getMessage());
        }
    }

    @Test
    void anEncoderErrorOnTheSecondThreadKeepsItsType() {
        Function<Slice, ImageEmbedding> failing = image -> {
            throw new IllegalArgumentException("image " + image.width() + "x" + image.height() + " rejected");
        };
        try (SliceEncoder<ImageEmbedding> enc = encoder(failing, VOLUME, true)) {
            enc.encodeAhead(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.take(0));
            assertEquals("image 96x80 rejected", e.getMessage());
        }
    }

    /**
     * Encoding ahead splits the threads (here 1 + 1 instead of 2), which may change the order of some float sums:
     * the same masks and object scores' signs, logits equal to within rounding, and reproducible run to run.
     */
    @Test
    void propagationIsTheSameWithAndWithoutEncodingAheadToWithinRounding() {
        List<ObjectPrompt> prompts = List.of(new ObjectPrompt(1, 6, CLICK), new ObjectPrompt(2, 6,
                Prompt.point(70, 30)));
        for (PropagationMode mode : PropagationMode.values()) {
            long before = sam2.imageEncoderCalls();
            VolumeSegmentation serial = sam2.propagate(VOLUME, prompts,
                    PropagationOptions.defaults().withMode(mode).withEncodeAhead(false));
            long serialCalls = sam2.imageEncoderCalls() - before;
            before = sam2.imageEncoderCalls();
            VolumeSegmentation ahead = sam2.propagate(VOLUME, prompts,
                    PropagationOptions.defaults().withMode(mode).withEncodeAhead(true));
            assertEquals(serialCalls, sam2.imageEncoderCalls() - before, mode + ": every slice encoded as often");
            VolumeSegmentation again = sam2.propagate(VOLUME, prompts,
                    PropagationOptions.defaults().withMode(mode).withEncodeAhead(true));
            for (int id : List.of(1, 2)) {
                assertEquals(serial.slicesSegmented(id), ahead.slicesSegmented(id), mode + " object " + id);
                assertTrue(ahead.slicesSegmented(id) >= 6, mode + " object " + id + ": a pass ran");
                for (int k = 0; k < VOLUME.sliceCount(); k++) {
                    String where = mode + " object " + id + " slice " + k;
                    SliceResult s = serial.result(id, k);
                    SliceResult a = ahead.result(id, k);
                    assertEquals(s == null, a == null, where);
                    if (s == null) {
                        continue;
                    }
                    assertArrayEquals(s.mask(), a.mask(), where);
                    assertEquals(s.objectScore() > 0, a.objectScore() > 0, where);
                    assertEquals(s.objectScore(), a.objectScore(), 1e-3f, where);
                    float[] sl = s.lowResLogits();
                    float[] al = a.lowResLogits();
                    for (int i = 0; i < sl.length; i++) {
                        assertEquals(sl[i], al[i], 1e-4f * Math.max(1f, Math.abs(sl[i])), where + " logit " + i);
                    }
                    assertArrayEquals(al, again.result(id, k).lowResLogits(), where + ": reproducible");
                }
            }
        }
    }

    @Test
    void aCancelledPassWithAnEncodingAheadStopsAndTheSegmenterStaysUsable() {
        int[] seen = {0};
        PropagationOptions cancelAfterThree = PropagationOptions.defaults().withEncodeAhead(true)
                .withListener((slice, done, total) -> seen[0] = done)
                .withCancellation(() -> seen[0] >= 3);
        assertThrows(java.util.concurrent.CancellationException.class,
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)), cancelAfterThree));
        assertEquals(3, seen[0]);
        VolumeSegmentation v = sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, CLICK)));
        assertEquals(VOLUME.sliceCount(), v.slicesSegmented(1));
    }
}
