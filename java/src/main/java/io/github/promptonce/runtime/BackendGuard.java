package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.util.Optional;

/**
 * One LibTorch backend per JVM. The backends bring different LibTorch builds (the native layer links the system's or
 * an official LibTorch; JavaCPP bundles its own), and two LibTorch builds in one process crash it: their
 * {@code libc10.so} / {@code libtorch_cpu.so} share sonames and global registries. Each backend therefore
 * {@linkplain #claim claims} the JVM before it loads any native code; a second, different backend then gets a
 * {@link PromptonceException} ({@code NATIVE_LIBRARY}) naming both instead of a crash.
 *
 * <p>The claim is recorded in a system property ({@value #PROPERTY}), so it also holds across class loaders (two
 * copies of promptonce in one JVM, e.g. plugins). Set only by this class; never set it yourself.
 */
public final class BackendGuard {
    /** The system property holding the id of the backend that owns this JVM. */
    public static final String PROPERTY = "promptonce.runtime.claimed-backend";

    private BackendGuard() {
    }

    /**
     * Claims this JVM for {@code backend} before it loads native code. Idempotent for the same backend; throws
     * {@code NATIVE_LIBRARY} when another backend holds the JVM.
     */
    public static void claim(Backend backend) {
        requireConcrete(backend);
        Object previous = System.getProperties().putIfAbsent(PROPERTY, backend.id());
        if (previous != null && !previous.equals(backend.id())) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot load the " + backend.id()
                    + " LibTorch backend (" + describe(backend.id()) + "): this JVM already loaded the " + previous
                    + " backend (" + describe(previous.toString()) + "). Two LibTorch builds in one process crash it,"
                    + " so promptonce runs one backend per JVM: keep using the " + previous + " backend in this JVM"
                    + " (or Backend.AUTO, which picks it), or run the " + backend.id() + " and " + previous
                    + " backends in separate JVMs.");
        }
    }

    /**
     * Gives back a claim of {@code backend}; only for a backend whose loading failed before any of its native code
     * was loaded (so that another backend may still be tried). No effect when the JVM is not claimed by it.
     */
    public static void release(Backend backend) {
        requireConcrete(backend);
        System.getProperties().remove(PROPERTY, backend.id());
    }

    /** The backend that holds this JVM, if any. */
    public static Optional<Backend> claimed() {
        Object value = System.getProperties().get(PROPERTY);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Backend.parse(value.toString()));
        } catch (IllegalArgumentException e) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "system property " + PROPERTY + " holds '"
                    + value + "', which is not a backend; it is promptonce's own record: do not set it");
        }
    }

    private static void requireConcrete(Backend backend) {
        if (backend == null || backend == Backend.AUTO) {
            throw new IllegalArgumentException("a concrete backend (native or javacpp) claims the JVM, not " + backend);
        }
    }

    private static String describe(String id) {
        return switch (id) {
            case "native" -> "libpromptonce.so over the system or an official LibTorch";
            case "javacpp" -> "the LibTorch bundled in the JavaCPP PyTorch presets";
            default -> "unknown backend";
        };
    }
}
