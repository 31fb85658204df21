package io.github.promptonce.spark;

import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.Prompts;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.ReferenceMemory;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.metrics.Metrics;
import io.github.promptonce.metrics.SegmentationScore;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An executor's work on one request: read the volume (and label), prompt (given, or from the label's object on the
 * middle slice of its extent), segment with this JVM's segmenter, score, write the mask. Any failure becomes a
 * {@code failed} row naming the volume and the cause, so one bad volume does not stop a job.
 */
final class VolumeTask {
    private VolumeTask() {
    }

    /** Prompted once on the volume itself ({@link Segmenter#propagate}). */
    static SegmentResult segment(SegmentRequest r, SegmentSettings settings, Segmenter segmenter, Configuration conf) {
        return run(r, settings, conf, (source, truth) -> {
            PromptSpec spec = r.getPrompt() != null && !r.getPrompt().isBlank() ? PromptSpec.parse(r.getPrompt())
                    : fromLabel(r, truth, source);
            VolumeSegmentation v = segmenter.propagate(source, List.of(new ObjectPrompt(r.getObject(), spec.slice(),
                    spec.prompt())));
            return new Segmented(v.mask(r.getObject()), v.slicesSegmented(r.getObject()));
        });
    }

    /** From a shared reference's memory ({@link Segmenter#propagateDataset}): no prompt on the volume. */
    static SegmentResult fromReference(SegmentRequest r, SegmentSettings settings, Segmenter segmenter,
                                       ReferenceMemory reference, Configuration conf) {
        return run(r, settings, conf, (source, truth) -> {
            VolumeSegmentation v = segmenter.propagateDataset(reference, List.of(source),
                    PropagationOptions.defaults()).get(0);
            return new Segmented(v.mask(1), v.slicesSegmented(1));
        });
    }

    private record Segmented(byte[] mask, int slices) {
    }

    private interface Work {
        Segmented apply(SliceSource source, VolumeMask truth);
    }

    private static SegmentResult run(SegmentRequest r, SegmentSettings settings, Configuration conf, Work work) {
        String name = name(r);
        Path tmp = null;
        try {
            if (r.getImage() == null || r.getImage().isBlank()) {
                throw new IllegalArgumentException("the row has no image");
            }
            tmp = Files.createTempDirectory("promptonce-spark-");
            Volume image = Volumes.read(HadoopFiles.local(r.getImage(), tmp.resolve("image"), conf));
            VolumeMask truth = null;
            if (r.getLabel() != null && !r.getLabel().isBlank()) {
                truth = VolumeMask.fromVolume(Volumes.read(HadoopFiles.local(r.getLabel(), tmp.resolve("label"),
                        conf)));
                if (truth.nx() != image.nx() || truth.ny() != image.ny() || truth.nz() != image.nz()) {
                    throw new IllegalArgumentException("label " + r.getLabel() + " is " + dims(truth.dims())
                            + ", the image " + dims(new int[] {image.nx(), image.ny(), image.nz()}));
                }
            }
            SliceSource source = SliceSource.of(image, Window.parse(settings.window(), image));
            long t0 = System.nanoTime();
            Segmented s = work.apply(source, truth);
            double seconds = (System.nanoTime() - t0) / 1e9;
            VolumeMask predicted = VolumeMask.of(s.mask(), image.nx(), image.ny(), image.nz(), image.geometry());
            Double dice = null;
            Double jaccard = null;
            if (truth != null) {
                SegmentationScore score = Metrics.compare(truth, predicted, io.github.promptonce.volume.Axis.K,
                        r.getObject(), 1);
                dice = score.dice();
                jaccard = score.jaccard();
            }
            String mask = null;
            if (settings.maskDirectory() != null) {
                Path local = tmp.resolve("mask.nii.gz");
                NiftiWriter.writeMask(predicted, local);
                mask = HadoopFiles.publish(local, settings.maskDirectory(), name + "_" + r.getObject() + ".nii.gz",
                        conf);
            }
            return SegmentResult.ok(name, r.getObject(), dice, jaccard, s.slices(), seconds, mask);
        } catch (RuntimeException | IOException e) {
            return SegmentResult.failed(name, r.getObject(), e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** The prompt derived from the label's object: Prompts.fromMask on the middle slice of its extent. */
    private static PromptSpec fromLabel(SegmentRequest r, VolumeMask truth, SliceSource source) {
        if (truth == null) {
            throw new IllegalArgumentException("the row has neither a prompt nor a label to derive one from");
        }
        int first = -1;
        int last = -1;
        for (int k = 0; k < truth.nz(); k++) {
            if (holds(truth.slice(k), r.getObject())) {
                first = first < 0 ? k : first;
                last = k;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("label " + r.getLabel() + " holds no voxel of object "
                    + r.getObject());
        }
        int k = (first + last) / 2;
        while (!holds(truth.slice(k), r.getObject())) {
            k++; // the middle of the extent may be a gap; the next slice holding it (last does)
        }
        byte[] labels = truth.slice(k);
        boolean[] inside = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            inside[i] = (labels[i] & 0xff) == r.getObject();
        }
        Prompt p = Prompts.fromMask(inside, source.width(), source.height());
        return new PromptSpec(k, p);
    }

    private static boolean holds(byte[] labels, int value) {
        for (byte b : labels) {
            if ((b & 0xff) == value) {
                return true;
            }
        }
        return false;
    }

    static String name(SegmentRequest r) {
        if (r.getVolume() != null && !r.getVolume().isBlank()) {
            return r.getVolume();
        }
        String image = r.getImage() == null ? "?" : r.getImage().replaceAll("/+$", "");
        String n = image.substring(image.lastIndexOf('/') + 1);
        return n.replaceFirst("(?i)\\.nii(\\.gz)?$", "");
    }

    private static String dims(int[] d) {
        return d[0] + "x" + d[1] + "x" + d[2];
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the row for
        }
    }
}
