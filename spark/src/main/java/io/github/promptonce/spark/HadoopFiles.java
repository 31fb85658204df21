package io.github.promptonce.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.UUID;

/**
 * Inputs and outputs through Hadoop's {@link FileSystem}: any URI the executors reach (file:, hdfs:, s3a: with its
 * connector on the class path). Readers of promptonce need local files, so remote inputs are copied to a local
 * temporary directory first; masks are written to a hidden temporary name beside the target, then renamed.
 */
final class HadoopFiles {
    private HadoopFiles() {
    }

    /** Whether {@code location} is a plain local path (no scheme, or file:). */
    static boolean isLocal(String location) {
        URI u = URI.create(location.replace(" ", "%20"));
        return u.getScheme() == null || "file".equals(u.getScheme());
    }

    /** A local path for {@code location} (a file or a DICOM directory); remote ones are copied under {@code tmp}. */
    static java.nio.file.Path local(String location, java.nio.file.Path tmp, Configuration conf) throws IOException {
        if (isLocal(location)) {
            URI u = URI.create(location.replace(" ", "%20"));
            return u.getScheme() == null ? java.nio.file.Path.of(location) : java.nio.file.Path.of(u);
        }
        Path remote = new Path(location);
        FileSystem fs = remote.getFileSystem(conf);
        java.nio.file.Path dst = Files.createDirectories(tmp).resolve(remote.getName());
        fs.copyToLocalFile(false, remote, new Path(dst.toUri()), true);
        return dst;
    }

    /**
     * Moves the local file {@code file} to {@code directory/name} through the directory's file system: copied to a
     * hidden temporary name there, then renamed (an existing target is replaced), so a reader never sees a partial
     * mask.
     *
     * @return the written file's URI
     */
    static String publish(java.nio.file.Path file, String directory, String name, Configuration conf)
            throws IOException {
        Path dir = new Path(directory);
        FileSystem fs = dir.getFileSystem(conf);
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
            fs = local.getRaw(); // no .crc side files beside the masks
        }
        fs.mkdirs(dir);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + "." + UUID.randomUUID() + ".tmp");
        try {
            fs.copyFromLocalFile(false, true, new Path(file.toUri()), tmp);
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
        return fs.makeQualified(target).toString();
    }
}
