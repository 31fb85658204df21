package io.github.promptonce.base;

import java.util.Objects;

/**
 * What callers catch for every library error: an {@link ErrorCode} plus a one-line message that names the offending
 * value and what was expected. When the error came from LibTorch, the message ends with LibTorch's own text.
 * Unreadable input files are its subclass {@code io.github.promptonce.volume.VolumeFormatException}
 * ({@link ErrorCode#BAD_INPUT}). Wrong arguments to a method (a negative size, a point outside the slice, a closed
 * object) are {@link IllegalArgumentException} / {@link IllegalStateException}, as documented on each method.
 */
public class PromptonceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public PromptonceException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public PromptonceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
