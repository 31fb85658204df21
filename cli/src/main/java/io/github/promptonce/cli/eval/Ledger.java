package io.github.promptonce.cli.eval;

import io.github.promptonce.cli.OutputFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The results directory of an eval run and its resume rule. {@code per_volume.csv} is the ledger: the rows of a
 * (model, protocol, volume) are added together once that volume is finished (its {@code per_slice.csv} rows
 * first), so a row there means the volume is done and a rerun skips it; a killed run loses at most the volume in
 * progress. Every file here is replaced whole through a temporary sibling ({@link OutputFiles#replace}), never
 * written in place. {@code failures.csv} lists the failures of the latest run (failed volumes are retried by a rerun).
 * {@code run.properties} holds the settings that change results; a rerun with other settings is refused.
 */
final class Ledger {
    static final String PER_VOLUME = "per_volume.csv";
    static final String PER_SLICE = "per_slice.csv";
    static final String FAILURES = "failures.csv";
    static final String CONFIG = "run.properties";
    static final List<String> FAILURE_HEADER = List.of("model", "protocol", "volume", "error");
    /** Every file a run writes (deleted by {@code --force}), besides {@code slices-*.png}. */
    static final List<String> OUTPUTS = List.of(PER_VOLUME, PER_SLICE, FAILURES, CONFIG, "summary.csv", "summary.md",
            "ttest.csv", "dice_boxplot.png");

    private final Path dir;
    private final Set<String> done = new HashSet<>();
    private final Map<String, String> references = new TreeMap<>();

    private Ledger(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens (creates) the results directory. With {@code force} the previous results are deleted first. Repairs
     * what a killed run may have left: a partial last line, {@code per_slice.csv} rows of an unfinished volume.
     *
     * @param settings the settings that change results (written to {@code run.properties})
     * @throws SettingsMismatchException when finished results were made with other settings
     */
    static Ledger open(Path dir, Map<String, String> settings, boolean force, Consumer<String> note) throws IOException {
        Files.createDirectories(dir);
        if (force) {
            for (String f : OUTPUTS) {
                Files.deleteIfExists(dir.resolve(f));
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (n.startsWith("slices-") && n.endsWith(".png")) {
                        Files.delete(p);
                    }
                }
            }
        }
        Ledger l = new Ledger(dir);
        List<VolumeRow> rows = l.volumeRows(note);
        Path config = dir.resolve(CONFIG);
        if (!rows.isEmpty() && Files.exists(config)) {
            Map<String, String> before = readSettings(config);
            if (!before.equals(new TreeMap<>(settings))) {
                List<String> diff = new ArrayList<>();
                Set<String> keys = new LinkedHashSet<>(new TreeMap<>(settings).keySet());
                keys.addAll(before.keySet());
                for (String k : keys) {
                    String a = before.getOrDefault(k, "(none)");
                    String b = settings.getOrDefault(k, "(none)");
                    if (!a.equals(b)) {
                        diff.add(k + " " + a + " -> " + b);
                    }
                }
                throw new SettingsMismatchException(dir + " holds results made with other settings (" + String.join(", ", diff)
                        + "); use --force to start over or another --out");
            }
        }
        writeSettings(config, settings);
        for (VolumeRow r : rows) {
            l.done.add(r.key());
            if (r.protocol().equals(Protocol.SHARED_SEED.id()) && !r.reference().isEmpty()) {
                l.references.putIfAbsent(r.label(), r.reference());
            }
        }
        // per-slice rows of a volume that never reached the ledger (killed in between): drop them
        List<SliceRow> slices = l.sliceRows(note);
        List<SliceRow> kept = slices.stream().filter(r -> l.done.contains(r.volumeKey())).toList();
        if (kept.size() != slices.size()) {
            note.accept("dropped " + (slices.size() - kept.size()) + " row(s) of unfinished volumes from " + PER_SLICE);
            StringBuilder sb = new StringBuilder(Csv.line(SliceRow.HEADER)).append('\n');
            kept.forEach(r -> sb.append(r.csv()).append('\n'));
            OutputFiles.replace(dir.resolve(PER_SLICE), sb.toString());
        }
        OutputFiles.replace(dir.resolve(FAILURES), Csv.line(FAILURE_HEADER) + "\n");
        return l;
    }

    Path dir() {
        return dir;
    }

    /** Whether (model, protocol, volume) is finished. */
    boolean isDone(String model, Protocol protocol, String volume) {
        return done.contains(VolumeRow.key(model, protocol.id(), volume));
    }

    /** The shared-seed reference ({@code volume:slice}) already used for {@code label}, if any. */
    Optional<String> reference(String label) {
        return Optional.ofNullable(references.get(label));
    }

    /** Every shared-seed reference ({@code volume:slice}) of the finished results, by label. */
    Map<String, String> references() {
        return Map.copyOf(references);
    }

    /** Appends the rows of one finished (model, protocol, volume): per-slice rows, then the ledger rows. */
    void append(List<Scoring.Scored> scored) throws IOException {
        if (scored.isEmpty()) {
            return;
        }
        StringBuilder slices = new StringBuilder();
        StringBuilder volumes = new StringBuilder();
        for (Scoring.Scored s : scored) {
            s.slices().forEach(r -> slices.append(r.csv()).append('\n'));
            volumes.append(s.volume().csv()).append('\n');
        }
        append(PER_SLICE, SliceRow.HEADER, slices.toString());
        append(PER_VOLUME, VolumeRow.HEADER, volumes.toString());
        for (Scoring.Scored s : scored) {
            done.add(s.volume().key());
            if (s.volume().protocol().equals(Protocol.SHARED_SEED.id())) {
                references.putIfAbsent(s.volume().label(), s.volume().reference());
            }
        }
    }

    /** Records a failure of this run. */
    void failure(String model, String protocol, String volume, String message) throws IOException {
        append(FAILURES, FAILURE_HEADER, Csv.line(List.of(model, protocol, volume,
                message.replace('\n', ' ').replace('\r', ' '))) + "\n");
    }

    /** Every row of {@code per_volume.csv}. */
    List<VolumeRow> volumeRows(Consumer<String> note) throws IOException {
        return read(PER_VOLUME, VolumeRow.HEADER, note).stream().map(VolumeRow::of).toList();
    }

    /** Every row of {@code per_slice.csv}. */
    List<SliceRow> sliceRows(Consumer<String> note) throws IOException {
        return read(PER_SLICE, SliceRow.HEADER, note).stream().map(SliceRow::of).toList();
    }

    private void append(String file, List<String> header, String text) throws IOException {
        // the whole file replaced at once (the CSVs are small): a killed run leaves the old rows or the new
        Path p = dir.resolve(file);
        String before = Files.exists(p) && Files.size(p) > 0 ? Files.readString(p, StandardCharsets.UTF_8)
                : Csv.line(header) + "\n";
        OutputFiles.replace(p, before + text);
    }

    /** Reads a CSV of ours; a partial last line (a killed write) is cut off. */
    private List<Csv.Row> read(String file, List<String> header, Consumer<String> note) throws IOException {
        Path p = dir.resolve(file);
        if (!Files.exists(p)) {
            return List.of();
        }
        String text = Files.readString(p, StandardCharsets.UTF_8);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            int cut = text.lastIndexOf('\n') + 1;
            note.accept(file + ": dropped an unfinished last line");
            text = text.substring(0, cut);
            OutputFiles.replace(p, text);
        }
        List<Csv.Row> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        if (lines.isEmpty()) {
            return out;
        }
        List<String> h = Csv.parse(lines.get(0));
        if (!h.equals(header)) {
            throw new IOException(p + ": unexpected header " + h + "; expected " + header
                    + " (made by another version? use --force or another --out)");
        }
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(new Csv.Row(h, Csv.parse(lines.get(i))));
            }
        }
        return out;
    }

    private static Map<String, String> readSettings(Path p) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static void writeSettings(Path p, Map<String, String> settings) throws IOException {
        StringBuilder sb = new StringBuilder("# settings of the results in this directory (promptonce eval)\n");
        new TreeMap<>(settings).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        OutputFiles.replace(p, sb.toString());
    }
}
