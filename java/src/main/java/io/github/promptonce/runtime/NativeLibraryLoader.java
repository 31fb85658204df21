package io.github.promptonce.runtime;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads {@code libpromptonce.so}, once per JVM, in the order documented in {@code package-info.java}:
 * the system property {@value #PATH_PROPERTY}, then the library bundled in the jar, then {@code java.library.path}.
 */
final class NativeLibraryLoader {
    static final String PATH_PROPERTY = "promptonce.native.path";
    static final String LIBRARY_FILE = "libpromptonce.so";
    static final String PLATFORM = "linux-x86_64";
    static final String BUNDLED_RESOURCE = "/native/" + PLATFORM + "/" + LIBRARY_FILE;

    private static Path loaded;

    private NativeLibraryLoader() {
    }

    /** Loads the library if not yet loaded; returns the file it was loaded from. */
    static synchronized Path load() {
        if (loaded != null) {
            return loaded;
        }
        requireNativeAccess();
        List<String> tried = new ArrayList<>();
        String property = System.getProperty(PATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property);
            if (Files.isDirectory(p)) {
                p = p.resolve(LIBRARY_FILE);
            }
            // An explicit path is the user's decision: if it fails, do not silently fall back to another library.
            loaded = loadFile(p, "system property " + PATH_PROPERTY, tried, true);
            return loaded;
        }
        Path bundled = extractBundled(tried);
        if (bundled != null) {
            loaded = loadFile(bundled, "bundled in the jar (" + BUNDLED_RESOURCE + ")", tried, false);
            if (loaded != null) {
                return loaded;
            }
        }
        String libraryPath = System.getProperty("java.library.path", "");
        for (String dir : libraryPath.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path p = Path.of(dir, LIBRARY_FILE);
            if (!Files.exists(p)) {
                tried.add(p + " (java.library.path): no such file");
                continue;
            }
            loaded = loadFile(p, "java.library.path", tried, false);
            if (loaded != null) {
                return loaded;
            }
        }
        throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot load the promptonce native library "
                + LIBRARY_FILE + ". Tried:\n  " + String.join("\n  ", tried) + "\nFix: build it with `mvn -B package`"
                + " (needs Debian's libtorch-dev and libopenblas0-pthread: run scripts/setup.sh), or point -D"
                + PATH_PROPERTY + "=/path/to/" + LIBRARY_FILE + " at a build; a missing libtorch*.so above means"
                + " LibTorch itself is not installed or not on the loader's path.");
    }

    private static Path loadFile(Path file, String source, List<String> tried, boolean mustSucceed) {
        Path abs = file.toAbsolutePath();
        String failure;
        if (!Files.isRegularFile(abs)) {
            failure = "no such file";
        } else {
            try {
                System.load(abs.toString());
                return abs;
            } catch (UnsatisfiedLinkError e) {
                failure = e.getMessage();
            }
        }
        tried.add(abs + " (" + source + "): " + failure);
        if (mustSucceed) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot load the promptonce native library from "
                    + abs + " (" + source + "): " + failure + ". Fix the path, or unset -D" + PATH_PROPERTY
                    + " to use the library bundled in the jar.");
        }
        return null;
    }

    private static Path extractBundled(List<String> tried) {
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                tried.add(BUNDLED_RESOURCE + " (bundled in the jar): not in this jar (built with -Dnative.skip?)");
                return null;
            }
            Path dir = Files.createTempDirectory("promptonce-native-");
            Path file = dir.resolve(LIBRARY_FILE);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            tried.add(BUNDLED_RESOURCE + " (bundled in the jar): cannot extract to a temp dir: " + e.getMessage());
            return null;
        }
    }

    /** Without native access the JVM would only warn, or refuse later: say exactly which flag to add, now. */
    private static void requireNativeAccess() {
        Module module = NativeLibraryLoader.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "native access is not enabled for promptonce:"
                    + " add --enable-native-access=" + target + " to the java command line (or the manifest"
                    + " attribute 'Enable-Native-Access: ALL-UNNAMED' to an executable jar)");
        }
    }
}
