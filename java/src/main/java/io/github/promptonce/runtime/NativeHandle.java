package io.github.promptonce.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * An owned native handle: close is idempotent and frees it once; any other use after close throws
 * {@link IllegalStateException}. A handle that is never closed is freed when it becomes unreachable.
 */
abstract class NativeHandle implements AutoCloseable {
    private final String kind;
    private final MemorySegment handle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** {@code release} frees the handle; it must not refer to this object (or it would never become unreachable). */
    NativeHandle(String kind, MemorySegment handle, Runnable release) {
        this.kind = kind;
        this.handle = handle;
        this.cleanable = NativeRuntime.CLEANER.register(this, release);
    }

    /** The raw handle, for a downcall; throws if closed. */
    final MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException(kind + " is closed");
        }
        return handle;
    }

    public final boolean isClosed() {
        return closed;
    }

    public final void close() {
        if (!closed) {
            closed = true;
            cleanable.clean(); // runs the release action at most once, whoever calls it
        }
    }
}
