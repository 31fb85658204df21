package io.github.promptonce.cli;

import io.github.promptonce.PropagationMode;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.base.Precision;
import io.github.promptonce.cli.eval.Dataset;
import io.github.promptonce.cli.eval.EvalCluster;
import io.github.promptonce.cli.eval.EvalModel;
import io.github.promptonce.cli.eval.EvalModels;
import io.github.promptonce.cli.eval.EvalRun;
import io.github.promptonce.cli.eval.LabelMode;
import io.github.promptonce.cli.eval.MaskFiles;
import io.github.promptonce.cli.eval.Protocol;
import io.github.promptonce.cli.eval.SeedRule;
import io.github.promptonce.cli.eval.SettingsMismatchException;
import io.github.promptonce.volume.NonFinitePolicy;
import io.github.promptonce.volume.ReadOptions;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code promptonce eval}: the seed paper's protocol on a labelled dataset, for one or more models. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Evaluate models on a labelled dataset with the seed paper's protocols: per-slice (image mode, a prompt "
                + "from the truth on every slice holding the structure; any model), seed (SAM 2: one prompt on the "
                + "seed slice of each volume, propagated) and shared-seed (SAM 2: one prompt for the whole dataset, "
                + "on the seed slice of the first volume by name, via propagateDataset). Prompts are derived from "
                + "the truth mask (Prompts.fromMask: a positive point per component, a negative point between them, "
                + "their box). SAM (v1) models run per-slice only (said on stderr).",
            "Writes to --out: per_slice.csv, per_volume.csv (Dice, Jaccard, 3-D Dice, false-positive slices, time "
                + "per slice, prompts), failures.csv, summary.csv and summary.md (mean ± sd per model, protocol and "
                + "label; prompts saved against per-slice; also printed), ttest.csv (paired t-tests SAM per-slice vs "
                + "each SAM 2 protocol on per-slice scores), dice_boxplot.png, slices-<volume>.png.",
            "Resumable: per_volume.csv is the ledger; a rerun into the same --out skips every (model, protocol, "
                + "volume) already there and retries failed ones. A volume that fails is reported and the run goes on.",
            "Exit codes: 0 ok, 5 some volumes failed (see failures.csv), 2 usage, 3 input error, 4 model error, "
                + "1 internal."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Image volumes: NIfTI files (.nii, .nii.gz) or DICOM series directories; with --labels.")
    Path images;

    @Option(names = "--labels", paramLabel = "DIR",
            description = "Label NIfTI files, paired with --images by name (file name without .nii/.nii.gz); "
                    + "unpaired files are reported.")
    Path labels;

    @Option(names = "--pairs", paramLabel = "CSV",
            description = "Instead of --images/--labels: 'image,label' per line, paths relative to the CSV's "
                    + "directory (an image may be a DICOM series directory).")
    Path pairs;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory exported by models/export.py; repeatable (e.g. a SAM and a SAM 2 model, "
                    + "measured in the same run). Default: the embedded " + io.github.promptonce.DefaultModel.ARCH
                    + " (a demonstration model trained on synthetic phantoms).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--protocol", paramLabel = "P", split = ",",
            description = "per-slice, seed, shared-seed; repeatable or comma-separated (default: all three).")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--labels-mode", paramLabel = "MODE", defaultValue = "merge",
            description = "merge (the selected label values are one structure, e.g. both lungs) or per-label "
                    + "(each value is its own structure). Default: ${DEFAULT-VALUE}.")
    String labelsMode;

    @Option(names = "--label", paramLabel = "VALUE", split = ",",
            description = "Label value to use (1..255); repeatable or comma-separated (default: every non-zero value).")
    List<Integer> labelValues = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "both",
            description = "Propagation of the seed protocol: both (official: forward then reverse, one memory) or "
                    + "halves (the paper's two independent half-volumes). shared-seed always runs halves. "
                    + "Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--seed-slice", paramLabel = "RULE", defaultValue = "structure",
            description = "The seed (and shared-seed reference) slice: structure (middle of the slices holding the "
                    + "structure, (first + last) / 2) or volume (slices / 2, the paper's frames // 2); the nearest "
                    + "slice holding the structure when that one does not. Default: ${DEFAULT-VALUE}.")
    String seedSlice;

    @ArgGroup(exclusive = true)
    SegmentCommand.WindowChoice window = new SegmentCommand.WindowChoice();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Results directory (created).")
    Path out;

    @Option(names = "--force", description = "Delete the results already in --out and start over.")
    boolean force;

    @Option(names = "--save-masks", paramLabel = "FORMAT", split = ",",
            description = "Also write every predicted mask under --out/masks/MODEL/PROTOCOL/: nifti "
                    + "(VOLUME_LABEL.nii.gz) and/or seg (VOLUME_LABEL.dcm, a DICOM SEG; DICOM images only); "
                    + "comma-separated.")
    List<String> saveMasks = new ArrayList<>();

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run the (model, protocol, volume) units as Apache Spark tasks on MASTER (spark://HOST:PORT, "
                    + "local[N], ...); needs the promptonce-spark module (spark/target, added by bin/promptonce when "
                    + "built). Paths must be reachable by the workers; the ledger and report stay here.")
    String spark;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputFiles.checkDirectory(this.out, java.util.Arrays.asList(images, labels, pairs));
        EvalRun.ClusterTarget target = null;
        if (spark != null) {
            EvalCluster cluster = parse("--spark", EvalCluster::find);
            // the tasks parse these again, in another working directory: paths are made absolute first
            target = new EvalRun.ClusterTarget(cluster, spark, taskArgs(spec.commandLine().getParseResult()
                    .originalArgs(), Path.of("").toAbsolutePath()));
        }
        EvalRun.Config config = config(err);
        EvalRun.Report report;
        try {
            report = target == null ? EvalRun.run(config, out, err) : EvalRun.run(config, target, out, err);
        } catch (SettingsMismatchException e) {
            throw usage(e.getMessage());
        }
        return report.failed() > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }

    /**
     * The settings of {@code eval ARGS} without running it: what a cluster task rebuilds from the command's
     * arguments ({@link EvalCluster}).
     *
     * @throws IllegalArgumentException when the arguments do not parse (the driver parsed them first)
     */
    public static EvalRun.Config configFor(List<String> args, PrintWriter err) throws Exception {
        EvalCommand command = new EvalCommand();
        picocli.CommandLine line = new picocli.CommandLine(command);
        try {
            line.parseArgs(args.toArray(String[]::new));
            return command.config(err);
        } catch (ParameterException e) {
            throw new IllegalArgumentException("eval " + String.join(" ", args) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The arguments of this eval command alone (without what precedes {@code eval}), each path option's value made
     * absolute against {@code base}.
     */
    static List<String> taskArgs(List<String> original, Path base) {
        int start = original.indexOf("eval") + 1;
        List<String> args = new ArrayList<>(original.subList(start, original.size()));
        java.util.Set<String> pathOptions = java.util.Set.of("--images", "--labels", "--pairs", "--model", "--out");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            if (eq > 0 && pathOptions.contains(a.substring(0, eq))) {
                args.set(i, a.substring(0, eq + 1) + base.resolve(a.substring(eq + 1)));
            } else if (pathOptions.contains(a) && i + 1 < args.size()) {
                args.set(i + 1, base.resolve(args.get(i + 1)).toString());
                i++;
            }
        }
        return args;
    }

    private EvalRun.Config config(PrintWriter err) throws Exception {
        Dataset dataset = dataset();
        List<Protocol> chosen = protocols();
        LabelMode labelMode = parse("--labels-mode", () -> LabelMode.parse(labelsMode));
        SeedRule rule = parse("--seed-slice", () -> SeedRule.parse(seedSlice));
        PropagationMode propagation = parse("--mode", () -> PropagationMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
        if (propagation != PropagationMode.BOTH && propagation != PropagationMode.HALVES) {
            throw usage("--mode '" + mode + "' is not one of both, halves");
        }
        SortedSet<Integer> selected = new TreeSet<>(labelValues);
        for (int v : selected) {
            if (v < 1 || v > 255) {
                throw usage("--label " + v + " must be 1..255");
            }
        }
        parse("--window", () -> {
            window.check();
            return null;
        });
        SegmenterOptions options = runtime.segmenterOptions();
        List<EvalModel> resolved = parse("--model", () -> models.isEmpty()
                ? List.of(EvalModels.defaultModel(ModelChoice.resolve(null, err)))
                : EvalModels.resolve(models));
        ReadOptions readOptions = input.readOptions(NonFinitePolicy.REJECT);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("labels-mode", labelMode.id());
        settings.put("labels", selected.isEmpty() ? "all" : selected.stream().map(String::valueOf)
                .collect(Collectors.joining(",")));
        settings.put("window", window.spec());
        settings.put("mode", propagation.name().toLowerCase(Locale.ROOT));
        settings.put("seed-slice", rule.id());
        settings.put("volume", Integer.toString(input.volume));
        settings.put("series", input.series == null ? "" : input.series);
        settings.put("spacing", input.spacing == null ? "" : input.spacing);
        settings.put("non-finite", input.nonFinite == null ? "reject" : input.nonFinite);
        if (options.precision() != Precision.FP32) { // absent = fp32, so runs from before --precision still resume
            settings.put("precision", options.precision().toString());
        }
        EvalRun.Config config = new EvalRun.Config(dataset, resolved, chosen, readOptions, window::resolve, labelMode,
                selected, propagation, rule, options, this.out, force, settings, saveMasks());
        err.printf(Locale.ROOT, "promptonce: eval: %d volume(s), model(s) %s, protocol(s) %s, labels %s%n",
                dataset.items().size(), resolved.stream().map(EvalModel::name).toList(),
                chosen.stream().map(Protocol::id).toList(), labelMode.id());
        return config;
    }

    private Dataset dataset() throws Exception {
        if (pairs != null) {
            if (images != null || labels != null) {
                throw usage("give either --pairs or --images with --labels, not both");
            }
            return Dataset.fromCsv(pairs);
        }
        if (images == null || labels == null) {
            throw usage("give --images DIR with --labels DIR, or --pairs CSV");
        }
        return Dataset.fromDirectories(images, labels);
    }

    private java.util.Set<MaskFiles.Format> saveMasks() {
        java.util.Set<MaskFiles.Format> formats = java.util.EnumSet.noneOf(MaskFiles.Format.class);
        try {
            for (String f : saveMasks) {
                formats.add(MaskFiles.Format.parse(f.trim()));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return formats;
    }

    private List<Protocol> protocols() {
        if (protocols.isEmpty()) {
            return List.of(Protocol.values());
        }
        List<Protocol> out = new ArrayList<>();
        for (String p : protocols) {
            Protocol parsed = parse("--protocol", () -> Protocol.parse(p));
            if (!out.contains(parsed)) {
                out.add(parsed);
            }
        }
        return out;
    }

    private <T> T parse(String option, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
