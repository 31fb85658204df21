package io.github.promptonce.cli.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Keeps every path a client names inside {@code --root}: the name is resolved against the root, and both the
 * normalised path and the real path (symbolic links followed) must stay under the root's real path; else 403.
 */
final class PathGuard {
    private final Path root;

    PathGuard(Path root) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException("--root " + root + " is not a directory");
        }
    }

    Path root() {
        return root;
    }

    /** The real path of {@code relative} (a path under the root, '/'-separated; "" is the root). */
    Path resolve(String relative) {
        if (relative == null) {
            relative = "";
        }
        Path p;
        try {
            Path given = Path.of(relative);
            if (given.isAbsolute()) {
                throw new ApiException(403, "path '" + relative + "' is absolute, outside the served root; give a "
                        + "path relative to it");
            }
            p = root.resolve(given).normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("path '" + relative + "' is not a valid path: " + e.getReason());
        }
        if (!p.startsWith(root)) {
            throw new ApiException(403, "path '" + relative + "' is outside the served root");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (NoSuchFileException e) {
            throw ApiException.notFound("no such file or directory: '" + relative + "'");
        } catch (IOException e) {
            throw new ApiException(403, "path '" + relative + "' cannot be accessed: " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw new ApiException(403, "path '" + relative + "' leads outside the served root (a link)");
        }
        return real;
    }

    /** Whether {@code p} (any path) really lies under the root (for listings: links out are left out). */
    boolean contains(Path p) {
        try {
            return p.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code real} as a '/'-separated path relative to the root. */
    String relative(Path real) {
        return root.relativize(real).toString().replace(java.io.File.separatorChar, '/');
    }
}
