package io.github.promptonce.cli;

import io.github.promptonce.volume.VolumeFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The {@code promptonce} command. Each subcommand is its own class listed in {@code subcommands} below; they
 * return {@link ExitCodes} and throw
 * {@link VolumeFormatException} for input errors, which become exit code 3 with a one-line message on stderr.
 */
@Command(name = "promptonce", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Segment medical image volumes with SAM and SAM 2: prompt once, propagate with memory.",
        subcommands = {InfoCommand.class, SegmentCommand.class, DemoCommand.class, EvalCommand.class,
            io.github.promptonce.cli.serve.ServeCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input error, 4 model error, "
                + "5 some volumes failed (eval)."})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Also print the library's progress notes (backend, model loading) and, on errors, "
                    + "the stack trace.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command, e.g. info");
    }

    /** Builds the command line with promptonce's error handling, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::executionError);
        return cl;
    }

    /** Runs and returns the exit code (no System.exit): for tests and embedding. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try (CliLogging logging = CliLogging.install(err, java.util.Arrays.asList(args).contains("--verbose"))) {
            return commandLine(out, err).execute(args);
        } catch (Throwable t) { // Errors are not handled by picocli: still one line and exit code 1
            err.println("promptonce: internal error: " + t);
            if (java.util.Arrays.asList(args).contains("--verbose")) {
                t.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.INTERNAL;
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        if (verbose(cmd.getParseResult())) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int executionError(Exception e, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        int code;
        if (e instanceof OutputRefusedException) {
            err.println("promptonce: " + e.getMessage());
            code = ExitCodes.USAGE;
        } else if (e instanceof io.github.promptonce.base.PromptonceException pe
                && pe.code() == io.github.promptonce.base.ErrorCode.BAD_INPUT) { // VolumeFormatException
            err.println("promptonce: " + e.getMessage());
            code = ExitCodes.INPUT;
        } else if (e instanceof io.github.promptonce.base.PromptonceException pe) {
            // the runtime and model layer: a model that cannot be used, or (with a file error) a missing model
            err.println("promptonce: " + pe.getMessage());
            code = pe.code() == io.github.promptonce.base.ErrorCode.INTERNAL ? ExitCodes.INTERNAL : ExitCodes.MODEL;
        } else if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
            err.println("promptonce: cannot access " + e.getMessage());
            code = ExitCodes.INPUT;
        } else {
            err.println("promptonce: internal error: " + e);
            code = ExitCodes.INTERNAL;
        }
        if (verbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static boolean verbose(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
