package io.github.promptonce.sam;

import io.github.promptonce.memory.MemoryConfig;
import io.github.promptonce.memory.MemorySelection;
import io.github.promptonce.runtime.TestBackend;
import io.github.promptonce.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryStateTest {
    private static final TorchRuntime RUNTIME = TestBackend.runtime();

    private static FrameMemory memory(float score) {
        return new FrameMemory(RUNTIME.tensor(new float[] {score}, 1), RUNTIME.tensor(new float[] {score}, 1),
                RUNTIME.tensor(new float[] {score}, 1), score, 1f);
    }

    /** Tracks frames from..to (inclusive, either direction) in both banks, comparing every selection. */
    private static int track(MemoryState bounded, MemoryState all, int from, int to, int maxHeld) {
        boolean reverse = to < from;
        int step = reverse ? -1 : 1;
        int peak = 0;
        for (int f = from; f != to + step; f += step) {
            if (bounded.isConditioning(f)) {
                continue; // conditioning frames reuse their stored output
            }
            MemorySelection expected = all.select(f, reverse);
            assertEquals(expected, bounded.select(f, reverse), "selection at frame " + f);
            for (MemorySelection.Spatial s : expected.spatial()) {
                bounded.get(s.frame(), s.conditioning()); // throws if pruned
            }
            bounded.putTracked(f, memory(f));
            all.putTracked(f, memory(f));
            peak = Math.max(peak, bounded.heldFrames());
        }
        assertTrue(peak <= maxHeld, "bank held " + peak + " frames, bound " + maxHeld);
        return peak;
    }

    @Test
    void bothModeBoundedBankSelectsExactlyWhatTheOfficialStoreWould() {
        int frames = 300;
        int seed = 150;
        try (MemoryState bounded = new MemoryState(MemoryConfig.SAM2_1, frames, false);
             MemoryState all = new MemoryState(MemoryConfig.SAM2_1, frames, true)) {
            bounded.putConditioning(seed, memory(1));
            all.putConditioning(seed, memory(1));
            int reach = MemoryConfig.SAM2_1.reach();
            // forward to the end, then reverse from the seed through the same store
            track(bounded, all, seed, frames - 1, 1 + 3 * (reach + 1));
            track(bounded, all, seed, 0, 1 + 3 * (reach + 1));
            assertEquals(frames, all.heldFrames(), "the unbounded store keeps every frame");
            assertTrue(bounded.heldFrames() <= 1 + 3 * (reach + 1), "bounded after the run: " + bounded.heldFrames());
        }
    }

    @Test
    void strideAndSeveralPromptsStayExact() {
        MemoryConfig stride3 = new MemoryConfig(7, 3, 16, -1, true, true, true);
        try (MemoryState bounded = new MemoryState(stride3, 200, false);
             MemoryState all = new MemoryState(stride3, 200, true)) {
            for (int c : new int[] {20, 120}) {
                bounded.putConditioning(c, memory(1));
                all.putConditioning(c, memory(1));
            }
            int bound = 2 + 5 * (stride3.reach() + 1);
            track(bounded, all, 20, 199, bound);
            track(bounded, all, 20, 0, bound);
        }
    }

    @Test
    void conditioningOutputReplacesATrackedOne() {
        try (MemoryState bank = new MemoryState(MemoryConfig.SAM2_1, 10, false)) {
            bank.putConditioning(5, memory(1));
            bank.putTracked(6, memory(2));
            bank.putConditioning(6, memory(3));
            assertEquals(java.util.Set.of(5, 6), bank.conditioningFrames());
            assertEquals(3f, bank.get(6).objectScore());
            assertThrows(IllegalStateException.class, () -> bank.putTracked(6, memory(4)));
        }
    }

    @Test
    void closedBankAndBadFrames() {
        MemoryState bank = new MemoryState(MemoryConfig.SAM2_1, 10, false);
        assertThrows(IllegalArgumentException.class, () -> bank.putConditioning(10, memory(0)));
        assertThrows(IllegalStateException.class, () -> bank.select(3, false), "no conditioning frame yet");
        bank.close();
        bank.close();
        assertTrue(bank.isClosed());
        assertThrows(IllegalStateException.class, bank::heldFrames);
        assertThrows(IllegalArgumentException.class, () -> new MemoryState(MemoryConfig.SAM2_1, 0, false));
    }
}
