package io.github.promptonce.cli;

/** Process exit codes of the promptonce command line (the same for every subcommand). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An internal error (a bug): the message says so; {@code --verbose} prints the stack trace. */
    public static final int INTERNAL = 1;
    /** Wrong usage: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** Input that cannot be read: missing file, corrupt or unsupported data ({@code VolumeFormatException}). */
    public static final int INPUT = 3;
    /** A model that cannot be used (reserved for the model-loading subcommands). */
    public static final int MODEL = 4;
    /** {@code eval} finished, but some volumes failed (listed in failures.csv and on stderr). */
    public static final int SOME_FAILED = 5;

    private ExitCodes() {
    }
}
