package io.github.promptonce.runtime;

import java.lang.foreign.MemorySegment;

/** A handle of the native backend: a pointer returned by {@code libpromptonce} (see {@link RuntimeHandle}). */
abstract class NativeHandle extends RuntimeHandle<MemorySegment> {

    /** {@code release} frees the handle; it must not refer to this object (or it would never become unreachable). */
    NativeHandle(String kind, MemorySegment handle, Runnable release) {
        super(kind, handle, release);
    }
}
