package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.volume.Slice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reference prompted once, written as bytes and read back, segments a dataset exactly as the one-call form. */
class ReferenceMemoryTest {
    private static Segmenter sam2;
    private static final SliceSource VOLUME = TestModels.phantom(96, 80, 12);
    private static final Prompt CLICK = Prompt.point(40, 40).withBox(new Prompt.Box(20, 20, 60, 60));
    private static final List<SliceSource> DATASET = List.of(TestModels.phantom(96, 80, 7),
            TestModels.phantom(64, 64, 5));

    @BeforeAll
    static void load() {
        sam2 = Segmenter.load(TestModels.dir("test-tiny"));
    }

    @AfterAll
    static void close() {
        sam2.close();
    }

    @Test
    void bytesRoundTripGivesTheSameMasksAsPromptingTheReferenceAgain() {
        Slice reference = VOLUME.slice(6);
        List<VolumeSegmentation> direct = sam2.propagateDataset(reference, CLICK, DATASET,
                PropagationOptions.defaults());
        byte[] bytes;
        long before = sam2.imageEncoderCalls();
        try (ReferenceMemory memory = sam2.promptReference(reference, CLICK)) {
            assertEquals(1, sam2.imageEncoderCalls() - before, "the reference is encoded once");
            bytes = memory.toBytes();
            assertEquals(sam2.manifest().sha256(), memory.modelSha256());
        }
        // another segmenter of the same model stands for another JVM
        try (Segmenter other = Segmenter.load(TestModels.dir("test-tiny"));
             ReferenceMemory read = ReferenceMemory.fromBytes(other, bytes)) {
            assertArrayEquals(bytes, read.toBytes(), "bytes survive a round trip unchanged");
            long encodes = other.imageEncoderCalls();
            List<VolumeSegmentation> shipped = other.propagateDataset(read, DATASET, PropagationOptions.defaults());
            // each volume's slices once, its middle slice twice; never the reference
            assertEquals((7 + 1) + (5 + 1), other.imageEncoderCalls() - encodes);
            for (int i = 0; i < DATASET.size(); i++) {
                assertArrayEquals(direct.get(i).mask(1), shipped.get(i).mask(1), "volume " + i);
                assertEquals(DATASET.get(i).sliceCount(), shipped.get(i).slicesSegmented(1));
            }
            assertTrue(countOnes(shipped.get(0).mask(1)) > 0, "the phantom's object is found");
            // reusable: a second dataset call from the same memory gives the same again
            assertArrayEquals(shipped.get(1).mask(1),
                    other.propagateDataset(read, List.of(DATASET.get(1)), PropagationOptions.defaults()).get(0)
                            .mask(1));
        }
    }

    @Test
    void badBytesAndAnotherModelAreRefusedWithTheReason() {
        byte[] bytes;
        try (ReferenceMemory memory = sam2.promptReference(VOLUME.slice(6), CLICK)) {
            bytes = memory.toBytes();
        }
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> ReferenceMemory.fromBytes(sam2, Arrays.copyOf(bytes, bytes.length / 2)));
        assertTrue(truncated.getMessage().contains("truncated") || truncated.getMessage().contains("left"),
                truncated.getMessage());
        IllegalArgumentException junk = assertThrows(IllegalArgumentException.class,
                () -> ReferenceMemory.fromBytes(sam2, "not a memory at all".getBytes()));
        assertTrue(junk.getMessage().contains("not a promptonce reference memory"), junk.getMessage());
        try (Segmenter absent = Segmenter.load(TestModels.dir("test-tiny-absent"))) {
            if (!absent.manifest().sha256().equals(sam2.manifest().sha256())) {
                IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                        () -> ReferenceMemory.fromBytes(absent, bytes));
                assertTrue(other.getMessage().contains(sam2.manifest().sha256()), other.getMessage());
            } else {
                throw new AssertionError("test-tiny-absent should be another model than test-tiny");
            }
        }
        try (Segmenter sam = Segmenter.load(TestModels.dir("test-tiny-sam"))) {
            PromptonceException e = assertThrows(PromptonceException.class,
                    () -> ReferenceMemory.fromBytes(sam, bytes));
            assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        }
    }

    @Test
    void closedMemoryIsRefused() {
        ReferenceMemory memory = sam2.promptReference(VOLUME.slice(6), CLICK);
        memory.close();
        memory.close();
        assertTrue(memory.isClosed());
        assertThrows(IllegalStateException.class, memory::toBytes);
        assertThrows(IllegalStateException.class,
                () -> sam2.propagateDataset(memory, DATASET, PropagationOptions.defaults()));
    }

    private static int countOnes(byte[] mask) {
        int n = 0;
        for (byte b : mask) {
            n += b;
        }
        return n;
    }
}
