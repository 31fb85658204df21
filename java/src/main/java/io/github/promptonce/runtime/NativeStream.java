package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A {@code po_stream} handle. */
final class NativeStream extends NativeHandle implements Stream {
    private final Device device;

    NativeStream(MemorySegment handle, Device device) {
        super("stream", handle, new Release(handle));
        this.device = device;
    }

    private record Release(MemorySegment handle) implements Runnable {
        @Override
        public void run() {
            NativeBindings.streamFree(handle);
        }
    }

    static MemorySegment handleOf(Stream stream) {
        if (stream instanceof NativeStream n) {
            return n.handle();
        }
        throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "stream " + stream.getClass().getName()
                + " is not a stream of the native backend");
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public void synchronize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            NativeStatus.check(NativeBindings.streamSynchronize(handle(), err), err, "synchronising a stream on "
                    + device);
        }
    }
}
