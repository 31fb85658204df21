package io.github.promptonce.runtime;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Turns a native status and its {@code po_error} into a {@link PromptonceException}. */
final class NativeStatus {
    private NativeStatus() {
    }

    /** A zeroed {@code po_error} in the call's confined arena. */
    static MemorySegment newError(Arena arena) {
        return arena.allocate(NativeBindings.PO_ERROR);
    }

    /** Throws when {@code status} is not PO_OK; the message is {@code context} then the native message. */
    static void check(int status, MemorySegment err, String context) {
        if (status != 0) {
            throw failure(status, err, context);
        }
    }

    static PromptonceException failure(int status, MemorySegment err, String context) {
        String nativeMessage = err.getString(4);
        ErrorCode code = ErrorCode.fromNative(status);
        String message = nativeMessage.isEmpty() ? context + " failed with " + code : context + ": " + nativeMessage;
        return new PromptonceException(code, message);
    }
}
