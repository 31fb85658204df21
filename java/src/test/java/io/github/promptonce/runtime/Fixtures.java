package io.github.promptonce.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** The TorchScript modules written by src/test/python/make_runtime_fixtures.py before the tests run. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        String dir = System.getProperty("promptonce.fixtures");
        if (dir == null) {
            throw new IllegalStateException("system property promptonce.fixtures is not set: run the tests with Maven"
                    + " (it generates the fixtures with src/test/python/make_runtime_fixtures.py)");
        }
        Path p = Path.of(dir, name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test fixture " + p + " is missing: run /usr/bin/python3"
                    + " java/src/test/python/make_runtime_fixtures.py " + dir);
        }
        return p;
    }
}
