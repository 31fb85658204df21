package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;

import java.util.List;

/**
 * A loaded TorchScript module on one device. Thread-safe: many threads may call methods at once. Close when done
 * (idempotent; other use after close throws {@link IllegalStateException}); no call may be in flight then.
 *
 * <p>Arguments of {@link #call}: {@link Tensor}; {@link Integer} / {@link Long} (TorchScript int); {@link Float}
 * / {@link Double} (float); {@link Boolean}; {@code null} (None); a {@link List} of tensors (List[Tensor]);
 * {@code long[]} or {@code int[]} (List[int]). Results: {@link Tensor}, {@link List} (for tuples and lists, of
 * results), {@link Long}, {@link Double}, {@link Boolean} or {@code null}. Every tensor in a result is owned by
 * the caller: {@link Values#closeAll(Object)} closes a whole result.
 */
public interface TorchModule extends AutoCloseable {

    Device device();

    /** Method names, forward included when defined, in a stable order. */
    List<String> methods();

    /** A tensor attribute (buffer, parameter or constant) of the module; a new tensor owned by the caller. */
    Tensor attribute(String name);

    /** Calls {@code method} under inference mode. */
    Object call(String method, Object... args);

    /** Calls {@code method} on a CUDA stream (null = the current stream). */
    Object callOn(Stream stream, String method, Object... args);

    boolean isClosed();

    @Override
    void close();
}
