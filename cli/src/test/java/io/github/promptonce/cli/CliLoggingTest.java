package io.github.promptonce.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library's log records on the command line: one plain line each, INFO only with --verbose. */
class CliLoggingTest {
    private static final System.Logger LIBRARY_LOG = System.getLogger("io.github.promptonce.runtime.Example");

    static String logged(boolean verbose) {
        StringWriter text = new StringWriter();
        try (CliLogging ignored = CliLogging.install(new PrintWriter(text), verbose)) {
            LIBRARY_LOG.log(System.Logger.Level.INFO, "promptonce: LibTorch backend native\n(LibTorch 1.13.0)");
            LIBRARY_LOG.log(System.Logger.Level.DEBUG, () -> "loaded test-tiny");
            LIBRARY_LOG.log(System.Logger.Level.WARNING, "the cache was replaced");
        }
        return text.toString();
    }

    @Test
    void withoutVerboseOnlyWarningsShowAsOneLineEach() {
        assertEquals("promptonce: warning: the cache was replaced" + System.lineSeparator(), logged(false));
    }

    @Test
    void verboseAddsInfoAndDebugWithoutTimestampsOrLoggerNames() {
        String s = logged(true);
        assertEquals(String.join(System.lineSeparator(), "promptonce: LibTorch backend native (LibTorch 1.13.0)",
                "promptonce: loaded test-tiny", "promptonce: warning: the cache was replaced", ""), s);
    }

    @Test
    void aCommandPrintsNoLoggerRecordFormat() {
        MainTest.Result r = MainTest.run("info", "--runtime", "--verbose");
        assertEquals(0, r.code(), r.err());
        for (String line : r.err().lines().toList()) {
            assertTrue(line.startsWith("promptonce: "), "one plain line per message: '" + line + "'\n" + r.err());
        }
    }

    @Test
    void theLevelWordIsOnlyForWarningsAndErrors() {
        assertEquals("promptonce: error: x", CliLogging.line(new LogRecord(Level.SEVERE, "x")));
        assertEquals("promptonce: y", CliLogging.line(new LogRecord(Level.INFO, "promptonce: y")));
    }
}
