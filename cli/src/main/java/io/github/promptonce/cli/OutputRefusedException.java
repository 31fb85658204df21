package io.github.promptonce.cli;

/** An output path the command will not write (an input, an existing file without --overwrite): exit 2. */
public final class OutputRefusedException extends RuntimeException {
    public OutputRefusedException(String message) {
        super(message);
    }
}
