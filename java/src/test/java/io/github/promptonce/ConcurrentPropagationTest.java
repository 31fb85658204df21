package io.github.promptonce;

import io.github.promptonce.base.Backend;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segmenter's thread-safety promise in its default mode: propagations running at once from several threads,
 * each encoding ahead on a runtime thread, give exactly what each gives alone — no pass changes a thread count
 * another pass runs with (counts are set per thread, never process-wide).
 */
class ConcurrentPropagationTest {
    private static final SliceSource VOLUME = TestModels.phantom(96, 80, 12);
    private static Segmenter sam2;

    @BeforeAll
    static void load() {
        sam2 = Segmenter.load(TestModels.dir("test-tiny"));
    }

    @AfterAll
    static void close() {
        sam2.close();
    }

    /** Four different propagations (prompts, modes, a session with a correction), encode-ahead on. */
    private static List<Supplier<VolumeSegmentation>> jobs() {
        PropagationOptions ahead = PropagationOptions.defaults().withEncodeAhead(true);
        return List.of(
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, Prompt.point(40, 40))), ahead),
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 3, Prompt.point(30, 40)),
                        new ObjectPrompt(2, 3, Prompt.point(70, 30))), ahead),
                () -> sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 8, Prompt.box(40, 20, 80, 60))),
                        ahead.withMode(PropagationMode.HALVES)),
                () -> {
                    try (SegmentationSession s = sam2.session(VOLUME)) {
                        s.prompt(1, 5, Prompt.point(45, 40));
                        s.propagate(ahead);
                        s.prompt(1, 9, Prompt.point(60, 40).with(new Prompt.Point(20, 20, false)));
                        return copy(s.propagateFrom(9, ahead));
                    }
                });
    }

    /** A session's result is live; keep what it held when the job ended. */
    private static VolumeSegmentation copy(VolumeSegmentation v) {
        VolumeSegmentation out = new VolumeSegmentation(v.width(), v.height(), v.sliceCount());
        for (int id : v.objectIds()) {
            for (int k = 0; k < v.sliceCount(); k++) {
                if (v.result(id, k) != null) {
                    out.put(id, k, v.result(id, k));
                }
            }
        }
        return out;
    }

    @Test
    void fourPropagationsAtOnceWithEncodeAheadEachEqualToItsRunAlone() throws Exception {
        assertTrue(sam2.threads() >= 2, "encode-ahead needs >= 2 threads to split; the segmenter has "
                + sam2.threads() + " (run on a machine with 2 or more cores)");
        List<Supplier<VolumeSegmentation>> jobs = jobs();
        List<VolumeSegmentation> alone = new ArrayList<>();
        for (Supplier<VolumeSegmentation> job : jobs) {
            alone.add(job.get());
        }
        TorchRuntime runtime = TorchRuntimes.get(Backend.AUTO);
        int processDefault = threadsOnAFreshThread(runtime);
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<VolumeSegmentation>> futures = new ArrayList<>();
            for (Supplier<VolumeSegmentation> job : jobs) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return job.get();
                }));
            }
            start.countDown();
            for (int j = 0; j < jobs.size(); j++) {
                VolumeSegmentation together = futures.get(j).get(5, TimeUnit.MINUTES);
                VolumeSegmentation expected = alone.get(j);
                assertEquals(expected.objectIds(), together.objectIds(), "job " + j);
                for (int id : expected.objectIds()) {
                    assertEquals(expected.slicesSegmented(id), together.slicesSegmented(id), "job " + j);
                    for (int k = 0; k < VOLUME.sliceCount(); k++) {
                        SliceResult e = expected.result(id, k);
                        SliceResult t = together.result(id, k);
                        String where = "job " + j + " object " + id + " slice " + k;
                        assertEquals(e == null, t == null, where);
                        if (e != null) {
                            assertArrayEquals(e.lowResLogits(), t.lowResLogits(), where);
                            assertEquals(e.objectScore(), t.objectScore(), where);
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(processDefault, threadsOnAFreshThread(runtime), "the process-wide count never changed");
        assertEquals(TorchRuntimes.processThreads(), processDefault);
    }

    @Test
    void theCallersThreadCountIsRestoredAfterAPass() throws Exception {
        TorchRuntime runtime = TorchRuntimes.get(Backend.AUTO);
        int before = runtime.threads();
        sam2.propagate(VOLUME, List.of(new ObjectPrompt(1, 6, Prompt.point(40, 40))),
                PropagationOptions.defaults().withEncodeAhead(true));
        assertEquals(before, runtime.threads());
    }

    /** The count a thread that never set its own starts with: the process-wide default. */
    private static int threadsOnAFreshThread(TorchRuntime runtime) throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            return one.submit(runtime::threads).get();
        } finally {
            one.shutdown();
        }
    }
}
