package io.github.promptonce.runtime.javacpp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a main class of the test class path in a child JVM (backends load once per JVM, at most one per JVM). */
final class ChildJvm {
    record Outcome(int exit, String out, String err) {
        /** The JVM exited by itself: no fatal signal (134 SIGABRT, 139 SIGSEGV) and no hs_err report. */
        boolean crashed() {
            return exit > 128 || out.contains("A fatal error has been detected") || err.contains("fatal error");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private ChildJvm() {
    }

    static Outcome run(Class<?> main, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        return run(main, true, jvmArgs, args);
    }

    static Outcome run(Class<?> main, boolean nativeAccess, List<String> jvmArgs, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (nativeAccess) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "promptonce-child-hs_err_%p.log"));
        String fixtures = System.getProperty("promptonce.fixtures");
        if (fixtures != null) {
            cmd.add("-Dpromptonce.fixtures=" + fixtures);
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        // read both streams while the child runs (a full pipe would block it)
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.complete("<" + e + ">");
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM did not finish");
        reader.join();
        return new Outcome(p.exitValue(), out, err.join());
    }
}
