package io.github.promptonce;

import io.github.promptonce.volume.Slice;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SliceSourceTest {
    private static final Slice FOUR_BY_THREE = new Slice(4, 3, new float[12]);

    @Test
    void aGeneratedSourceHandsOutItsSlices() {
        SliceSource s = SliceSource.of(4, 3, 5, k -> FOUR_BY_THREE);
        assertEquals(4, s.width());
        assertEquals(3, s.height());
        assertEquals(5, s.sliceCount());
        assertSame(FOUR_BY_THREE, s.slice(4));
    }

    @Test
    void badSizesIndicesAndImagesAreNamed() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> SliceSource.of(4, 0, 5, k -> FOUR_BY_THREE));
        assertEquals("a slice source needs width, height and slice count >= 1, got 4x0x5", size.getMessage());
        SliceSource s = SliceSource.of(4, 3, 5, k -> k == 2 ? new Slice(3, 4, new float[12]) : FOUR_BY_THREE);
        assertEquals("slice 5 outside 0..4",
                assertThrows(IllegalArgumentException.class, () -> s.slice(5)).getMessage());
        assertEquals("slice -1 outside 0..4",
                assertThrows(IllegalArgumentException.class, () -> s.slice(-1)).getMessage());
        assertEquals("slice 2 is 3x4, the source's slices are 4x3",
                assertThrows(IllegalStateException.class, () -> s.slice(2)).getMessage());
        SliceSource nulls = SliceSource.of(4, 3, 1, k -> null);
        assertEquals("slice 0", assertThrows(NullPointerException.class, () -> nulls.slice(0)).getMessage());
    }
}
