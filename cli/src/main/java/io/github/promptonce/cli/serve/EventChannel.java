package io.github.promptonce.cli.serve;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The events waiting for one SSE client, bounded so that a slow client never blocks the propagation that
 * publishes them: when full, a {@code progress} event is dropped (the next one says as much), and any other event
 * pushes out a queued progress event — or, when there is none, the client is told to {@code resync} (re-fetch the
 * state; events only announce changes, the state itself is always fetched).
 */
final class EventChannel {
    /** One server-sent event: its name and JSON data. */
    record Event(String name, String data) {
    }

    static final String PROGRESS = "progress";
    private final int capacity;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private boolean overflowed;
    private long dropped;
    private boolean closed;

    EventChannel(int capacity) {
        this.capacity = capacity;
    }

    /** Queues {@code e} without ever waiting. */
    synchronized void offer(Event e) {
        if (closed) {
            return;
        }
        if (queue.size() >= capacity) {
            if (e.name().equals(PROGRESS)) {
                dropped++;
                return;
            }
            if (!removeOneProgress()) {
                queue.clear();
                overflowed = true;
            }
        }
        queue.add(e);
        notifyAll();
    }

    private boolean removeOneProgress() {
        for (Iterator<Event> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().name().equals(PROGRESS)) {
                it.remove();
                dropped++;
                return true;
            }
        }
        return false;
    }

    /** The next event, a {@code resync} after an overflow, or null after {@code timeoutMillis} or when closed. */
    synchronized Event poll(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (queue.isEmpty() && !overflowed && !closed) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        if (overflowed) {
            overflowed = false;
            return new Event("resync", "{\"reason\":\"the client fell behind; fetch the state again\"}");
        }
        return queue.poll();
    }

    /** How many progress events were dropped for this client so far. */
    synchronized long dropped() {
        return dropped;
    }

    synchronized int size() {
        return queue.size();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
