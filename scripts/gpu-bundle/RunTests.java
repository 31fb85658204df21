import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs test classes with the JUnit Platform Launcher, for machines without Maven (scripts/gpu-bundle.sh compiles it
 * into the bundle; scripts/gpu-check.sh runs it). Prints each test's outcome and a summary line
 *
 * <pre>RunTests: CLASS: tests N, succeeded S, failed F, skipped K</pre>
 *
 * and exits 0 only when at least one test ran, none failed (containers included) and, unless {@code --allow-skipped}
 * is given, none was skipped (disabled or aborted by an assumption, as surefire counts "skipped").
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... RunTests [--allow-skipped] CLASS...</pre>
 */
public final class RunTests {
    private RunTests() {
    }

    public static void main(String[] args) {
        boolean allowSkipped = false;
        List<String> classes = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--allow-skipped")) {
                allowSkipped = true;
            } else if (a.startsWith("-")) {
                usage("unknown option " + a);
            } else {
                classes.add(a);
            }
        }
        if (classes.isEmpty()) {
            usage("no test class given");
        }
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
        for (String c : classes) {
            builder.selectors(DiscoverySelectors.selectClass(c));
        }
        LauncherDiscoveryRequest request = builder.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, new Printer(), summary);
        TestExecutionSummary s = summary.getSummary();
        long skipped = s.getTestsSkippedCount() + s.getTestsAbortedCount();
        String name = String.join(",", classes);
        System.out.printf("RunTests: %s: tests %d, succeeded %d, failed %d, skipped %d (aborted %d, disabled %d);"
                        + " containers failed %d%n", name, s.getTestsFoundCount(), s.getTestsSucceededCount(),
                s.getTestsFailedCount(), skipped, s.getTestsAbortedCount(), s.getTestsSkippedCount(),
                s.getContainersFailedCount());
        if (s.getTotalFailureCount() > 0) {
            s.printFailuresTo(new PrintWriter(System.out, true), 25);
        }
        String verdict = null;
        if (s.getTotalFailureCount() > 0) {
            verdict = s.getTotalFailureCount() + " failure(s)";
        } else if (s.getTestsFoundCount() == 0) {
            verdict = "no tests found (is the class on the class path, and are its engines?)";
        } else if (s.getTestsStartedCount() == 0) {
            verdict = "no test started";
        } else if (skipped > 0 && !allowSkipped) {
            verdict = skipped + " test(s) skipped (pass --allow-skipped to accept that)";
        }
        if (verdict != null) {
            System.out.println("RunTests: FAIL: " + verdict);
            System.exit(1);
        }
        System.out.println("RunTests: PASS");
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("RunTests: " + problem + "\nusage: RunTests [--allow-skipped] CLASS...");
        System.exit(2);
    }

    /** One line per test: its outcome, the skip reason or the failure. */
    private static final class Printer implements TestExecutionListener {
        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("  SKIPPED  " + name(id) + ": " + reason);
        }

        /** The method name with its parameter types (and invocation index), plus the display name if it differs. */
        private static String name(TestIdentifier id) {
            String legacy = id.getLegacyReportingName();
            return legacy.equals(id.getDisplayName()) ? legacy : legacy + " \"" + id.getDisplayName() + "\"";
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
            }
            String what = id.isTest() ? name(id) : "(container) " + name(id);
            String cause = result.getThrowable().map(t -> ": " + t).orElse("");
            String status = switch (result.getStatus()) {
                case SUCCESSFUL -> "OK     ";
                case ABORTED -> "ABORTED";
                case FAILED -> "FAILED ";
            };
            System.out.println("  " + status + "  " + what + cause);
        }
    }
}
