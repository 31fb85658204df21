package io.github.promptonce.spark;

import io.github.promptonce.ReferenceMemory;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Segments volumes as Spark tasks: one row per (volume, object) in, one {@link SegmentResult} row out, masks written
 * through Hadoop's FileSystem. Each executor JVM loads the model once (lazily, per model, backend and threads) and
 * closes it when it exits; the native library and the default model come from the promptonce jar, so workers need
 * nothing installed.
 *
 * <p>Input columns (a {@code Dataset<Row>}, e.g. read from a CSV with a header): {@code image} (required: a NIfTI
 * file or DICOM series directory, a path or Hadoop URI the executors reach), {@code volume} (name; default the
 * image's file name stem), {@code label} (a label volume on the same grid: Dice and Jaccard, and the prompt when
 * none is given), {@code prompt} ({@code SLICE/X,Y}, {@code SLICE/X,Y/X0,Y0,X1,Y1} or {@code SLICE//X0,Y0,X1,Y1}),
 * {@code object} (object id and label value, default 1). Every other column is ignored.
 *
 * <p>Immutable: each {@code with...} returns a copy. Example:
 * <pre>{@code
 * Dataset<Row> in = spark.read().option("header", true).csv("hdfs:///ct/requests.csv");
 * Dataset<SegmentResult> out = SparkSegmentation.create(spark).withMaskDirectory("hdfs:///ct/masks").segment(in);
 * out.toDF().write().parquet("hdfs:///ct/results");
 * }</pre>
 */
public final class SparkSegmentation {
    /** The accumulator's name: image encoder runs on the executors. */
    public static final String ENCODER_CALLS = "promptonce.imageEncoderCalls";

    private final SparkSession spark;
    private final SegmentSettings settings;

    private SparkSegmentation(SparkSession spark, SegmentSettings settings) {
        this.spark = spark;
        this.settings = settings;
    }

    /** The default model, backend {@code auto}, one intra-op thread per task, window {@code auto}, no masks. */
    public static SparkSegmentation create(SparkSession spark) {
        return new SparkSegmentation(Objects.requireNonNull(spark, "spark"),
                new SegmentSettings(null, "auto", 1, "auto", null));
    }

    /**
     * A model directory every executor reaches (a shared path), or one shipped with {@code --files}-like
     * {@code SparkContext.addFile(dir, true)} (give the same path: executors use their copy). Null: the default
     * model embedded in the promptonce jar.
     */
    public SparkSegmentation withModel(String model) {
        return new SparkSegmentation(spark, new SegmentSettings(model, settings.backend(), settings.threads(),
                settings.window(), settings.maskDirectory()));
    }

    /** {@code native}, {@code javacpp} or {@code auto}. @throws IllegalArgumentException for another name */
    public SparkSegmentation withBackend(String backend) {
        return new SparkSegmentation(spark, new SegmentSettings(settings.model(), backend, settings.threads(),
                settings.window(), settings.maskDirectory()));
    }

    /**
     * LibTorch intra-op threads per segmenter: one per core an executor runs tasks on (default 1, for executors of
     * one core; more threads than cores only make the tasks of one machine fight over them).
     */
    public SparkSegmentation withThreads(int threads) {
        return new SparkSegmentation(spark, new SegmentSettings(settings.model(), settings.backend(), threads,
                settings.window(), settings.maskDirectory()));
    }

    /** {@code auto} (0.5–99.5 percentiles of each volume), a preset ({@code ct-lung}, ...) or {@code LEVEL,WIDTH}. */
    public SparkSegmentation withWindow(String window) {
        return new SparkSegmentation(spark, new SegmentSettings(settings.model(), settings.backend(),
                settings.threads(), window, settings.maskDirectory()));
    }

    /** Where masks go, {@code VOLUME_OBJECT.nii.gz} (any Hadoop URI the executors reach); null: no masks. */
    public SparkSegmentation withMaskDirectory(String directory) {
        return new SparkSegmentation(spark, new SegmentSettings(settings.model(), settings.backend(),
                settings.threads(), settings.window(), directory));
    }

    /** Input rows as {@link SegmentRequest}s (the columns the class documents; others ignored). */
    public static Dataset<SegmentRequest> requests(Dataset<Row> rows) {
        StructType schema = rows.schema();
        if (!List.of(schema.fieldNames()).contains("image")) {
            throw new IllegalArgumentException("input rows need an 'image' column; they have "
                    + List.of(schema.fieldNames()));
        }
        List<String> names = List.of(schema.fieldNames());
        return rows.map((org.apache.spark.api.java.function.MapFunction<Row, SegmentRequest>) row -> {
            SegmentRequest r = new SegmentRequest();
            r.setImage(string(row, names, "image"));
            r.setVolume(string(row, names, "volume"));
            r.setLabel(string(row, names, "label"));
            r.setPrompt(string(row, names, "prompt"));
            String object = string(row, names, "object");
            r.setObject(object == null || object.isBlank() ? 1 : Integer.parseInt(object.trim()));
            return r;
        }, Encoders.bean(SegmentRequest.class));
    }

    private static String string(Row row, List<String> names, String column) {
        int i = names.indexOf(column);
        return i < 0 || row.isNullAt(i) ? null : String.valueOf(row.get(i));
    }

    /** Segments every row, each prompted once on its own volume. Lazy, like any Dataset transformation. */
    public Dataset<SegmentResult> segment(Dataset<Row> rows) {
        SegmentSettings s = settings;
        Broadcast<SerializableConfiguration> conf = hadoopConf();
        LongAccumulator encodes = encoderAccumulator();
        return requests(rows).mapPartitions((MapPartitionsFunction<SegmentRequest, SegmentResult>) it -> {
            ExecutorSegmenters.Entry e = ExecutorSegmenters.get(s);
            List<SegmentResult> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(VolumeTask.segment(it.next(), s, e.segmenter, conf.value().value()));
            }
            encodes.add(e.unreportedEncoderCalls());
            return out.iterator();
        }, resultEncoder());
    }

    /**
     * What {@link #segmentFromReference} did: the results (cached and already computed), the encoder runs of the
     * reference on the driver and of the volumes on the executors, and the broadcast memory's size and the time to
     * make it (encode, prompt and serialize the reference; the model's loading and the volume's reading excluded).
     */
    public record SharedSeedRun(Dataset<SegmentResult> results, long referenceEncoderCalls, long volumeEncoderCalls,
                                int memoryBytes, double referenceSeconds) {
    }

    /**
     * The shared-seed protocol: the reference slice is encoded and prompted once, here on the driver; its SAM 2
     * memory ({@link ReferenceMemory}) is serialized once and broadcast, and every executor propagates each volume
     * from it (both halves from the volume's middle slice, {@link Segmenter#propagateDataset}). The rows' prompts
     * are ignored; their labels give Dice and Jaccard of object 1.
     *
     * @param referenceImage the reference volume (path or Hadoop URI the driver reaches)
     * @param prompt         {@code SLICE/X,Y[/X0,Y0,X1,Y1]} on it
     */
    public SharedSeedRun segmentFromReference(String referenceImage, String prompt, Dataset<Row> rows)
            throws IOException {
        PromptSpec spec = PromptSpec.parse(prompt);
        SegmentSettings s = settings;
        byte[] bytes;
        long referenceEncodes;
        double referenceSeconds;
        Path tmp = Files.createTempDirectory("promptonce-reference-");
        // a segmenter of its own (not this JVM's shared one): in local mode the driver is also the executor, and
        // the executors' count must not include the reference
        try (Segmenter driver = s.model() == null ? io.github.promptonce.DefaultModel.load(s.options())
                : Segmenter.load(ExecutorSegmenters.modelDirectory(s.model()), s.options())) {
            Volume v = Volumes.read(HadoopFiles.local(referenceImage, tmp, spark.sparkContext().hadoopConfiguration()));
            SliceSource source = SliceSource.of(v, Window.parse(s.window(), v));
            if (spec.slice() < 0 || spec.slice() >= source.sliceCount()) {
                throw new IllegalArgumentException("reference slice " + spec.slice() + " outside 0.."
                        + (source.sliceCount() - 1) + " of " + referenceImage);
            }
            long before = driver.imageEncoderCalls();
            long t0 = System.nanoTime();
            try (ReferenceMemory memory = driver.promptReference(source.slice(spec.slice()), spec.prompt())) {
                bytes = memory.toBytes();
            }
            referenceSeconds = (System.nanoTime() - t0) / 1e9;
            referenceEncodes = driver.imageEncoderCalls() - before;
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Broadcast<byte[]> memory = spark.sparkContext().broadcast(bytes,
                scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
        Broadcast<SerializableConfiguration> conf = hadoopConf();
        LongAccumulator encodes = encoderAccumulator();
        long broadcastId = memory.id();
        Dataset<SegmentResult> results = requests(rows).mapPartitions(
                (MapPartitionsFunction<SegmentRequest, SegmentResult>) it -> {
                    ExecutorSegmenters.Entry e = ExecutorSegmenters.get(s);
                    ReferenceMemory reference = ExecutorReferences.get(broadcastId, e.segmenter, memory);
                    List<SegmentResult> out = new ArrayList<>();
                    while (it.hasNext()) {
                        out.add(VolumeTask.fromReference(it.next(), s, e.segmenter, reference, conf.value().value()));
                    }
                    encodes.add(e.unreportedEncoderCalls());
                    return out.iterator();
                }, resultEncoder()).cache();
        results.count(); // computed once here, so the accumulator holds this run's exact count
        return new SharedSeedRun(results, referenceEncodes, encodes.value(), bytes.length, referenceSeconds);
    }

    private Broadcast<SerializableConfiguration> hadoopConf() {
        Configuration c = spark.sparkContext().hadoopConfiguration();
        return spark.sparkContext().broadcast(new SerializableConfiguration(c),
                scala.reflect.ClassTag$.MODULE$.apply(SerializableConfiguration.class));
    }

    private LongAccumulator encoderAccumulator() {
        return spark.sparkContext().longAccumulator(ENCODER_CALLS);
    }

    private static Encoder<SegmentResult> resultEncoder() {
        return Encoders.bean(SegmentResult.class);
    }
}
