package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;

/** A CUDA stream from LibTorch's pool. One thread at a time; close when done (idempotent). */
public interface Stream extends AutoCloseable {

    Device device();

    /** Waits until all work queued on this stream has finished. */
    void synchronize();

    boolean isClosed();

    @Override
    void close();
}
