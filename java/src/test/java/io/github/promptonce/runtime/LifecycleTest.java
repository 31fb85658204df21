package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {
    private final TorchRuntime runtime = TestBackend.runtime();

    @Test
    void doubleCloseIsHarmless() {
        Tensor t = runtime.tensor(new float[] {1}, 1);
        TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false);
        assertFalse(t.isClosed());
        t.close();
        assertDoesNotThrow(t::close);
        m.close();
        assertDoesNotThrow(m::close);
        assertTrue(t.isClosed() && m.isClosed());
    }

    @Test
    void tensorUseAfterCloseThrows() {
        Tensor t = runtime.tensor(new float[] {1, 2}, 2);
        t.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::shape);
        assertTrue(e.getMessage().contains("tensor is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, t::toFloatArray);
        assertThrows(IllegalStateException.class, t::data);
        assertThrows(IllegalStateException.class, () -> t.to(Device.CPU));
    }

    @Test
    void moduleUseAfterCloseThrows() {
        TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false);
        m.close();
        try (Tensor x = runtime.tensor(new float[] {1}, 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.call("add_one", x));
            assertTrue(e.getMessage().contains("module is closed"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, m::methods);
        assertThrows(IllegalStateException.class, () -> m.attribute("weights"));
    }

    @Test
    void closedTensorAsArgumentThrows() {
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false)) {
            Tensor x = runtime.tensor(new float[] {1}, 1);
            x.close();
            assertThrows(IllegalStateException.class, () -> m.call("add_one", x));
            assertThrows(IllegalStateException.class, () -> m.call("forward", List.of(x)));
        }
    }

    @Test
    void dataViewDiesWithItsTensor() {
        Tensor t = runtime.tensor(new float[] {7, 8}, 2);
        MemorySegment view = t.data();
        view.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 9f);
        assertTrue(t.toFloatArray()[0] == 9f, "writes through the view reach the tensor");
        t.close();
        // the view's scope is closed with the tensor: an access throws instead of reading freed memory
        assertThrows(IllegalStateException.class, () -> view.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
    }
}
