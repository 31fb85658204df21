package io.github.promptonce;

import java.util.Objects;

/**
 * The one exception type of promptonce's runtime: a {@link ErrorCode} plus a message that names the offending
 * value and what was expected. When the error came from LibTorch, the message ends with LibTorch's own text.
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
