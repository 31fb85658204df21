package io.github.promptonce.base;

import java.util.Locale;

/**
 * Which LibTorch backend runs the models. One backend per JVM: a second, different backend is refused with a clear error.
 *
 * @see io.github.promptonce.runtime.TorchRuntimes#get(Backend)
 */
public enum Backend {
    /** promptonce's own native layer ({@code libpromptonce.so}) over a system or official LibTorch. */
    NATIVE("native"),
    /**
     * LibTorch from Maven Central through the JavaCPP PyTorch presets (module {@code promptonce-javacpp} on the
     * class path; no compiler or system LibTorch needed).
     */
    JAVACPP("javacpp"),
    /**
     * The backend this JVM already loaded if any; otherwise the native layer when its library loads, else JavaCPP.
     */
    AUTO("auto");

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    /** The lower-case name used on command lines and in messages: {@code native}, {@code javacpp}, {@code auto}. */
    public String id() {
        return id;
    }

    /** Parses {@code native}, {@code javacpp} or {@code auto} (case-insensitive). */
    public static Backend parse(String text) {
        if (text != null) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Backend b : values()) {
                if (b.id.equals(t)) {
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("invalid backend '" + text + "' (expected native, javacpp or auto)");
    }

    @Override
    public String toString() {
        return id;
    }
}
