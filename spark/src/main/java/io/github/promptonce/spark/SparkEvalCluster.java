package io.github.promptonce.spark;

import io.github.promptonce.cli.eval.EvalCluster;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code promptonce eval --spark MASTER}: each (model, protocol, volume) unit is a Spark task ({@link EvalTask}).
 * Units go out in waves of a few per core, and each wave's results are appended to the ledger here as soon as it
 * is back, so a run stopped half-way resumes from the finished waves. A task that fails is retried by Spark
 * ({@code spark.task.maxFailures}; {@code local[N,F]} locally); on its last attempt the failure is returned instead
 * and lands in {@code failures.csv}, and the run goes on.
 */
public final class SparkEvalCluster implements EvalCluster {
    /** Units per core in one wave: enough to keep every core busy, few enough to append results often. */
    private static final int UNITS_PER_CORE = 2;
    /** Test hook: {@code VOLUME:N} fails the first N attempts of that volume's units (as a lost executor would). */
    static final String FAIL_ATTEMPTS = "spark.promptonce.test.failAttempts";

    @Override
    public String name() {
        return "Apache Spark";
    }

    @Override
    public void run(String master, List<String> evalArgs, List<Unit> units, Map<String, String> references,
                    Sink sink) throws IOException {
        boolean ours = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().master(master).appName("promptonce eval").config(conf())
                .getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int attempts = maxAttempts(jsc.master(), jsc.getConf());
            String failAttempts = jsc.getConf().get(FAIL_ATTEMPTS, "");
            EvalTask task = new EvalTask(List.copyOf(evalArgs), Map.copyOf(references), attempts, failAttempts);
            int wave = Math.max(1, jsc.defaultParallelism() * UNITS_PER_CORE);
            for (int from = 0; from < units.size(); from += wave) {
                List<Unit> slice = new ArrayList<>(units.subList(from, Math.min(units.size(), from + wave)));
                List<Result> results = jsc.parallelize(slice, slice.size()).map(task::run).collect();
                for (Result r : results) {
                    sink.accept(r);
                }
            }
        } finally {
            if (ours) {
                spark.stop();
            }
        }
    }

    /**
     * Settings for a session this command creates: the application jar for the executors (the one holding this
     * class, when it is the shaded application jar), unless spark.jars is given.
     */
    private static SparkConf conf() {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.jars")) {
            String jar = applicationJar();
            if (jar != null) {
                conf.set("spark.jars", jar);
            }
        }
        return conf;
    }

    /** The shaded application jar this class was loaded from, or null (classes on a plain class path). */
    static String applicationJar() {
        try {
            java.net.URL where = SparkEvalCluster.class.getProtectionDomain().getCodeSource().getLocation();
            java.nio.file.Path p = java.nio.file.Path.of(where.toURI());
            return p.getFileName().toString().endsWith("-app.jar") ? p.toString() : null;
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }

    /** How many times Spark runs a failing task: local masters say it in local[N,F] (default 1), clusters in conf. */
    static int maxAttempts(String master, SparkConf conf) {
        Matcher m = Pattern.compile("local\\[[^,\\]]+,\\s*(\\d+)\\]").matcher(master);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        if (master.startsWith("local")) {
            return 1;
        }
        return conf.getInt("spark.task.maxFailures", 4);
    }
}
