package io.github.promptonce.cli.eval;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs eval's (model, protocol, volume) units on a cluster instead of in this JVM ({@code eval --spark MASTER}).
 * Found through {@link ServiceLoader}: the {@code promptonce-spark} module provides one, so the command line itself
 * does not depend on a cluster engine. The calling JVM keeps the ledger, the failures and the report; each task
 * rebuilds the run's settings from the same command-line arguments ({@link EvalWorker}).
 */
public interface EvalCluster {

    /** One unit: model {@code model} (index into the run's models) × protocol × volume. */
    record Unit(int model, String modelName, Protocol protocol, String volume) implements Serializable {
    }

    /**
     * What a unit gave: its scored rows (empty when the volume holds no structure to score), or an error (the unit
     * failed on every attempt the cluster allows), and notes for the log.
     */
    record Result(Unit unit, List<Scoring.Scored> scored, String error, List<String> notes) implements Serializable {
    }

    /** Receives results on the calling JVM, in the order of the units given. */
    interface Sink {
        void accept(Result result) throws IOException;
    }

    /** How this cluster is named in messages (e.g. "Apache Spark"). */
    String name();

    /**
     * Runs {@code units} as tasks on {@code master}.
     *
     * @param evalArgs   the {@code eval} command's arguments (what each task rebuilds the settings from)
     * @param references the shared-seed references ({@code volume:slice} by label) of the finished results
     * @throws IOException when {@code sink} fails (a unit's own failure is a {@link Result#error()})
     */
    void run(String master, List<String> evalArgs, List<Unit> units, Map<String, String> references, Sink sink)
            throws IOException;

    /** The provider on the class path, or an IllegalArgumentException naming what to add. */
    static EvalCluster find() {
        return ServiceLoader.load(EvalCluster.class).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "--spark needs the promptonce-spark module on the class path (spark/target/promptonce-spark.jar "
                        + "and its lib/, which bin/promptonce adds when they exist: build them with "
                        + "mvn -B -DskipTests package)"));
    }
}
