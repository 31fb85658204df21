package io.github.promptonce.runtime;

import java.lang.ref.Cleaner;

/**
 * An owned handle of a runtime backend (a native pointer, a JavaCPP object, ...): close is idempotent and releases
 * it once; any other use after close throws {@link IllegalStateException}. A handle that is never closed is released
 * when it becomes unreachable (a safety net: close handles explicitly). Shared by the backends so that they all
 * follow the same lifetime rules.
 *
 * @param <H> the backend's handle type
 */
public abstract class RuntimeHandle<H> implements AutoCloseable {
    /** Releases handles that were never closed. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final String kind;
    private final H handle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /**
     * @param kind    what the handle is, for messages ({@code tensor}, {@code module}, {@code stream})
     * @param handle  the backend's handle
     * @param release frees the handle; it must not refer to this object (or it would never become unreachable)
     */
    protected RuntimeHandle(String kind, H handle, Runnable release) {
        this.kind = kind;
        this.handle = handle;
        this.cleanable = CLEANER.register(this, release);
    }

    /** The backend's handle, for a call into it; throws {@link IllegalStateException} if closed. */
    protected final H handle() {
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
