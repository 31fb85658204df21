package io.github.promptonce.spark;

import io.github.promptonce.cli.Main;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * On a real standalone cluster (scripts/spark-cluster.sh, started by Maven before this test and stopped after it:
 * a master and two 1-core workers, each executor its own JVM): the application jar reaches the executors, the shared
 * seed is encoded once for the whole cluster, and eval gives a local run's values.
 */
class SparkClusterIT {
    private static final int[] SLICES = {7, 6, 8, 6};
    @TempDir
    static Path tmp;
    private static String master;
    private static String appJar;

    @BeforeAll
    static void cluster() throws Exception {
        master = System.getProperty("promptonce.spark.master");
        appJar = System.getProperty("promptonce.spark.appJar");
        if (master == null || appJar == null || !Files.isRegularFile(Path.of(appJar))) {
            fail("run through mvn verify (the cluster and the application jar come from the build): master "
                    + master + ", jar " + appJar);
        }
        Phantoms.write(tmp, SLICES);
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.jars", appJar);
    }

    @Test
    void sharedSeedIsEncodedOnceForTheWholeCluster() throws Exception {
        SparkSession spark = SparkSession.builder().master(master).appName("promptonce-it").getOrCreate();
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < SLICES.length; i++) {
                String n = Phantoms.name(i) + ".nii.gz";
                rows.add(RowFactory.create(tmp.resolve("images").resolve(n).toString(),
                        tmp.resolve("labels").resolve(n).toString()));
            }
            Dataset<Row> in = spark.createDataFrame(rows, new StructType().add("image", DataTypes.StringType)
                    .add("label", DataTypes.StringType)).repartition(SLICES.length);
            SparkSegmentation.SharedSeedRun run = SparkSegmentation.create(spark)
                    .withMaskDirectory(tmp.resolve("masks").toUri().toString())
                    .segmentFromReference(tmp.resolve("images/p1.nii.gz").toString(), "3/64,64", in);
            assertEquals(3, spark.sparkContext().getExecutorMemoryStatus().size(), "the driver and two executors");
            assertEquals(1, run.referenceEncoderCalls(), "the reference: once, on the driver");
            int expected = 0;
            for (int n : SLICES) {
                expected += n + 1;
            }
            assertEquals(expected, run.volumeEncoderCalls(), "the executors encode the volumes' slices only");
            List<SegmentResult> out = run.results().collectAsList();
            assertEquals(SLICES.length, out.size());
            for (SegmentResult r : out) {
                assertEquals("ok", r.getStatus(), r.toString());
                assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(r.getMask()))), r.getMask());
            }
        } finally {
            spark.stop();
        }
    }

    @Test
    void evalOnTheClusterGivesTheLocalRunsValues() throws Exception {
        String[] common = {"eval", "--images", tmp.resolve("images").toString(), "--labels",
            tmp.resolve("labels").toString(), "--threads", "1", "--protocol", "seed,shared-seed"};
        StringWriter err = new StringWriter();
        List<String> local = new ArrayList<>(List.of(common));
        local.addAll(List.of("--out", tmp.resolve("local").toString()));
        assertEquals(0, Main.run(local.toArray(String[]::new), new PrintWriter(new StringWriter()),
                new PrintWriter(err)), err.toString());
        List<String> cluster = new ArrayList<>(List.of(common));
        cluster.addAll(List.of("--out", tmp.resolve("cluster").toString(), "--spark", master));
        StringWriter err2 = new StringWriter();
        assertEquals(0, Main.run(cluster.toArray(String[]::new), new PrintWriter(new StringWriter()),
                new PrintWriter(err2)), err2.toString());
        assertTrue(err2.toString().contains("on Apache Spark " + master), err2.toString());
        List<String> expected = EvalCsv.withoutTimes(tmp.resolve("local/per_volume.csv"));
        assertEquals(SLICES.length * 2, expected.size());
        assertEquals(expected, EvalCsv.withoutTimes(tmp.resolve("cluster/per_volume.csv")));
    }
}
