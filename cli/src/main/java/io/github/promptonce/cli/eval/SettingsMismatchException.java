package io.github.promptonce.cli.eval;

/** A rerun into a results directory whose finished results were made with other settings ({@code run.properties}). */
public final class SettingsMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    SettingsMismatchException(String message) {
        super(message);
    }
}
