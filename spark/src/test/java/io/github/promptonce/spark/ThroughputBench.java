package io.github.promptonce.spark;

import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.NiftiWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: scripts/bench/spark-throughput.sh runs it against a cluster. Segments N phantoms (256 x 256 x 32, the
 * demo's size; prompt from the label) with the default model, once to warm the executors up, then timed; then the
 * shared seed (broadcast size and time). Args: MASTER APP_JAR DIR N WORKERS.
 */
public final class ThroughputBench {
    public static void main(String[] args) throws Exception {
        String master = args[0];
        Path dir = Path.of(args[2]);
        int n = Integer.parseInt(args[3]);
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        List<Row> rows = new ArrayList<>();
        for (int s = 1; s <= n; s++) {
            Path image = dir.resolve("images/v" + s + ".nii.gz");
            Path label = dir.resolve("labels/v" + s + ".nii.gz");
            if (!Files.exists(label)) {
                Phantom p = PhantomGenerator.generate(256, 256, 32, s, Phantom.Shape.ANY, Phantom.Modality.CT);
                NiftiWriter.write(p.volume(), image);
                NiftiWriter.writeMask(p.truth(), label);
            }
            rows.add(RowFactory.create(image.toString(), label.toString()));
        }
        SparkSession spark = SparkSession.builder().master(master).appName("promptonce-bench")
                .config("spark.jars", args[1]).config("spark.ui.enabled", "false").getOrCreate();
        try {
            StructType schema = new StructType().add("image", DataTypes.StringType).add("label", DataTypes.StringType);
            Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(n);
            int wanted = Integer.parseInt(args[4]);
            for (int i = 0; i < 120 && spark.sparkContext().getExecutorMemoryStatus().size() - 1 < wanted; i++) {
                Thread.sleep(500); // executors register a few seconds after the session starts
            }
            int executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
            SparkSegmentation seg = SparkSegmentation.create(spark).withThreads(1);
            // warm-up: every executor loads the model and runs LibTorch's first calls
            int warm = Math.min(n, 2 * executors);
            seg.segment(spark.createDataFrame(rows.subList(0, warm), schema).repartition(warm)).count();
            long t0 = System.nanoTime();
            long ok = seg.segment(in).filter("status = 'ok'").count();
            double seconds = (System.nanoTime() - t0) / 1e9;
            SparkSegmentation.SharedSeedRun shared = seg.segmentFromReference(dir.resolve("images/v1.nii.gz")
                    .toString(), "16/128,128", spark.createDataFrame(rows.subList(0, 1), schema));
            System.out.printf(Locale.ROOT, "RESULT executors=%d volumes=%d ok=%d seconds=%.2f volumes_per_minute=%.2f"
                            + " broadcast_bytes=%d reference_seconds=%.3f%n", executors, n, ok, seconds,
                    n * 60 / seconds, shared.memoryBytes(), shared.referenceSeconds());
        } finally {
            spark.stop();
        }
    }
}
