package io.github.promptonce.cli;

import java.io.PrintWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The library's log records (System.Logger, backed by java.util.logging) as the command line shows them: one line
 * {@code promptonce: message} on stderr, no timestamp or logger name; warnings and errors only, unless
 * {@code --verbose}, which adds the library's INFO and DEBUG records and the stack traces. While installed it
 * replaces the root logger's handlers; {@link #close()} puts them back (for tests and embedding).
 */
final class CliLogging implements AutoCloseable {
    private static final String LIBRARY = "io.github.promptonce";

    private final Logger root = Logger.getLogger("");
    private final Logger library = Logger.getLogger(LIBRARY);
    private final Handler[] savedHandlers;
    private final Level savedRootLevel;
    private final Level savedLibraryLevel;
    private final Handler handler;

    private CliLogging(PrintWriter err, boolean verbose) {
        savedHandlers = root.getHandlers();
        savedRootLevel = root.getLevel();
        savedLibraryLevel = library.getLevel();
        handler = new OneLineHandler(err, verbose);
        for (Handler h : savedHandlers) {
            root.removeHandler(h);
        }
        root.addHandler(handler);
        root.setLevel(verbose ? Level.INFO : Level.WARNING);
        library.setLevel(verbose ? Level.FINE : Level.WARNING);
    }

    /** Routes log records to {@code err} until closed. */
    static CliLogging install(PrintWriter err, boolean verbose) {
        return new CliLogging(err, verbose);
    }

    /** The line for a record: {@code promptonce: } once, then the message on one line. */
    static String line(LogRecord r) {
        String m = new SimpleFormatter().formatMessage(r);
        m = m == null ? "" : m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        if (m.startsWith("promptonce: ")) {
            m = m.substring("promptonce: ".length());
        }
        String level = r.getLevel().intValue() >= Level.SEVERE.intValue() ? "error: "
                : r.getLevel().intValue() >= Level.WARNING.intValue() ? "warning: " : "";
        return "promptonce: " + level + m;
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        for (Handler h : savedHandlers) {
            root.addHandler(h);
        }
        root.setLevel(savedRootLevel);
        library.setLevel(savedLibraryLevel);
    }

    private static final class OneLineHandler extends Handler {
        private final PrintWriter err;
        private final boolean verbose;

        OneLineHandler(PrintWriter err, boolean verbose) {
            this.err = err;
            this.verbose = verbose;
            setFormatter(new Formatter() {
                @Override
                public String format(LogRecord r) {
                    return line(r);
                }
            });
        }

        @Override
        public void publish(LogRecord r) {
            if (!isLoggable(r)) {
                return;
            }
            synchronized (err) {
                err.println(getFormatter().format(r));
                if (verbose && r.getThrown() != null) {
                    r.getThrown().printStackTrace(err);
                }
                err.flush();
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
