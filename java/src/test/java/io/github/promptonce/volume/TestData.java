package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real files fetched by scripts/fetch-testdata.sh. Missing data fails the test with the command to run: these
 * tests are never skipped silently.
 */
public final class TestData {
    public static final String NIBABEL = "usr/lib/python3/dist-packages/nibabel/tests/data";
    public static final String PYDICOM = "usr/lib/python3/dist-packages/pydicom/data/test_files";
    public static final String ITK = "usr/share/doc/insighttoolkit5-examples/examples/Data";

    private TestData() {
    }

    public static Path root() {
        String p = System.getProperty("promptonce.testdata");
        if (p == null) {
            fail("system property promptonce.testdata is not set; run the tests through Maven (java/pom.xml sets it)"
                    + " after scripts/fetch-testdata.sh");
        }
        return Path.of(p);
    }

    private static Path file(String dir, String name) {
        Path f = root().resolve(dir).resolve(name);
        if (!Files.exists(f)) {
            fail("real test file " + f + " is missing: run scripts/fetch-testdata.sh (downloads Debian's "
                    + "python3-nibabel, python3-pydicom and insighttoolkit5-examples into .testdata/)");
        }
        return f;
    }

    public static Path nibabel(String name) {
        return file(NIBABEL, name);
    }

    public static Path pydicom(String name) {
        return file(PYDICOM, name);
    }

    public static Path itk(String name) {
        return file(ITK, name);
    }
}
