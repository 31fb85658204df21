package io.github.promptonce;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptsTest {

    private static boolean[] mask(String... rows) {
        int w = rows[0].length();
        boolean[] m = new boolean[w * rows.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < w; x++) {
                m[y * w + x] = rows[y].charAt(x) == '#';
            }
        }
        return m;
    }

    @Test
    void twoLungsGiveTwoPositivesANegativeBetweenAndTheBox() {
        boolean[] m = mask(
                "..........",
                ".##....##.",
                ".##....##.",
                ".##....##.",
                "..........");
        Prompt p = Prompts.fromMask(m, 10, 5);
        assertEquals(List.of(new Prompt.Point(2.0, 2.5, true), new Prompt.Point(8.0, 2.5, true),
                new Prompt.Point(5.0, 2.5, false)), p.points(), "centres of mass of pixels 1-2 and 7-8, rows 1-3");
        assertEquals(new Prompt.Box(1, 1, 9, 4), p.box());
    }

    @Test
    void centroidOutsideACrescentMovesToItsNearestPixel() {
        boolean[] m = mask(
                "#####",
                "#....",
                "#....",
                "#....",
                "#####");
        Prompt p = Prompts.fromMask(m, 5, 5);
        Prompt.Point pos = p.points().get(0);
        int x = (int) pos.x();
        int y = (int) pos.y();
        assertTrue(m[y * 5 + x], "positive point on the object: " + pos);
        assertEquals(new Prompt.Point(2.5, 2.5, false), p.points().get(1), "bbox centre is background");
    }

    @Test
    void negativePointIsDroppedWhenItWouldLieOnTheObject() {
        boolean[] m = mask("###", "###", "###");
        Prompt p = Prompts.fromMask(m, 3, 3);
        assertEquals(List.of(new Prompt.Point(1.5, 1.5, true)), p.points());
        assertEquals(new Prompt.Box(0, 0, 3, 3), p.box());
    }

    @Test
    void diagonalPixelsAreOneComponent() {
        boolean[] m = mask("#..", ".#.", "..#");
        assertEquals(1, Prompts.fromMask(m, 3, 3).points().stream().filter(Prompt.Point::positive).count());
    }

    @Test
    void badMasksAndPromptsAreRejectedWithTheirValues() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Prompts.fromMask(new boolean[4], 2, 2));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> Prompts.fromMask(new boolean[5], 2, 2));
        assertTrue(size.getMessage().contains("5 pixels") && size.getMessage().contains("2x2"), size.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> Prompt.point(Double.NaN, 1));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        IllegalArgumentException unordered = assertThrows(IllegalArgumentException.class, () -> Prompt.box(5, 0, 1, 3));
        assertTrue(unordered.getMessage().contains("not ordered"), unordered.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> Prompt.point(11, 2).requireInside(10, 10));
        assertTrue(outside.getMessage().contains("(11.0,2.0)") && outside.getMessage().contains("10x10"),
                outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Prompt(List.of(), null));
    }
}
