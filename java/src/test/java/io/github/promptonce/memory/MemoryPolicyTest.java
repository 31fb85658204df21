package io.github.promptonce.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Tables printed by the official {@code SAM2Base._prepare_memory_conditioned_features} (called on frame-tagged
 * memories by scripts/parity/memory_policy_tables.py): each case must select the same frames, temporal slots and
 * pointer positions, in the same order.
 */
class MemoryPolicyTest {

    private static Set<Integer> range(int fromInclusive, int toExclusive) {
        Set<Integer> s = new TreeSet<>();
        IntStream.range(fromInclusive, toExclusive).forEach(s::add);
        return s;
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    /** "(frame,cond,tposIndex)" triples as the official script prints them. */
    private static List<MemorySelection.Spatial> spatial(int... triples) {
        List<MemorySelection.Spatial> out = new ArrayList<>();
        for (int i = 0; i < triples.length; i += 3) {
            out.add(new MemorySelection.Spatial(triples[i], triples[i + 1] == 1, triples[i + 2]));
        }
        return out;
    }

    private static List<MemorySelection.Pointer> pointers(int... triples) {
        List<MemorySelection.Pointer> out = new ArrayList<>();
        for (int i = 0; i < triples.length; i += 3) {
            out.add(new MemorySelection.Pointer(triples[i], triples[i + 1] == 1, triples[i + 2]));
        }
        return out;
    }

    private static void check(MemorySelection actual, List<MemorySelection.Spatial> spatial,
                              List<MemorySelection.Pointer> pointers, int normaliser) {
        assertEquals(spatial, actual.spatial(), "spatial memories");
        assertEquals(pointers, actual.pointers(), "object pointers");
        assertEquals(normaliser, actual.pointerNormaliser(), "pointer position normaliser");
    }

    private static MemoryPolicy policy(int stride, int maxCond) {
        return new MemoryPolicy(new MemoryConfig(7, stride, 16, maxCond, true, true, true));
    }

    @Test
    void forward() {
        check(policy(1, -1).select(18, false, Set.of(10), range(11, 18), 30),
                spatial(10, 1, 6, 12, 0, 5, 13, 0, 4, 14, 0, 3, 15, 0, 2, 16, 0, 1, 17, 0, 0),
                pointers(10, 1, 8, 17, 0, 1, 16, 0, 2, 15, 0, 3, 14, 0, 4, 13, 0, 5, 12, 0, 6, 11, 0, 7), 15);
    }

    @Test
    void reverseAfterForwardUsesTheForwardPassMemories() {
        check(policy(1, -1).select(5, true, Set.of(10), union(range(6, 10), range(11, 26)), 30),
                spatial(10, 1, 6, 11, 0, 5, 9, 0, 3, 8, 0, 2, 7, 0, 1, 6, 0, 0),
                pointers(10, 1, 5, 6, 0, 1, 7, 0, 2, 8, 0, 3, 9, 0, 4, 11, 0, 6, 12, 0, 7, 13, 0, 8, 14, 0, 9,
                        15, 0, 10, 16, 0, 11, 17, 0, 12, 18, 0, 13, 19, 0, 14, 20, 0, 15), 15);
    }

    @Test
    void forwardWithStride3() {
        check(policy(3, -1).select(20, false, Set.of(0), range(1, 20), 40),
                spatial(0, 1, 6, 6, 0, 5, 9, 0, 4, 12, 0, 3, 15, 0, 2, 18, 0, 1, 19, 0, 0),
                pointers(0, 1, 20, 19, 0, 1, 18, 0, 2, 17, 0, 3, 16, 0, 4, 15, 0, 5, 14, 0, 6, 13, 0, 7, 12, 0, 8,
                        11, 0, 9, 10, 0, 10, 9, 0, 11, 8, 0, 12, 7, 0, 13, 6, 0, 14, 5, 0, 15), 15);
    }

    @Test
    void reverseWithStride2() {
        check(policy(2, -1).select(7, true, Set.of(19), range(8, 19), 20),
                spatial(19, 1, 6, 18, 0, 5, 16, 0, 4, 14, 0, 3, 12, 0, 2, 10, 0, 1, 8, 0, 0),
                pointers(19, 1, 12, 8, 0, 1, 9, 0, 2, 10, 0, 3, 11, 0, 4, 12, 0, 5, 13, 0, 6, 14, 0, 7, 15, 0, 8,
                        16, 0, 9, 17, 0, 10, 18, 0, 11), 15);
    }

    @Test
    void conditioningFramesAheadGiveSpatialMemoryButNoPointer() {
        check(policy(1, -1).select(20, false, Set.of(10, 40), range(11, 20), 50),
                spatial(10, 1, 6, 40, 1, 6, 14, 0, 5, 15, 0, 4, 16, 0, 3, 17, 0, 2, 18, 0, 1, 19, 0, 0),
                pointers(10, 1, 10, 19, 0, 1, 18, 0, 2, 17, 0, 3, 16, 0, 4, 15, 0, 5, 14, 0, 6, 13, 0, 7, 12, 0, 8,
                        11, 0, 9), 15);
        check(policy(1, -1).select(20, true, Set.of(10, 40), range(21, 40), 50),
                spatial(10, 1, 6, 40, 1, 6, 26, 0, 5, 25, 0, 4, 24, 0, 3, 23, 0, 2, 22, 0, 1, 21, 0, 0),
                pointers(40, 1, 20, 21, 0, 1, 22, 0, 2, 23, 0, 3, 24, 0, 4, 25, 0, 5, 26, 0, 6, 27, 0, 7, 28, 0, 8,
                        29, 0, 9, 30, 0, 10, 31, 0, 11, 32, 0, 12, 33, 0, 13, 34, 0, 14, 35, 0, 15), 15);
    }

    @Test
    void limitedConditioningFramesKeepTheClosestAndTreatOthersAsPlainMemories() {
        check(policy(1, 2).select(15, false, Set.of(0, 10, 20, 30), range(11, 15), 40),
                spatial(10, 1, 6, 20, 1, 6, 11, 0, 3, 12, 0, 2, 13, 0, 1, 14, 0, 0),
                pointers(10, 1, 5, 14, 0, 1, 13, 0, 2, 12, 0, 3, 11, 0, 4, 0, 1, 15), 15);
    }

    @Test
    void shortVideoNormalisesPointerPositionsByItsLength() {
        check(policy(1, -1).select(3, false, Set.of(0), Set.of(1, 2), 5),
                spatial(0, 1, 6, 1, 0, 1, 2, 0, 0),
                pointers(0, 1, 3, 2, 0, 1, 1, 0, 2), 4);
    }

    @Test
    void frameRightAfterThePrompt() {
        check(policy(1, -1).select(1, false, Set.of(0), Set.of(), 30),
                spatial(0, 1, 6), pointers(0, 1, 1), 15);
    }

    @Test
    void reachCoversTheFarthestSelectableFrame() {
        assertEquals(15, MemoryConfig.SAM2_1.reach(), "pointers reach 15 frames back");
        assertEquals(16, new MemoryConfig(7, 3, 16, -1, true, true, true).reach(), "stride 3: 5*3+1 spatial");
    }

    @Test
    void invalidCalls() {
        MemoryPolicy p = policy(1, -1);
        assertThrows(IllegalStateException.class, () -> p.select(3, false, Set.of(), Set.of(), 10));
        assertThrows(IllegalArgumentException.class, () -> p.select(10, false, Set.of(0), Set.of(), 10));
        assertThrows(IllegalArgumentException.class, () -> new MemoryConfig(7, 1, 16, 1, true, true, true));
    }
}
