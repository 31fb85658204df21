package io.github.promptonce.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files one command writes, all or none. Each is written to a hidden temporary sibling
 * ({@code .promptonce-<random>-<name>}, in the same directory, so the move is a rename) and nothing reaches its
 * real name until {@link #commit()}, which moves them all into place; {@link #close()} without a commit deletes the
 * temporary files and the directories this object created. So a command that fails part-way (a model error after
 * the mask was computed, a full disk while writing the overlay) leaves no new and no partial file.
 *
 * <p>Refused, with {@link OutputRefusedException} (exit 2): a target that is one of the command's inputs (same
 * real path, whatever the spelling), a target that exists (unless {@code --overwrite}), a target named twice.
 * Files are created with the default permissions ({@code 0666} less the umask), never the {@code 0600} of
 * {@code Files.createTempFile}.
 */
public final class OutputFiles implements AutoCloseable {
    /** Writes the content of one output into {@code file} (a temporary path with the target's file name suffix). */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    /** Tests only: called before each output is written ({@code "write"}) and moved ({@code "move"}); may throw. */
    @FunctionalInterface
    interface FailureHook {
        void at(String stage, Path target) throws IOException;
    }

    static volatile FailureHook failureHook;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean overwrite;
    private final List<Path> inputs = new ArrayList<>();
    private final Map<Path, Path> staged = new LinkedHashMap<>(); // target -> temporary file
    private final List<Path> checked = new ArrayList<>();
    private final List<Path> createdDirectories = new ArrayList<>();
    private boolean committed;

    /**
     * @param overwrite whether existing files may be replaced ({@code --overwrite})
     * @param inputs    the command's input files and directories, never to be written
     */
    public OutputFiles(boolean overwrite, Collection<Path> inputs) throws IOException {
        this.overwrite = overwrite;
        for (Path p : inputs) {
            if (p != null && Files.exists(p)) {
                this.inputs.add(p.toRealPath());
            }
        }
    }

    /**
     * Checks now, before any work, that {@code target} may be written: not an input, not existing (unless
     * overwriting), not named twice. Returns it.
     */
    public Path check(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) { // a link counts, even a dangling one
            if (Files.exists(abs) && inputs.contains(abs.toRealPath())) {
                throw new OutputRefusedException("output " + target + " is an input of this command: choose "
                        + "another output path");
            }
            if (Files.isDirectory(abs)) {
                throw new OutputRefusedException("output " + target + " is a directory, expected a file path");
            }
            if (!overwrite) {
                throw new OutputRefusedException("output " + target + " exists: add --overwrite to replace it, or "
                        + "choose another path");
            }
        }
        if (checked.contains(abs)) {
            throw new OutputRefusedException("output " + target + " is named twice: give each output its own path");
        }
        checked.add(abs);
        return abs;
    }

    /** Writes {@code target}'s content to its temporary sibling now; it takes its name at {@link #commit()}. */
    public void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (!checked.contains(abs)) {
            check(abs);
        }
        if (committed) {
            throw new IllegalStateException("outputs already committed");
        }
        Path dir = abs.getParent();
        createDirectories(dir);
        Path tmp = dir.resolve(".promptonce-" + HexFormat.of().toHexDigits(RANDOM.nextLong()) + "-" + abs.getFileName());
        staged.put(abs, tmp);
        hook("write", abs);
        content.writeTo(tmp);
        if (!Files.isRegularFile(tmp)) {
            throw new IOException("writing " + target + " produced no file");
        }
    }

    /** {@link #write} of UTF-8 text. */
    public void writeString(Path target, String text) throws IOException {
        write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE));
    }

    /**
     * Lets {@code content} write any number of files into a fresh temporary directory, then stages each of them as
     * {@code dir/<its name>} (checked like every target). For writers that take a directory (per-slice overlays).
     */
    public void writeInto(Path dir, Content content) throws IOException {
        Path absDir = dir.toAbsolutePath().normalize();
        createDirectories(absDir);
        Path scratch = absDir.resolve(".promptonce-" + HexFormat.of().toHexDigits(RANDOM.nextLong()));
        Files.createDirectory(scratch);
        try {
            content.writeTo(scratch);
            List<Path> files;
            try (Stream<Path> s = Files.list(scratch)) {
                files = s.sorted().toList();
            }
            for (Path f : files) {
                write(absDir.resolve(f.getFileName().toString()), tmp -> Files.move(f, tmp));
            }
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Replaces (or creates) one file at once: {@code text} goes to a temporary sibling that is then renamed over it,
     * so a reader, or a run killed meanwhile, sees the old content or the new, never a mix. For files a command
     * keeps up to date as it goes (eval's ledger), outside any batch.
     */
    public static void replace(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path tmp = abs.resolveSibling(".promptonce-" + HexFormat.of().toHexDigits(RANDOM.nextLong()) + "-"
                + abs.getFileName());
        try {
            hook("write", abs);
            Files.writeString(tmp, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            hook("move", abs);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks a results directory: refused when it is one of {@code inputs} (same real path) or an existing
     * non-directory.
     */
    public static void checkDirectory(Path dir, Collection<Path> inputs) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new OutputRefusedException("output directory " + dir + " is an existing file");
        }
        Path real = dir.toRealPath();
        for (Path p : inputs) {
            if (p != null && Files.exists(p) && p.toRealPath().equals(real)) {
                throw new OutputRefusedException("output directory " + dir + " is an input of this command ("
                        + p + "): choose another --out");
            }
        }
    }

    /** Moves every staged file to its name (each move an atomic rename). */
    public void commit() throws IOException {
        if (committed) {
            return;
        }
        for (Map.Entry<Path, Path> e : staged.entrySet()) {
            hook("move", e.getKey());
            if (!overwrite && Files.exists(e.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(e.getKey().toString(), null, "appeared while the command ran");
            }
        }
        for (Map.Entry<Path, Path> e : staged.entrySet()) {
            Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /** Without a commit: deletes the temporary files, then the directories this object created (if empty). */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        IOException failure = null;
        for (Path tmp : staged.values()) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                failure = e;
            }
        }
        staged.clear();
        for (int i = createdDirectories.size() - 1; i >= 0; i--) {
            Path d = createdDirectories.get(i);
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(d);
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        createdDirectories.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(d);
            createdDirectories.add(d);
        }
    }

    private static void hook(String stage, Path target) throws IOException {
        FailureHook h = failureHook;
        if (h != null) {
            h.at(stage, target);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
