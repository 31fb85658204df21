package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleCallTest {
    private static final TorchRuntime RUNTIME = TestBackend.runtime();
    private static TorchModule kinds;
    private static TorchModule basics;

    @BeforeAll
    static void load() {
        kinds = RUNTIME.load(Fixtures.path("kinds.pt"), Device.CPU, false);
        basics = RUNTIME.load(Fixtures.path("basics.pt"), Device.CPU, false);
    }

    @AfterAll
    static void close() {
        kinds.close();
        basics.close();
    }

    @Test
    void listsEveryMethod() {
        assertTrue(basics.methods().containsAll(List.of("forward", "add_one", "transpose", "scale", "matmul", "fails")),
                basics.methods().toString());
        assertTrue(kinds.methods().containsAll(List.of("forward", "nothing", "text", "nested")), kinds.methods().toString());
        assertEquals(basics.methods(), basics.methods(), "stable order");
        assertEquals(Device.CPU, basics.device());
    }

    @Test
    void everyArgumentAndResultKind() {
        try (Tensor t = RUNTIME.tensor(new float[] {1, 2, 3}, 3);
             Tensor a = RUNTIME.tensor(new float[] {10}, 1);
             Tensor b = RUNTIME.tensor(new float[] {20, 30}, 2)) {
            Object result = kinds.call("forward", t, 5L, 0.5, true, null, List.of(a, b), new long[] {1, 2, 3});
            try {
                List<?> tuple = assertInstanceOf(List.class, result);
                assertEquals(6, tuple.size());
                assertArrayEquals(new float[] {0.5f, 1f, 1.5f}, ((Tensor) tuple.get(0)).toFloatArray());
                List<?> shifted = assertInstanceOf(List.class, tuple.get(1));
                assertArrayEquals(new float[] {15}, ((Tensor) shifted.get(0)).toFloatArray());
                assertArrayEquals(new float[] {25, 35}, ((Tensor) shifted.get(1)).toFloatArray());
                assertEquals(11L, tuple.get(2), "5 + 1 + 2 + 3");
                assertEquals(1.0, tuple.get(3));
                assertEquals(false, tuple.get(4));
                assertEquals(true, tuple.get(5), "None reached the module as None");
            } finally {
                Values.closeAll(result);
            }
        }
    }

    @Test
    void integerBoxesAndIntArraysAreAccepted() {
        try (Tensor t = RUNTIME.tensor(new float[] {2}, 1)) {
            Object result = kinds.call("forward", t, 1, 2.0f, false, t, List.of(), new int[] {4});
            try {
                List<?> tuple = (List<?>) result;
                assertEquals(5L, tuple.get(2));
                assertEquals(false, tuple.get(5), "an optional tensor was given");
                assertEquals(0, ((List<?>) tuple.get(1)).size(), "empty tensor list");
            } finally {
                Values.closeAll(result);
            }
        }
    }

    @Test
    void noneAndNestedResults() {
        assertNull(kinds.call("nothing"));
        try (Tensor x = RUNTIME.tensor(new float[] {3}, 1)) {
            Object result = kinds.call("nested", x);
            try {
                List<?> outer = (List<?>) result;
                List<?> first = (List<?>) outer.get(0);
                assertArrayEquals(new float[] {3}, ((Tensor) first.get(0)).toFloatArray());
                assertEquals(7L, first.get(1));
                List<?> second = (List<?>) outer.get(1);
                assertArrayEquals(new float[] {6}, ((Tensor) second.get(1)).toFloatArray());
            } finally {
                Values.closeAll(result);
            }
        }
    }

    @Test
    void resultTensorsOutliveTheirInputsAndEachOther() {
        Tensor out;
        try (Tensor x = RUNTIME.tensor(new float[] {1, 2}, 2)) {
            out = (Tensor) basics.call("add_one", x);
        }
        try (Tensor same = out) {
            assertArrayEquals(new float[] {2, 3}, same.toFloatArray());
        }
    }

    @Test
    void tensorAttribute() {
        try (Tensor w = basics.attribute("weights")) {
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, w.toFloatArray());
        }
    }

    @Test
    void optimizedLoadKeepsEveryMethodAndResult() {
        try (TorchModule optimized = RUNTIME.load(Fixtures.path("basics.pt"), Device.CPU, true);
             Tensor x = RUNTIME.tensor(new float[] {1, 2, 3, 4}, 2, 2);
             Tensor plain = (Tensor) basics.call("scale", x, 3.0);
             Tensor fast = (Tensor) optimized.call("scale", x, 3.0)) {
            assertTrue(optimized.methods().contains("scale"), optimized.methods().toString());
            assertArrayEquals(plain.toFloatArray(), fast.toFloatArray());
        }
    }
}
