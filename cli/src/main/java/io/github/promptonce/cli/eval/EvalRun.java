package io.github.promptonce.cli.eval;

import io.github.promptonce.PropagationMode;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.cli.OutputFiles;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.volume.ReadOptions;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeFormatException;
import io.github.promptonce.volume.Window;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * Runs an evaluation: every model × applicable protocol × volume not yet in the ledger, one model loaded (and warmed
 * up, untimed) at a time, each volume read once per model; then the summary, the t-tests and the plots from all the results in the
 * directory (this run's and earlier runs'). A volume that fails is recorded and the run goes on.
 */
public final class EvalRun {

    /**
     * What to evaluate and how.
     *
     * @param window   the window of a volume (fixed, a preset, or computed from the volume)
     * @param settings the settings that change results, recorded in {@code run.properties} (a rerun must match)
     */
    public record Config(Dataset dataset, List<EvalModel> models, List<Protocol> protocols, ReadOptions imageOptions,
                         Function<Volume, Window> window, LabelMode labelMode, SortedSet<Integer> labels,
                         PropagationMode mode, SeedRule seedRule, SegmenterOptions segmenterOptions, Path out,
                         boolean force, Map<String, String> settings, java.util.Set<MaskFiles.Format> saveMasks) {
        public Config {
            if (mode != PropagationMode.BOTH && mode != PropagationMode.HALVES) {
                throw new IllegalArgumentException("propagation mode " + mode + ": eval runs both or halves");
            }
            protocols = List.copyOf(new java.util.LinkedHashSet<>(protocols));
            saveMasks = saveMasks == null ? java.util.Set.of() : java.util.Set.copyOf(saveMasks);
        }
    }

    /** What a run did: (model, protocol, volume) units run, skipped as finished, failed; the files written. */
    public record Report(int run, int skipped, int failed, List<Path> files) {
    }

    /**
     * Where the units run when not in this JVM: a cluster, its master, and the command's arguments its tasks
     * rebuild the settings from.
     */
    public record ClusterTarget(EvalCluster cluster, String master, List<String> evalArgs) {
    }

    private final Config config;
    private final ClusterTarget target; // null: in this JVM
    private final PrintWriter out;
    private final PrintWriter err;

    private EvalRun(Config config, ClusterTarget target, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.target = target;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code config}; progress and failures go to {@code err}, the summary table to {@code out}. */
    public static Report run(Config config, PrintWriter out, PrintWriter err) throws IOException {
        return new EvalRun(config, null, out, err).run();
    }

    /**
     * Runs {@code config} with its units as tasks on a cluster ({@code target}); the ledger, the failures and the
     * report are kept here as in {@link #run(Config, PrintWriter, PrintWriter)}.
     */
    public static Report run(Config config, ClusterTarget target, PrintWriter out, PrintWriter err)
            throws IOException {
        return new EvalRun(config, java.util.Objects.requireNonNull(target, "target"), out, err).run();
    }

    private void note(String message) {
        err.println("promptonce: eval: " + message);
        err.flush();
    }

    private Report run() throws IOException {
        Ledger ledger = Ledger.open(config.out(), config.settings(), config.force(), this::note);
        config.dataset().unmatched().forEach(this::note);
        LoadedVolume.Reader reader = new LoadedVolume.Reader(config.imageOptions(), config.window(),
                config.labelMode(), config.labels());
        SharedReferences references = new SharedReferences(config.dataset(), reader, ledger::reference,
                config.seedRule(), this::note);
        int run = 0;
        int skipped = 0;
        int failed = 0;
        List<DatasetItem> items = config.dataset().items();
        for (EvalModel model : config.models()) {
            List<Protocol> protocols = protocolsFor(model);
            Map<DatasetItem, List<Protocol>> pending = new LinkedHashMap<>();
            for (DatasetItem item : items) {
                for (Protocol p : protocols) {
                    if (ledger.isDone(model.name(), p, item.name())) {
                        skipped++;
                    } else {
                        pending.computeIfAbsent(item, k -> new ArrayList<>()).add(p);
                    }
                }
            }
            if (pending.isEmpty()) {
                if (!protocols.isEmpty()) {
                    note(model.name() + ": every volume is finished (in " + Ledger.PER_VOLUME + "), skipped");
                }
                continue;
            }
            if (target != null) {
                int[] counts = runOnCluster(ledger, model, pending);
                run += counts[0];
                failed += counts[1];
                continue;
            }
            Segmenter segmenter;
            try {
                segmenter = Segmenter.load(model.directory(), config.segmenterOptions());
            } catch (RuntimeException e) {
                for (Map.Entry<DatasetItem, List<Protocol>> en : pending.entrySet()) {
                    for (Protocol p : en.getValue()) {
                        fail(ledger, model, p, en.getKey(), "cannot load the model: " + e.getMessage());
                        failed++;
                    }
                }
                continue;
            }
            try (segmenter) {
                note(model.name() + " (" + model.arch() + ", " + model.familyId() + ", "
                        + segmenter.runtimeDescription() + "): " + pending.size() + " volume(s) to run");
                try {
                    Warmup.run(segmenter);
                } catch (RuntimeException e) {
                    note(model.name() + ": the warm-up failed (" + e.getMessage() + "); going on");
                }
                for (Map.Entry<DatasetItem, List<Protocol>> en : pending.entrySet()) {
                    DatasetItem item = en.getKey();
                    LoadedVolume volume;
                    try {
                        volume = reader.read(item, this::note);
                    } catch (RuntimeException e) {
                        for (Protocol p : en.getValue()) {
                            fail(ledger, model, p, item, e.getMessage());
                            failed++;
                        }
                        continue;
                    }
                    if (volume.structures().isEmpty()) {
                        note(item.name() + ": no structure to segment (labels "
                                + (config.labels().isEmpty() ? "any non-zero" : config.labels()) + "), not scored");
                        continue;
                    }
                    for (Protocol p : en.getValue()) {
                        List<Scoring.Scored> scored;
                        try {
                            scored = runUnit(config, segmenter, model, p, volume, references::get);
                        } catch (RuntimeException | IOException e) {
                            fail(ledger, model, p, item, e.getMessage() == null ? e.toString() : e.getMessage());
                            failed++;
                            continue;
                        }
                        ledger.append(scored);
                        run++;
                        scored.forEach(s -> progress(s.volume()));
                    }
                }
            }
        }
        List<Path> files = report(ledger);
        note(String.format(Locale.ROOT, "%d run, %d skipped (finished before), %d failed%s; results in %s", run,
                skipped, failed, failed > 0 ? " (see " + Ledger.FAILURES + ")" : "", config.out()));
        return new Report(run, skipped, failed, files);
    }

    /** The pending units of one model as cluster tasks; returns {units run, units failed}. */
    private int[] runOnCluster(Ledger ledger, EvalModel model, Map<DatasetItem, List<Protocol>> pending)
            throws IOException {
        int index = config.models().indexOf(model);
        List<EvalCluster.Unit> units = new ArrayList<>();
        pending.forEach((item, protocols) -> protocols.forEach(p ->
                units.add(new EvalCluster.Unit(index, model.name(), p, item.name()))));
        note(model.name() + " (" + model.arch() + ", " + model.familyId() + "): " + units.size()
                + " unit(s) to run on " + target.cluster().name() + " " + target.master());
        int[] counts = new int[2];
        target.cluster().run(target.master(), target.evalArgs(), units, ledger.references(), r -> {
            r.notes().forEach(this::note);
            EvalCluster.Unit u = r.unit();
            if (r.error() != null) {
                err.println("promptonce: eval: FAILED " + u.modelName() + " " + u.protocol().id() + " " + u.volume()
                        + ": " + r.error());
                err.flush();
                ledger.failure(u.modelName(), u.protocol().id(), u.volume(), r.error());
                counts[1]++;
            } else if (!r.scored().isEmpty()) {
                ledger.append(r.scored());
                counts[0]++;
                r.scored().forEach(s -> progress(s.volume()));
            }
        });
        return counts;
    }

    private List<Protocol> protocolsFor(EvalModel model) {
        if (model.family() == ModelManifest.Family.SAM2) {
            return config.protocols();
        }
        List<Protocol> sam2Only = config.protocols().stream().filter(Protocol::sam2Only).toList();
        if (!sam2Only.isEmpty()) {
            note(model.name() + " is SAM (v1), which has no memory: "
                    + String.join(", ", sam2Only.stream().map(Protocol::id).toList())
                    + " skipped for it (SAM 2 only); it runs per-slice only");
        }
        return config.protocols().stream().filter(p -> !p.sam2Only()).toList();
    }

    /**
     * One (model, protocol, volume) unit: the protocol's outcomes, scored, and the masks saved when asked. Shared by
     * the local loop and a cluster's tasks ({@link EvalWorker}).
     */
    static List<Scoring.Scored> runUnit(Config config, Segmenter segmenter, EvalModel model, Protocol p,
                                        LoadedVolume volume, Function<String, SharedReference> references)
            throws IOException {
        List<Outcome> outcomes = switch (p) {
            case PER_SLICE -> PerSliceRunner.run(segmenter, volume.source(), volume.structures());
            case SEED -> SeedRunner.run(segmenter, volume.source(), volume.structures(), config.mode(),
                    config.seedRule());
            case SHARED_SEED -> SharedSeedRunner.run(segmenter, volume.item().name(), volume.source(),
                    volume.structures(), references);
        };
        List<Scoring.Scored> scored = new ArrayList<>();
        for (Outcome o : outcomes) {
            scored.add(Scoring.score(model.name(), model.familyId(), p, volume.item().name(), o));
        }
        for (MaskFiles.Format format : config.saveMasks()) {
            MaskFiles.write(config.out(), format, model, p, volume, outcomes);
        }
        return scored;
    }

    private void fail(Ledger ledger, EvalModel model, Protocol p, DatasetItem item, String message) throws IOException {
        err.println("promptonce: eval: FAILED " + model.name() + " " + p.id() + " " + item.name() + ": " + message);
        err.flush();
        ledger.failure(model.name(), p.id(), item.name(), message);
    }

    private void progress(VolumeRow r) {
        note(String.format(Locale.ROOT, "%s %s %s [%s]: 3-D Dice %.4f, slice Dice %.4f, Jaccard %.4f, "
                        + "%d FP slice(s), %d prompt(s), %.4f s/slice", r.model(), r.protocol(), r.volume(), r.label(),
                r.dice3d(), r.sliceDice(), r.sliceJaccard(), r.fpSlices(), r.prompts(), r.secondsPerSlice()));
    }

    /** The summary, t-tests and plots from every result in the directory. */
    private List<Path> report(Ledger ledger) throws IOException {
        List<VolumeRow> volumes = ledger.volumeRows(this::note);
        List<SliceRow> slices = ledger.sliceRows(this::note);
        List<Summary.Row> summary = Summary.of(volumes, slices);
        List<PairedTests.Row> tests = PairedTests.of(volumes, slices);
        Path dir = ledger.dir();
        List<Path> files = new ArrayList<>();
        String md = SummaryMarkdown.of(config, volumes, summary, tests);
        // the report is remade from the ledger on every run: its files replace the last run's, all together
        try (OutputFiles report = new OutputFiles(true, List.of())) {
            files.add(write(report, dir.resolve("summary.csv"), Summary.csv(summary)));
            files.add(write(report, dir.resolve("ttest.csv"), PairedTests.csv(tests)));
            files.add(write(report, dir.resolve("summary.md"), md));
            if (!slices.isEmpty()) {
                files.addAll(Plots.write(report, dir, slices, config.labelMode() == LabelMode.PER_LABEL));
            }
            report.commit();
        }
        out.print(md);
        out.flush();
        return files;
    }

    private static Path write(OutputFiles report, Path p, String text) throws IOException {
        report.writeString(p, text);
        return p;
    }
}
