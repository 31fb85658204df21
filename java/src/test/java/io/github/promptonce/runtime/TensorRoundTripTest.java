package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRoundTripTest {
    private final TorchRuntime runtime = TestBackend.runtime();

    /** Bytes that are valid values of each dtype (bool: 0/1; floats: any bit pattern but NaN payloads kept). */
    private static byte[] sampleBytes(DType dtype, int elements, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[elements * dtype.byteSize()];
        if (dtype == DType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(2);
            }
        } else if (dtype == DType.FLOAT32 || dtype == DType.FLOAT64 || dtype == DType.BFLOAT16
                || dtype == DType.FLOAT16) {
            // finite values only: NaN bit patterns may be canonicalised by conversions
            MemorySegment seg = MemorySegment.ofArray(bytes);
            for (int i = 0; i < elements; i++) {
                switch (dtype) {
                    case FLOAT32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) random.nextGaussian());
                    case FLOAT64 -> seg.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, random.nextGaussian());
                    default -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (0x3C00 + random.nextInt(0x300)));
                }
            }
        } else {
            random.nextBytes(bytes);
        }
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsThroughHeapAndNativeMemory(DType dtype) {
        long[] shape = {2, 3, 4};
        byte[] bytes = sampleBytes(dtype, 24, dtype.ordinal());
        try (Tensor t = runtime.tensor(MemorySegment.ofArray(bytes), dtype, shape, Device.CPU)) {
            assertEquals(dtype, t.dtype());
            assertArrayEquals(shape, t.shape());
            assertEquals(Device.CPU, t.device());
            assertEquals(24, t.numel());
            assertArrayEquals(bytes, t.toByteArray(), "heap copy out");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(bytes.length);
                t.copyTo(dst);
                assertArrayEquals(bytes, dst.toArray(ValueLayout.JAVA_BYTE), "native copy out");
                MemorySegment src = arena.allocate(bytes.length);
                src.copyFrom(MemorySegment.ofArray(bytes));
                try (Tensor fromNative = runtime.tensor(src, dtype, shape, Device.CPU)) {
                    assertArrayEquals(bytes, fromNative.toByteArray(), "native copy in");
                }
            }
            assertArrayEquals(bytes, t.data().toArray(ValueLayout.JAVA_BYTE), "zero-copy view");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypePassesThroughAModuleUnchanged(DType dtype) {
        byte[] bytes = sampleBytes(dtype, 6, 42 + dtype.ordinal());
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false);
             Tensor in = runtime.tensor(MemorySegment.ofArray(bytes), dtype, new long[] {6}, Device.CPU)) {
            Object out = m.call("forward", in);
            try (Tensor t = (Tensor) out) {
                assertEquals(dtype, t.dtype());
                assertArrayEquals(bytes, t.toByteArray());
            }
        }
    }

    @Test
    void typedArrayHelpersRoundTrip() {
        float[] floats = {1.5f, -2f, 3.25f, 0f};
        try (Tensor t = runtime.tensor(floats, 2, 2)) {
            assertArrayEquals(floats, t.toFloatArray());
        }
        long[] longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        try (Tensor t = runtime.tensor(longs, 4)) {
            assertArrayEquals(longs, t.toLongArray());
        }
        int[] ints = {Integer.MIN_VALUE, 7, Integer.MAX_VALUE};
        try (Tensor t = runtime.tensor(ints, 3)) {
            assertArrayEquals(ints, t.toIntArray());
        }
        try (Tensor t = runtime.tensor(new boolean[] {true, false, true}, 3)) {
            assertEquals(DType.BOOL, t.dtype());
            assertArrayEquals(new byte[] {1, 0, 1}, t.toByteArray());
        }
    }

    @Test
    void scalarAndEmptyTensors() {
        try (Tensor scalar = runtime.tensor(new float[] {4.5f})) {
            assertEquals(0, scalar.shape().length);
            assertEquals(1, scalar.numel());
            assertArrayEquals(new float[] {4.5f}, scalar.toFloatArray());
        }
        try (Tensor empty = runtime.tensor(new float[0], 0, 3)) {
            assertArrayEquals(new long[] {0, 3}, empty.shape());
            assertEquals(0, empty.toFloatArray().length);
        }
    }

    @Test
    void fourDimensionalImageSizedTensor() {
        float[] image = new float[3 * 64 * 64];
        for (int i = 0; i < image.length; i++) {
            image[i] = i * 0.5f;
        }
        try (Tensor t = runtime.tensor(image, 1, 3, 64, 64)) {
            assertArrayEquals(new long[] {1, 3, 64, 64}, t.shape());
            assertArrayEquals(image, t.toFloatArray());
        }
    }

    @Test
    void emptyTensorIsFilledInPlaceThroughItsDataView() {
        try (Tensor t = runtime.empty(DType.FLOAT32, new long[] {2, 2}, Device.CPU);
             TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false)) {
            MemorySegment data = t.data();
            for (int i = 0; i < 4; i++) {
                data.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            }
            try (Tensor plusOne = (Tensor) m.call("add_one", t)) {
                assertArrayEquals(new float[] {1, 2, 3, 4}, plusOne.toFloatArray(), "the module saw the in-place writes");
            }
        }
    }

    @Test
    void dtypeConversionMakesANewTensor() {
        try (Tensor f = runtime.tensor(new float[] {1.75f, -2.5f}, 2);
             Tensor bf = f.to(Device.CPU, DType.BFLOAT16);
             Tensor back = bf.to(Device.CPU, DType.FLOAT32);
             Tensor asLong = f.to(Device.CPU, DType.INT64)) {
            assertEquals(DType.BFLOAT16, bf.dtype());
            assertArrayEquals(new float[] {1.75f, -2.5f}, back.toFloatArray(), "exact in bfloat16");
            assertArrayEquals(new long[] {1, -2}, asLong.toLongArray());
            assertArrayEquals(new float[] {1.75f, -2.5f}, f.toFloatArray(), "source unchanged");
        }
    }

    @Test
    void nonContiguousTensorHasNoViewButCopiesOut() {
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false);
             Tensor in = runtime.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor t = (Tensor) m.call("transpose", in)) {
            assertArrayEquals(new long[] {3, 2}, t.shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray(), "copyTo makes it contiguous");
            PromptonceException e = assertThrows(PromptonceException.class, t::data);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("[3, 2]"), e.getMessage());
        }
    }

    @Test
    void shapesAreValidatedBeforeAnyDowncall() {
        PromptonceException tooFew = assertThrows(PromptonceException.class,
                () -> runtime.tensor(new float[5], 2, 3));
        assertEquals(ErrorCode.SHAPE_MISMATCH, tooFew.code());
        assertTrue(tooFew.getMessage().contains("20 bytes") && tooFew.getMessage().contains("[2, 3]")
                && tooFew.getMessage().contains("24"), tooFew.getMessage());

        PromptonceException negative = assertThrows(PromptonceException.class,
                () -> runtime.empty(DType.FLOAT32, new long[] {2, -1}, Device.CPU));
        assertEquals(ErrorCode.INVALID_ARGUMENT, negative.code());
        assertTrue(negative.getMessage().contains("negative dimension -1"), negative.getMessage());

        PromptonceException rank = assertThrows(PromptonceException.class,
                () -> runtime.empty(DType.FLOAT32, new long[17], Device.CPU));
        assertEquals(ErrorCode.INVALID_ARGUMENT, rank.code());
        assertTrue(rank.getMessage().contains("rank 17"), rank.getMessage());

        PromptonceException overflow = assertThrows(PromptonceException.class,
                () -> runtime.empty(DType.FLOAT32, new long[] {1L << 40, 1L << 40}, Device.CPU));
        assertEquals(ErrorCode.INVALID_ARGUMENT, overflow.code());

        try (Tensor t = runtime.tensor(new float[] {1, 2}, 2)) {
            PromptonceException wrongDst = assertThrows(PromptonceException.class,
                    () -> t.copyTo(MemorySegment.ofArray(new float[3])));
            assertEquals(ErrorCode.SHAPE_MISMATCH, wrongDst.code());
            PromptonceException wrongType = assertThrows(PromptonceException.class, t::toLongArray);
            assertEquals(ErrorCode.SHAPE_MISMATCH, wrongType.code());
            assertTrue(wrongType.getMessage().contains("FLOAT32") && wrongType.getMessage().contains("INT64"),
                    wrongType.getMessage());
        }
    }

    @Test
    void absurdAllocationIsOutOfMemoryNotACrash() {
        // 2^42 floats = 16 TiB: passes the Java overflow check, fails in the allocator.
        PromptonceException e = assertThrows(PromptonceException.class,
                () -> runtime.empty(DType.FLOAT32, new long[] {1L << 21, 1L << 21}, Device.CPU));
        assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), e.getMessage());
    }
}
