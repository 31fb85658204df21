package io.github.promptonce.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A slow SSE client never blocks the publisher: progress is dropped, announcements are kept or a resync is sent. */
class EventChannelTest {
    private static EventChannel.Event progress(int k) {
        return new EventChannel.Event(EventChannel.PROGRESS, "{\"slice\":" + k + "}");
    }

    @Test
    void aFullChannelDropsProgressButKeepsTheEnd() throws Exception {
        EventChannel c = new EventChannel(4);
        long start = System.nanoTime();
        for (int k = 0; k < 10_000; k++) {
            c.offer(progress(k)); // nobody reads: must not wait
        }
        c.offer(new EventChannel.Event("done", "{}"));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "offering never waits for the reader");
        assertEquals(4, c.size());
        assertEquals(10_000 - 3, c.dropped());
        String last = null;
        for (EventChannel.Event e; (e = c.poll(10)) != null; ) {
            last = e.name();
        }
        assertEquals("done", last, "the end of the propagation is delivered");
    }

    @Test
    void tooManyAnnouncementsAskTheClientToResync() throws Exception {
        EventChannel c = new EventChannel(2);
        for (int i = 0; i < 5; i++) {
            c.offer(new EventChannel.Event("done", "{\"n\":" + i + "}"));
        }
        assertEquals("resync", c.poll(10).name());
        assertEquals("{\"n\":4}", c.poll(10).data());
        assertNull(c.poll(10));
        c.close();
        c.offer(new EventChannel.Event("done", "{}"));
        assertNull(c.poll(10), "a closed channel takes nothing");
    }
}
