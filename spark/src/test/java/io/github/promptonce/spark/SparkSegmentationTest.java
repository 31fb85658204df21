package io.github.promptonce.spark;

import io.github.promptonce.DefaultModel;
import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Dataset API on a local Spark (two task threads): per-volume prompts, and the broadcast shared seed. */
class SparkSegmentationTest {
    private static final int[] SLICES = {8, 6, 7};
    private static SparkSession spark;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Phantoms.write(tmp, SLICES);
        spark = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> rows(List<Row> rows) {
        StructType schema = new StructType().add("volume", DataTypes.StringType).add("image", DataTypes.StringType)
                .add("label", DataTypes.StringType).add("prompt", DataTypes.StringType)
                .add("object", DataTypes.IntegerType);
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    private static Row phantom(int i, String prompt) {
        String n = Phantoms.name(i) + ".nii.gz";
        return RowFactory.create(null, tmp.resolve("images").resolve(n).toString(),
                tmp.resolve("labels").resolve(n).toString(), prompt, 1);
    }

    @Test
    void segmentsEachRowOnTheExecutorsAndWritesItsMaskThroughHadoop() throws Exception {
        Path masks = tmp.resolve("masks");
        List<Row> in = new ArrayList<>();
        in.add(phantom(0, null)); // prompt from the label
        in.add(phantom(1, null));
        in.add(phantom(2, "3/64,64")); // an explicit click
        in.add(RowFactory.create("missing", tmp.resolve("nope.nii.gz").toString(), null, "1/5,5", 1));
        List<SegmentResult> out = SparkSegmentation.create(spark).withMaskDirectory(masks.toUri().toString())
                .segment(rows(in)).collectAsList().stream()
                .sorted(Comparator.comparing(SegmentResult::getVolume)).toList();
        assertEquals(4, out.size(), out.toString());
        SegmentResult missing = out.get(0);
        assertEquals("missing", missing.getVolume());
        assertEquals("failed", missing.getStatus());
        assertTrue(missing.getError().contains("nope.nii.gz"), missing.getError());
        assertNull(missing.getMask());
        try (Segmenter local = DefaultModel.load(SegmenterOptions.defaults().withThreads(1))) {
            for (int i = 0; i < 3; i++) {
                SegmentResult r = out.get(i + 1);
                assertEquals(Phantoms.name(i), r.getVolume());
                assertEquals("ok", r.getStatus(), r.toString());
                assertEquals(SLICES[i], r.getSlices());
                assertTrue(r.getSeconds() > 0);
                Path mask = Path.of(java.net.URI.create(r.getMask()));
                assertEquals(masks.resolve(Phantoms.name(i) + "_1.nii.gz"), mask);
                // the same mask as this JVM segmenting the volume itself
                Volume image = Volumes.read(tmp.resolve("images").resolve(Phantoms.name(i) + ".nii.gz"));
                SliceSource source = SliceSource.of(image, Window.auto(image));
                VolumeMask truth = VolumeMask.fromVolume(Volumes.read(tmp.resolve("labels")
                        .resolve(Phantoms.name(i) + ".nii.gz")));
                int slice;
                Prompt prompt;
                if (i == 2) {
                    slice = 3;
                    prompt = Prompt.point(64, 64);
                } else {
                    slice = middle(truth);
                    prompt = io.github.promptonce.Prompts.fromMask(inside(truth.slice(slice)), Phantoms.SIDE,
                            Phantoms.SIDE);
                }
                byte[] expected = local.propagate(source, List.of(new ObjectPrompt(1, slice, prompt))).mask(1);
                byte[] written = new byte[expected.length];
                VolumeMask m = VolumeMask.fromVolume(Volumes.read(mask));
                for (int v = 0; v < written.length; v++) {
                    written[v] = (byte) m.get(v);
                }
                assertArrayEquals(expected, written, Phantoms.name(i));
                double dice = io.github.promptonce.metrics.Metrics.compare(truth, m).dice();
                assertEquals(dice, r.getDice(), 1e-12);
                if (i == 0) { // (a demonstration model: not every small phantom is found)
                    assertTrue(r.getDice() > 0.5, "the default model finds the phantom from its label: " + r);
                }
                assertTrue(r.getJaccard() <= r.getDice());
            }
        }
        try (Stream<Path> files = Files.list(masks)) {
            assertEquals(List.of("p1_1.nii.gz", "p2_1.nii.gz", "p3_1.nii.gz"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void sharedSeedEncodesTheReferenceOnceOnTheDriverAndBroadcastsItsMemory() throws Exception {
        List<Row> in = new ArrayList<>();
        for (int i = 0; i < SLICES.length; i++) {
            in.add(phantom(i, null));
        }
        String reference = tmp.resolve("images").resolve("p1.nii.gz").toString();
        Volume refImage = Volumes.read(Path.of(reference));
        VolumeMask refTruth = VolumeMask.fromVolume(Volumes.read(tmp.resolve("labels").resolve("p1.nii.gz")));
        int k = middle(refTruth);
        Prompt click = io.github.promptonce.Prompts.fromMask(inside(refTruth.slice(k)), Phantoms.SIDE, Phantoms.SIDE);
        Prompt.Point p = click.points().get(0);
        String prompt = k + "/" + p.x() + "," + p.y();
        SparkSegmentation.SharedSeedRun run = SparkSegmentation.create(spark).segmentFromReference(reference, prompt,
                rows(in));
        assertEquals(1, run.referenceEncoderCalls(), "the reference is encoded once, on the driver");
        // each volume: every slice once and its middle slice twice (both halves start there); never the reference
        int expected = 0;
        for (int n : SLICES) {
            expected += n + 1;
        }
        assertEquals(expected, run.volumeEncoderCalls(), "executors never encode the reference");
        assertTrue(run.memoryBytes() > 1000, "memory of " + run.memoryBytes() + " bytes");
        List<SegmentResult> out = run.results().collectAsList().stream()
                .sorted(Comparator.comparing(SegmentResult::getVolume)).toList();
        try (Segmenter local = DefaultModel.load(SegmenterOptions.defaults().withThreads(1))) {
            List<SliceSource> sources = new ArrayList<>();
            for (int i = 0; i < SLICES.length; i++) {
                Volume v = Volumes.read(tmp.resolve("images").resolve(Phantoms.name(i) + ".nii.gz"));
                sources.add(SliceSource.of(v, Window.auto(v)));
            }
            var direct = local.propagateDataset(SliceSource.of(refImage, Window.auto(refImage)).slice(k),
                    Prompt.point(p.x(), p.y()), sources, PropagationOptions.defaults());
            for (int i = 0; i < SLICES.length; i++) {
                SegmentResult r = out.get(i);
                assertEquals("ok", r.getStatus(), r.toString());
                VolumeMask truth = VolumeMask.fromVolume(Volumes.read(tmp.resolve("labels")
                        .resolve(Phantoms.name(i) + ".nii.gz")));
                VolumeMask mask = VolumeMask.of(direct.get(i).mask(1), Phantoms.SIDE, Phantoms.SIDE, SLICES[i],
                        truth.geometry());
                assertEquals(io.github.promptonce.metrics.Metrics.compare(truth, mask).dice(), r.getDice(), 1e-12,
                        "the broadcast memory gives what one JVM gives: " + r);
            }
        }
    }

    static int middle(VolumeMask truth) {
        int first = -1;
        int last = -1;
        for (int k = 0; k < truth.nz(); k++) {
            for (byte b : truth.slice(k)) {
                if (b != 0) {
                    first = first < 0 ? k : first;
                    last = k;
                    break;
                }
            }
        }
        return (first + last) / 2;
    }

    static boolean[] inside(byte[] labels) {
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] != 0;
        }
        return out;
    }
}
