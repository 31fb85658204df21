package io.github.promptonce.spark;

import io.github.promptonce.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval --spark local[2,2]}: the same results as a local run, resumable, retried, failures recorded. */
class SparkEvalTest {
    @TempDir
    static Path tmp;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void data() throws Exception {
        Phantoms.write(tmp, new int[] {7, 6, 8});
        System.setProperty("spark.ui.enabled", "false");
    }

    @AfterEach
    void noInjection() {
        System.clearProperty(SparkEvalCluster.FAIL_ATTEMPTS);
    }

    private static Run eval(String out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "--images", tmp.resolve("images").toString(),
                "--labels", tmp.resolve("labels").toString(), "--threads", "1", "--out", tmp.resolve(out).toString()));
        args.addAll(List.of(more));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(o), new PrintWriter(e));
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void sparkGivesTheLocalRunsValuesAndResumes() throws Exception {
        Run local = eval("local");
        assertEquals(0, local.code(), local.err());
        Run spark = eval("spark", "--spark", "local[2,2]");
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.err().contains("on Apache Spark local[2,2]"), spark.err());
        for (String csv : List.of("per_volume.csv", "per_slice.csv")) {
            List<String> expected = EvalCsv.withoutTimes(tmp.resolve("local").resolve(csv));
            assertTrue(csv.equals("per_volume.csv") ? expected.size() == 3 * 3 : expected.size() > 3 * 3 * 6,
                    csv + ": 3 volumes x 3 protocols, " + expected.size() + " rows");
            assertEquals(expected, EvalCsv.withoutTimes(tmp.resolve("spark").resolve(csv)), csv);
        }
        for (String report : List.of("summary.md", "summary.csv", "ttest.csv", "dice_boxplot.png", "slices-p1.png",
                "run.properties")) {
            assertTrue(Files.isRegularFile(tmp.resolve("spark").resolve(report)), report);
        }
        assertEquals(List.of("model,protocol,volume,error"), Files.readAllLines(tmp.resolve("spark/failures.csv")));
        Run again = eval("spark", "--spark", "local[2,2]");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("0 run, 9 skipped (finished before)"), again.err());
    }

    @Test
    void aFailedTaskIsRetriedAndOneThatKeepsFailingLandsInFailures() throws Exception {
        System.setProperty(SparkEvalCluster.FAIL_ATTEMPTS, "p2:1"); // the first attempt of p2's unit fails
        Run retried = eval("retried", "--protocol", "seed", "--spark", "local[2,2]");
        assertEquals(0, retried.code(), retried.err());
        assertEquals(3, EvalCsv.withoutTimes(tmp.resolve("retried/per_volume.csv")).size(), retried.err());
        assertEquals(1, Files.readAllLines(tmp.resolve("retried/failures.csv")).size(), "only the header");

        System.setProperty(SparkEvalCluster.FAIL_ATTEMPTS, "p2:9"); // every attempt fails
        Run failing = eval("failing", "--protocol", "seed", "--spark", "local[2,2]");
        assertEquals(5, failing.code(), failing.err());
        List<String> failures = Files.readAllLines(tmp.resolve("failing/failures.csv"));
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(1).startsWith("promptonce-small,seed,p2,") && failures.get(1)
                .contains("injected failure of attempt 1") && failures.get(1).contains("on each of 2 attempts"),
                failures.get(1));
        List<String> rows = EvalCsv.withoutTimes(tmp.resolve("failing/per_volume.csv"));
        assertEquals(2, rows.size());
        assertFalse(rows.stream().anyMatch(r -> r.contains(",p2,")), rows.toString());
        // a rerun retries just the failed volume
        System.clearProperty(SparkEvalCluster.FAIL_ATTEMPTS);
        Run resumed = eval("failing", "--protocol", "seed", "--spark", "local[2,2]");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("1 run, 2 skipped (finished before)"), resumed.err());
    }
}
