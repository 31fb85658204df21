package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The one entry point that picks a LibTorch backend: {@link #get(Backend)}. The native backend is in this jar; other
 * backends (JavaCPP) are found through {@link TorchRuntimeProvider} when their jar is on the class path. One backend
 * per JVM ({@link BackendGuard}). The choice and the LibTorch version are logged once per JVM (System.Logger
 * {@code io.github.promptonce.runtime.TorchRuntimes}, level INFO). The process-wide thread counts are set here,
 * once per runtime, to {@link #processThreads()}; nothing changes them afterwards.
 */
public final class TorchRuntimes {
    private static final System.Logger LOG = System.getLogger(TorchRuntimes.class.getName());
    private static final Set<Backend> LOGGED = java.util.EnumSet.noneOf(Backend.class);
    private static final Set<TorchRuntime> STARTED = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private TorchRuntimes() {
    }

    /**
     * The runtime of {@code backend}, loading it on first use. {@link Backend#AUTO} returns the backend this JVM
     * already loaded, if any; otherwise the native backend when its library loads, else the JavaCPP backend when
     * its jar is present. Throws {@code NATIVE_LIBRARY} when the backend cannot be loaded (with every reason), or
     * when another backend already holds this JVM.
     */
    public static TorchRuntime get(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return switch (backend) {
            case NATIVE -> chosen(NativeRuntime.get(), backend, null);
            case JAVACPP -> chosen(provided(Backend.JAVACPP), backend, null);
            case AUTO -> auto();
        };
    }

    /** {@link #get(Backend)} for a backend name: {@code native}, {@code javacpp} or {@code auto}. */
    public static TorchRuntime get(String backend) {
        return get(Backend.parse(backend));
    }

    /** Whether a jar providing {@code backend} is on the class path (the native backend always is). */
    public static boolean isPresent(Backend backend) {
        return backend == Backend.NATIVE || backend == Backend.AUTO || findProvider(backend) != null;
    }

    private static TorchRuntime auto() {
        var claimed = BackendGuard.claimed();
        if (claimed.isPresent()) {
            return chosen(get(claimed.get()), Backend.AUTO, "the backend this JVM already loaded");
        }
        PromptonceException nativeFailure;
        try {
            return chosen(NativeRuntime.get(), Backend.AUTO, "its library loads");
        } catch (PromptonceException e) {
            if (e.code() != ErrorCode.NATIVE_LIBRARY || BackendGuard.claimed().isPresent()) {
                throw e; // native code was loaded (e.g. an ABI mismatch): no other backend may follow
            }
            nativeFailure = e;
        }
        TorchRuntimeProvider javacpp = findProvider(Backend.JAVACPP);
        if (javacpp == null) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "no LibTorch backend could be loaded (auto):"
                    + " the native backend failed, and the javacpp backend is not on the class path (add the Maven"
                    + " dependency io.github.promptonce:promptonce-javacpp for LibTorch from Maven Central).\n"
                    + "native: " + nativeFailure.getMessage(), nativeFailure);
        }
        LOG.log(System.Logger.Level.INFO, () -> "promptonce: native LibTorch backend unavailable ("
                + firstLine(nativeFailure.getMessage()) + "); trying javacpp");
        try {
            return chosen(javacpp.runtime(), Backend.AUTO, "the native library did not load");
        } catch (PromptonceException e) {
            PromptonceException both = new PromptonceException(e.code(), "no LibTorch backend could be loaded"
                    + " (auto).\nnative: " + nativeFailure.getMessage() + "\njavacpp: " + e.getMessage(), e);
            both.addSuppressed(nativeFailure);
            throw both;
        }
    }

    private static TorchRuntime provided(Backend backend) {
        TorchRuntimeProvider provider = findProvider(backend);
        if (provider == null) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "the " + backend.id() + " LibTorch backend is"
                    + " not on the class path: add the Maven dependency io.github.promptonce:promptonce-"
                    + backend.id() + " (the promptonce CLI distribution includes it), or choose another backend");
        }
        return provider.runtime();
    }

    private static TorchRuntimeProvider findProvider(Backend backend) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(TorchRuntimeProvider.class.getClassLoader());
        for (ClassLoader loader : loaders) {
            try {
                for (TorchRuntimeProvider p : ServiceLoader.load(TorchRuntimeProvider.class, loader)) {
                    if (p.backend() == backend) {
                        return p;
                    }
                }
            } catch (ServiceConfigurationError e) {
                throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "a LibTorch backend registered on the class"
                        + " path cannot be instantiated: " + e.getMessage(), e);
            }
        }
        return null;
    }

    /**
     * The process-wide thread count every runtime starts with: the system property {@value #THREADS_PROPERTY}, else
     * one per available core. Segmenters may use fewer on their own threads ({@link TorchRuntime#setThreadsHere}).
     */
    public static int processThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        return parseCount(THREADS_PROPERTY, value);
    }

    /** The system property that sets the process-wide thread count ({@link #processThreads()}). */
    public static final String THREADS_PROPERTY = "promptonce.threads";

    /** The system property that sets the size of OpenBLAS's process-wide pool ({@link #blasThreads()}). */
    public static final String BLAS_THREADS_PROPERTY = "promptonce.blas.threads";

    /**
     * The size of OpenBLAS's pool, shared by every thread of the process: the system property
     * {@value #BLAS_THREADS_PROPERTY}, else half the process count (at least 1). Half, because the default
     * propagation runs two streams at once (the next slice encoded ahead), and OpenBLAS's products from two
     * threads in one pool of all cores wait on each other (docs/performance.md, "Threads").
     */
    public static int blasThreads() {
        String value = System.getProperty(BLAS_THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Math.max(1, processThreads() / 2);
        }
        return parseCount(BLAS_THREADS_PROPERTY, value);
    }

    private static int parseCount(String property, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + property + " = '" + value
                + "': expected a thread count >= 1");
    }

    private static TorchRuntime chosen(TorchRuntime runtime, Backend requested, String why) {
        boolean first;
        synchronized (LOGGED) {
            first = LOGGED.add(requested);
            if (STARTED.add(runtime)) {
                runtime.setProcessThreads(processThreads(), blasThreads()); // once per runtime: process-wide
            }
        }
        if (first) {
            LOG.log(System.Logger.Level.INFO, () -> "promptonce: LibTorch backend " + runtime.name() + " (LibTorch "
                    + runtime.torchVersion() + ")" + (requested == Backend.AUTO ? ", chosen by auto: " + why
                    : ", requested") + "; " + runtime);
        }
        return runtime;
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl) + " ...";
    }
}
