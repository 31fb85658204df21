package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The embedded default model, {@code promptonce-small}: a small SAM 2.1-architecture model trained on synthetic
 * phantoms (see {@code models/MODEL_CARD.md}). A demonstration model, not a clinical one.
 *
 * <p>The build exports it into the library jar. LibTorch loads models from files, so the first use copies it into
 * a cache directory named after the SHA-256 of its manifest ({@code $PROMPTONCE_CACHE}, else the system property
 * {@code promptonce.cache}, else {@code ~/.cache/promptonce}); later uses find it there. Every call of
 * {@link #directory()} compares the cached copy with the jar (its {@code manifest.json} byte for byte, then every
 * component's SHA-256 from that manifest): a cache that was changed or damaged, e.g. a shared
 * {@code PROMPTONCE_CACHE} someone else can write, is extracted again from the jar, never loaded. (A model
 * directory is code: LibTorch runs what a TorchScript file holds.)
 */
public final class DefaultModel {
    /** The architecture name of the default model. */
    public static final String ARCH = "promptonce-small";

    /** Where the build puts the export inside the jar ("default-model" is not a package: never encapsulated). */
    static final String RESOURCE_DIR = "/io/github/promptonce/default-model/";

    private DefaultModel() {
    }

    /** Whether this build of the library carries the default model. */
    public static boolean isBundled() {
        return DefaultModel.class.getResource(RESOURCE_DIR + ModelManifest.FILE) != null;
    }

    /** Loads the default model with {@code options}. */
    public static Segmenter load(SegmenterOptions options) {
        return Segmenter.load(directory(), options);
    }

    /**
     * The default model as a model directory (copied out of the jar on first use).
     *
     * @throws PromptonceException {@link ErrorCode#BAD_MODEL} when this build carries no default model, or
     *                             {@link ErrorCode#FILE_NOT_FOUND} when it cannot be copied out
     */
    public static synchronized Path directory() {
        byte[] manifest = resource(ModelManifest.FILE);
        Path cache = cacheRoot();
        String name = ARCH + "-" + HexFormat.of().formatHex(sha256(manifest), 0, 8);
        Path target = cache.resolve(name);
        if (matchesJar(manifest, target)) {
            return target;
        }
        try {
            Files.createDirectories(cache);
            return extract(manifest, cache, target);
        } catch (IOException | UncheckedIOException e) {
            // a read-only home: fall back to a private temporary copy, removed when the JVM exits
            try {
                Path tmp = Files.createTempDirectory("promptonce-default-model");
                Path dir = extract(manifest, tmp, tmp.resolve(name));
                deleteOnExit(tmp);
                return dir;
            } catch (IOException e2) {
                e2.addSuppressed(e);
                throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "cannot copy the default model out of the jar into "
                        + target + " or a temporary directory: " + e2.getMessage(), e2);
            }
        }
    }

    private static Path extract(byte[] manifest, Path parent, Path target) throws IOException {
        Path staging = Files.createTempDirectory(parent, ".staging-");
        try {
            Files.write(staging.resolve(ModelManifest.FILE), manifest);
            ModelManifest m = ModelManifest.read(staging);
            for (Path componentFile : m.files()) {
                String file = componentFile.getFileName().toString();
                try (InputStream in = stream(file)) {
                    Files.copy(in, staging.resolve(file));
                }
            }
            m.verifyChecksums();
            if (Files.exists(target)) {
                setAside(target, parent); // a copy that differs from the jar: never reused
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException
                     | java.nio.file.DirectoryNotEmptyException e) {
                // another process finished first: theirs is as good as ours if it matches the jar
                if (!matchesJar(manifest, target)) {
                    throw e;
                }
            }
            return target;
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
    }

    /** Whether {@code dir} holds exactly the jar's model: the same manifest bytes, every component's SHA-256. */
    private static boolean matchesJar(byte[] manifest, Path dir) {
        try {
            if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE))
                    || !java.util.Arrays.equals(manifest, Files.readAllBytes(dir.resolve(ModelManifest.FILE)))) {
                return false;
            }
            ModelManifest.read(dir).verifyChecksums();
            return true;
        } catch (IOException | PromptonceException e) {
            return false;
        }
    }

    /** Moves a stale copy out of the way (an atomic rename) and deletes it. */
    private static void setAside(Path target, Path parent) throws IOException {
        Path stale = Files.createTempDirectory(parent, ".stale-");
        Path moved = stale.resolve(target.getFileName());
        try {
            Files.move(target, moved, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException e) {
            // another process moved it first
        } finally {
            deleteTree(stale);
        }
    }

    static Path cacheRoot() {
        String env = System.getenv("PROMPTONCE_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String prop = System.getProperty("promptonce.cache");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "promptonce");
    }

    private static byte[] resource(String file) {
        try (InputStream in = stream(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "cannot read the default model's " + file + " from the jar: "
                    + e.getMessage(), e);
        }
    }

    private static InputStream stream(String file) {
        InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE_DIR + file);
        if (in == null) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, "this build of promptonce carries no default model ("
                    + RESOURCE_DIR + file + " is not on the class path); build with Maven, which exports "
                    + "models/weights/" + ARCH + ".pt into the jar, or pass a model directory");
        }
        return in;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                deleteTree(dir);
            } catch (IOException ignored) {
                // best effort at exit
            }
        }));
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
