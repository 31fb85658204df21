package io.github.promptonce.spark;

import io.github.promptonce.cli.EvalCommand;
import io.github.promptonce.cli.eval.EvalCluster;
import io.github.promptonce.cli.eval.EvalWorker;
import io.github.promptonce.cli.eval.Scoring;
import org.apache.spark.TaskContext;

import java.io.PrintWriter;
import java.io.Serializable;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One eval unit on an executor: the run's settings rebuilt from the command's arguments (once per JVM), then the
 * unit exactly as the local run does it ({@link EvalWorker}). A failure is thrown while Spark has attempts left (so
 * it retries, e.g. on another executor) and returned as the unit's error on the last one.
 *
 * @param maxAttempts  how many times Spark runs a failing task
 * @param failAttempts the test hook {@link SparkEvalCluster#FAIL_ATTEMPTS} ({@code VOLUME:N}), or empty
 */
record EvalTask(List<String> evalArgs, Map<String, String> references, int maxAttempts, String failAttempts)
        implements Serializable {

    private static final Map<EvalTask, EvalWorker> WORKERS = new HashMap<>();

    EvalCluster.Result run(EvalCluster.Unit unit) throws Exception {
        TaskContext context = TaskContext.get();
        int attempt = context == null ? 0 : context.attemptNumber();
        List<String> notes = new ArrayList<>();
        try {
            injectedFailure(unit, attempt);
            List<Scoring.Scored> scored = worker().run(unit, notes::add);
            return new EvalCluster.Result(unit, scored, null, notes);
        } catch (Exception | OutOfMemoryError e) {
            if (attempt + 1 < maxAttempts) {
                throw e; // Spark runs the task again
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            return new EvalCluster.Result(unit, List.of(), message
                    + (maxAttempts > 1 ? " (on each of " + maxAttempts + " attempts)" : ""), notes);
        }
    }

    private void injectedFailure(EvalCluster.Unit unit, int attempt) {
        int c = failAttempts.lastIndexOf(':');
        if (c > 0 && failAttempts.substring(0, c).equals(unit.volume())
                && attempt < Integer.parseInt(failAttempts.substring(c + 1))) {
            throw new IllegalStateException("injected failure of attempt " + attempt + " (" + SparkEvalCluster.FAIL_ATTEMPTS
                    + ")");
        }
    }

    private EvalWorker worker() throws Exception {
        synchronized (WORKERS) {
            EvalWorker w = WORKERS.get(this);
            if (w == null) {
                w = new EvalWorker(EvalCommand.configFor(evalArgs, new PrintWriter(Writer.nullWriter())),
                        references);
                if (WORKERS.isEmpty()) {
                    Runtime.getRuntime().addShutdownHook(new Thread(EvalTask::closeAll, "promptonce-eval-close"));
                }
                WORKERS.put(this, w);
            }
            return w;
        }
    }

    private static void closeAll() {
        synchronized (WORKERS) {
            WORKERS.values().forEach(EvalWorker::close);
            WORKERS.clear();
        }
    }
}
