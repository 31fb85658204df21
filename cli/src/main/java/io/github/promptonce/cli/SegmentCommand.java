package io.github.promptonce.cli;

import io.github.promptonce.ImageEmbedding;
import io.github.promptonce.ObjectPrompt;
import io.github.promptonce.Prompt;
import io.github.promptonce.PropagationMode;
import io.github.promptonce.PropagationOptions;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.SliceResult;
import io.github.promptonce.SliceSource;
import io.github.promptonce.VolumeSegmentation;
import io.github.promptonce.base.Device;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.overlay.Marker;
import io.github.promptonce.overlay.OverlayStyle;
import io.github.promptonce.overlay.Overlays;
import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.NonFinitePolicy;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code promptonce segment}: prompt one slice, segment the volume (SAM 2) or that slice (SAM). */
@Command(name = "segment", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prompt an object on one slice; SAM 2 propagates it through the whole volume with its memory, SAM (v1) "
                + "segments the prompted slice only. Coordinates are pixels of the original slice: X along the first "
                + "NIfTI axis (image column), Y along the second (image row); --slice indexes the third axis. "
                + "Writes a uint8 0/1 mask with the input's geometry. Progress goes to stderr.",
            "Outputs appear together once all are written (temporary files moved into place); a command that fails "
                + "leaves none. An existing output is refused unless --overwrite; an input never is overwritten.",
            "Exit codes: 0 ok, 2 usage, 3 input error, 4 model error, 1 internal."})
public final class SegmentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    SegOutputOptions maskOutput;

    @Option(names = "--model", paramLabel = "DIR", description = ModelChoice.DEFAULT_DESCRIPTION)
    Path model;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "Volume: NIfTI file, DICOM file or series directory, PNG/TIFF stack.")
    Path inputPath;

    @Option(names = "--slice", required = true, paramLabel = "K", description = "Prompted slice (third axis, 0-based).")
    int slice;

    @Option(names = "--point", paramLabel = "X,Y[,LABEL]",
            description = "A click; LABEL 1 = object (default), 0 = background. Repeatable.")
    List<String> points = new ArrayList<>();

    @Option(names = "--box", paramLabel = "X0,Y0,X1,Y1", description = "A box around the object.")
    String box;

    static final class WindowChoice {
        @Option(names = "--window", paramLabel = "LEVEL,WIDTH", description = "Intensity window (e.g. -650,1500).")
        String levelWidth;

        @Option(names = "--window-preset", paramLabel = "NAME",
                description = "ct-lung, ct-abdomen, ct-mediastinum, ct-bone, ct-brain or auto (default: auto, the "
                        + "0.5-99.5 percentile range of the whole volume).")
        String preset;

        /** The option as given ("auto" when neither is). */
        String spec() {
            return levelWidth != null ? levelWidth : preset != null ? preset : "auto";
        }

        /** The window of {@code volume} (auto: its percentile range). */
        Window resolve(Volume volume) {
            return Window.parse(spec(), volume);
        }

        /** Throws the parse error of a malformed window now, before any volume is read. */
        void check() {
            if (!spec().trim().equalsIgnoreCase("auto")) {
                Window.parse(spec(), null);
            }
        }
    }

    @ArgGroup(exclusive = true)
    WindowChoice window = new WindowChoice();

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "both",
            description = "both (official: forward then reverse from the prompted slice, one memory), halves (the "
                    + "paper's two independent half-volumes), forward, backward. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--out", required = true, paramLabel = "MASK.nii.gz",
            description = "Output mask: NIfTI, or a DICOM SEG when the name ends in .dcm (DICOM input only).")
    Path out;

    @Option(names = "--logits", paramLabel = "LOGITS.nii.gz",
            description = "Also write float32 full-resolution logits (same geometry; -1024 where no pass reached).")
    Path logits;

    @Option(names = "--overlay", paramLabel = "DIR",
            description = "Also write a PNG montage and per-slice PNGs of the windowed slices with the mask.")
    Path overlay;

    @Option(names = "--drift-guard", paramLabel = "K", defaultValue = "0",
            description = "Stop a pass after K consecutive slices where the object is absent (0 = off).")
    int driftGuard;

    @Option(names = "--no-encode-ahead",
            description = "Encode each slice when it is tracked, on all threads. Default: the next slice is encoded "
                    + "on a second thread meanwhile, the threads split between the two (faster; logits equal "
                    + "to within rounding, so a mask voxel can differ only where its logit is that close to 0).")
    boolean noEncodeAhead;

    @Option(names = "--min-object-score", paramLabel = "X|model|none",
            description = ObjectScoreFloor.DESCRIPTION + " SAM 2 only; applied before --largest-component.")
    String minObjectScore;

    @Option(names = "--largest-component", description = "Keep only the largest 3-D connected component.")
    boolean largestComponent;

    @Option(names = "--largest-component-per-slice",
            description = "Keep only the largest connected region of each slice (after --largest-component when "
                    + "both are given): for an object that is one region in every slice; a forking one loses its "
                    + "smaller branches.")
    boolean largestComponentPerSlice;

    @Option(names = "--no-fill-holes",
            description = "Skip SAM 2's small-hole filling (the official code skips it on CPU, where its CUDA kernel "
                    + "is missing: use this to compare with it there).")
    boolean noFillHoles;

    @Option(names = "--timings", paramLabel = "FILE",
            description = "Write a CSV line per propagated slice (step, slice, seconds since the propagation started) "
                    + "for benchmarks (scripts/bench/java-vs-official.sh).")
    Path timings;

    @Option(names = "--overwrite", description = "Replace output files that exist (never an input).")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Prompt prompt = prompt();
        PropagationMode propagationMode = parseMode();
        SegmenterOptions options = runtime.segmenterOptions().withFillHoles(!noFillHoles);
        Device dev = options.device();
        if (driftGuard < 0) {
            throw usage("--drift-guard " + driftGuard + " must be >= 0");
        }
        try (OutputFiles outputs = new OutputFiles(overwrite, List.of(inputPath))) {
            outputs.check(out);
            for (Path p : new Path[] {logits, timings, overlay == null ? null : overlay.resolve("montage.png")}) {
                if (p != null) {
                    outputs.check(p);
                }
            }
            return segment(err, prompt, propagationMode, options, dev, outputs);
        }
    }

    /** Segments, stages every output in {@code outputs} and moves them into place once all are written. */
    private int segment(PrintWriter err, Prompt prompt, PropagationMode propagationMode, SegmenterOptions options,
                        Device dev, OutputFiles outputs) throws Exception {
        Volume volume = Volumes.read(inputPath, input.readOptions(NonFinitePolicy.REJECT));
        maskOutput.check(volume, out);
        if (slice < 0 || slice >= volume.nz()) {
            throw usage("--slice " + slice + " is outside the volume's 0.." + (volume.nz() - 1));
        }
        try {
            prompt.requireInside(volume.nx(), volume.ny());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Window win = window.resolve(volume);
        SliceSource source = SliceSource.of(volume, win);
        long started = System.nanoTime();
        byte[] mask;
        float[] logitValues = null;
        String arch;
        try (Segmenter segmenter = Segmenter.load(ModelChoice.resolve(model, err), options)) {
            arch = segmenter.arch();
            err.printf(Locale.ROOT, "promptonce: %s (%s) on %s, %s, volume %dx%dx%d, window %s%n", segmenter.arch(),
                    segmenter.family().name().toLowerCase(Locale.ROOT), dev, segmenter.runtimeDescription(),
                    volume.nx(), volume.ny(), volume.nz(), win);
            if (segmenter.family() == ModelManifest.Family.SAM && minObjectScore != null) {
                throw usage("--min-object-score needs a SAM 2 model: " + segmenter.arch() + " is SAM (v1), which "
                        + "has no object score");
            }
            double floor;
            try {
                floor = ObjectScoreFloor.resolve(minObjectScore, segmenter.manifest());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            if (minObjectScore != null) {
                err.println("promptonce: object-score floor " + ObjectScoreFloor.describe(floor));
            }
            if (segmenter.family() == ModelManifest.Family.SAM) {
                SliceResult r;
                try (ImageEmbedding e = segmenter.encode(source.slice(slice))) {
                    r = segmenter.predict(e, prompt);
                }
                int plane = volume.nx() * volume.ny();
                mask = new byte[plane * volume.nz()];
                System.arraycopy(r.mask(), 0, mask, slice * plane, plane);
                if (logits != null) {
                    logitValues = new float[mask.length];
                    java.util.Arrays.fill(logitValues, -1024f);
                    System.arraycopy(r.logits(), 0, logitValues, slice * plane, plane);
                }
                err.println("promptonce: SAM (v1) segments the prompted slice only");
            } else {
                boolean terminal = System.console() != null;
                StringBuilder times = new StringBuilder("step,slice,seconds\n");
                long propagationStart = System.nanoTime();
                PropagationOptions po = PropagationOptions.defaults().withMode(propagationMode)
                        .withDriftGuard(driftGuard)
                        .withEncodeAhead(!noEncodeAhead)
                        .withListener((k, done, total) -> {
                            times.append(done).append(',').append(k).append(',')
                                    .append(String.format(Locale.ROOT, "%.6f",
                                            (System.nanoTime() - propagationStart) / 1e9)).append('\n');
                            // a terminal gets one updating line; a log gets a line every 10 %
                            if (terminal) {
                                err.printf(Locale.ROOT, "\rpromptonce: slice %d (%d/%d)", k, done, total).flush();
                            } else if (done == total || done * 10 / total != (done - 1) * 10 / total) {
                                err.printf(Locale.ROOT, "promptonce: %d/%d slices%n", done, total).flush();
                            }
                        });
                VolumeSegmentation v = segmenter.propagate(source, List.of(new ObjectPrompt(1, slice, prompt)), po);
                if (timings != null) {
                    outputs.writeString(timings, times.toString());
                }
                if (terminal) {
                    err.println();
                }
                mask = v.mask(1, floor);
                if (logits != null) {
                    logitValues = v.logits(1);
                }
                v.driftStops(1).forEach(k -> err.println("promptonce: drift guard stopped a pass at slice " + k));
            }
        }
        if (largestComponent) {
            mask = VolumeSegmentation.largestComponent(mask, volume.nx(), volume.ny(), volume.nz());
        }
        if (largestComponentPerSlice) {
            mask = VolumeSegmentation.largestComponentPerSlice(mask, volume.nx(), volume.ny(), volume.nz());
        }
        VolumeMask result = VolumeMask.of(mask, volume.nx(), volume.ny(), volume.nz(), volume.geometry());
        outputs.write(out, f -> maskOutput.write(result, volume, f, arch)); // NIfTI, or a DICOM SEG for .dcm
        if (logitValues != null) {
            Volume logitVolume = volume.withVoxels(logitValues);
            outputs.write(logits, f -> NiftiWriter.write(logitVolume, f));
        }
        if (overlay != null) {
            Map<Integer, List<Marker>> markers = Map.of(slice, markers(prompt));
            outputs.write(overlay.resolve("montage.png"), f -> Overlays.writeMontage(volume, win, result, markers,
                    Axis.K, null, f, OverlayStyle.defaults()));
            outputs.writeInto(overlay, dir -> Overlays.writeSlices(volume, win, result, markers, Axis.K, null, dir,
                    OverlayStyle.defaults()));
        }
        outputs.commit();
        long voxels = 0;
        for (byte b : mask) {
            voxels += b;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        err.printf(Locale.ROOT, "promptonce: wrote %s (%d voxels), %.2f s, %.3f s/slice%n", out, voxels, seconds,
                seconds / volume.nz());
        return ExitCodes.OK;
    }

    private Prompt prompt() {
        List<Prompt.Point> pts = new ArrayList<>();
        for (String p : points) {
            double[] v = numbers("--point", p, 2, 3);
            int label = v.length == 3 ? (int) v[2] : 1;
            if (v.length == 3 && v[2] != 0 && v[2] != 1) {
                throw usage("--point '" + p + "': LABEL must be 1 (object) or 0 (background)");
            }
            pts.add(new Prompt.Point(v[0], v[1], label == 1));
        }
        Prompt.Box b = null;
        if (box != null) {
            double[] v = numbers("--box", box, 4, 4);
            try {
                b = new Prompt.Box(v[0], v[1], v[2], v[3]);
            } catch (IllegalArgumentException e) {
                throw usage("--box '" + box + "': " + e.getMessage());
            }
        }
        if (pts.isEmpty() && b == null) {
            throw usage("give at least one --point or a --box");
        }
        return new Prompt(pts, b);
    }

    private double[] numbers(String option, String text, int min, int max) {
        String[] parts = text.split(",");
        if (parts.length < min || parts.length > max) {
            throw usage(option + " '" + text + "' needs " + (min == max ? min : min + " or " + max)
                    + " comma-separated numbers");
        }
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw usage(option + " '" + text + "': '" + parts[i] + "' is not a number");
            }
            if (!Double.isFinite(v[i])) {
                throw usage(option + " '" + text + "': '" + parts[i] + "' is not finite");
            }
        }
        return v;
    }

    private PropagationMode parseMode() {
        try {
            return PropagationMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usage("--mode '" + mode + "' is not one of both, halves, forward, backward");
        }
    }

    private static List<Marker> markers(Prompt p) {
        List<Marker> m = new ArrayList<>();
        for (Prompt.Point pt : p.points()) {
            m.add(new Marker.Point(pt.x(), pt.y(), pt.positive()));
        }
        if (p.box() != null) {
            m.add(new Marker.Box(p.box().x0(), p.box().y0(), p.box().x1(), p.box().y1()));
        }
        return m;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
