package io.github.promptonce.cli.serve;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Uploaded volumes (one file: NIfTI, DICOM or a single PNG/TIFF), stored in a private temporary folder that the
 * server deletes when it stops. A body over the cap is refused with 413 before it is stored: by its declared
 * length, or while it streams in.
 */
final class Uploads implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,120}");
    private static final String[] SUFFIXES = {".nii", ".nii.gz", ".dcm", ".png", ".tif", ".tiff"};
    private final Path dir;
    private final long maxBytes;

    Uploads(long maxBytes) throws IOException {
        this.maxBytes = maxBytes;
        this.dir = Files.createTempDirectory("promptonce-serve-uploads");
    }

    /** Stores the request body as {@code name} (a plain file name with a volume suffix) and returns its path. */
    Path store(ServerRequest req, String name) throws IOException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("upload name '" + name + "' must be a plain file name (letters, digits, "
                    + "'.', '_', '-') such as ct.nii.gz");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean known = false;
        for (String s : SUFFIXES) {
            known |= lower.endsWith(s);
        }
        if (!known) {
            throw ApiException.badRequest("upload '" + name + "': expected a .nii, .nii.gz, .dcm, .png or .tif(f) "
                    + "file (upload one file; open DICOM series from the served folder)");
        }
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) {
            throw tooLarge(declared);
        }
        Path folder = Files.createTempDirectory(dir, "u");
        Path target = folder.resolve(name);
        long copied = 0;
        try (InputStream in = req.content().inputStream(); OutputStream out = Files.newOutputStream(target)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                copied += n;
                if (copied > maxBytes) {
                    throw tooLarge(copied);
                }
                out.write(buf, 0, n);
            }
        } catch (ApiException | IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        if (copied == 0) {
            Files.deleteIfExists(target);
            throw ApiException.badRequest("upload '" + name + "' is empty");
        }
        return target;
    }

    private ApiException tooLarge(long bytes) {
        return new ApiException(413, "upload too large: " + (bytes > maxBytes ? "over " : "") + maxBytes
                + " bytes allowed (--max-upload-mb " + (maxBytes >> 20) + ")");
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
