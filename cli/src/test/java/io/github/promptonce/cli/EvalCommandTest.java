package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.phantom.Phantom;
import io.github.promptonce.phantom.PhantomGenerator;
import io.github.promptonce.volume.NiftiWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval} end to end on a dataset of three small phantoms (images/ + labels/) with the tiny test exports:
 * a SAM 2 model on all three protocols and a SAM model (per-slice only).
 */
class EvalCommandTest {
    @TempDir
    Path tmp;
    Path images;
    Path labels;
    String sam2;
    String sam;

    @BeforeEach
    void writeDataset() throws Exception {
        images = Files.createDirectories(tmp.resolve("images"));
        labels = Files.createDirectories(tmp.resolve("labels"));
        for (int seed = 1; seed <= 3; seed++) {
            Phantom p = PhantomGenerator.generate(64, 64, 8, seed, Phantom.Shape.ANY, Phantom.Modality.CT);
            NiftiWriter.write(p.volume(), images.resolve("p" + seed + ".nii.gz"));
            NiftiWriter.writeMask(p.truth(), labels.resolve("p" + seed + ".nii.gz"));
        }
        sam2 = SegmentCommandTest.model("test-tiny").toString();
        sam = SegmentCommandTest.model("test-tiny-sam").toString();
    }

    /** A CSV file as rows of column → value (our files quote no field here). */
    static List<Map<String, String>> csv(Path p) throws Exception {
        List<String> lines = Files.readAllLines(p);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals(header.length, f.length, p + ": " + line);
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < f.length; i++) {
                m.put(header[i], f[i]);
            }
            rows.add(m);
        }
        return rows;
    }

    static void assertPng(Path p) throws Exception {
        assertTrue(Files.isRegularFile(p), p + " missing");
        BufferedImage img = ImageIO.read(p.toFile());
        assertEquals(800, img.getWidth(), p.toString());
        assertEquals(500, img.getHeight(), p.toString());
    }

    MainTest.Result eval(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "--images", images.toString(), "--labels",
                labels.toString(), "--window-preset", "ct-abdomen", "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void runsTheThreeProtocolsAndWritesCsvsSummaryAndPlots() throws Exception {
        Path out = tmp.resolve("out");
        MainTest.Result r = eval(out, "--model", sam2, "--model", sam);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        // SAM (v1) does per-slice only, and says so once
        String samNote = "test-tiny-sam is SAM (v1), which has no memory: seed, shared-seed skipped for it";
        assertTrue(r.err().contains(samNote), r.err());
        assertEquals(r.err().indexOf(samNote), r.err().lastIndexOf(samNote), "said once");

        List<Map<String, String>> volumes = csv(out.resolve("per_volume.csv"));
        assertEquals(3 * 3 + 3, volumes.size(), "test-tiny: 3 protocols × 3 volumes; test-tiny-sam: per-slice × 3");
        assertEquals(Set.of("per-slice"), volumes.stream().filter(v -> v.get("model").equals("test-tiny-sam"))
                .map(v -> v.get("protocol")).collect(Collectors.toSet()));
        for (Map<String, String> v : volumes) {
            assertEquals("all", v.get("label"));
            assertEquals("8", v.get("slices"));
            double dice = Double.parseDouble(v.get("dice_3d"));
            assertTrue(dice >= 0 && dice <= 1, v.toString());
            int structureSlices = Integer.parseInt(v.get("structure_slices"));
            assertTrue(structureSlices > 0 && structureSlices <= 8, v.toString());
            assertTrue(Double.parseDouble(v.get("seconds_per_slice")) > 0, v.toString());
            switch (v.get("protocol")) {
                case "per-slice" -> {
                    assertEquals(structureSlices, Integer.parseInt(v.get("prompts")), "a prompt per structure slice");
                    assertEquals("0", v.get("fp_slices"), "per-slice segments structure slices only");
                }
                case "seed" -> {
                    assertEquals("1", v.get("prompts"));
                    assertEquals("both", v.get("mode"));
                    assertEquals("8", v.get("slices_processed"));
                }
                case "shared-seed" -> assertEquals("halves", v.get("mode"));
                default -> throw new AssertionError(v);
            }
        }
        // shared-seed: exactly one prompt for the dataset, on the first volume by name, the same reference for all
        List<Map<String, String>> shared = volumes.stream().filter(v -> v.get("protocol").equals("shared-seed"))
                .toList();
        assertEquals(3, shared.size());
        assertEquals(1, shared.stream().mapToInt(v -> Integer.parseInt(v.get("prompts"))).sum());
        assertEquals("1", shared.stream().filter(v -> v.get("volume").equals("p1")).findFirst().orElseThrow()
                .get("prompts"));
        Set<String> refs = shared.stream().map(v -> v.get("reference")).collect(Collectors.toSet());
        assertEquals(1, refs.size());
        assertTrue(refs.iterator().next().startsWith("p1:"), refs.toString());

        // per-slice rows: every slice of every run; the per-volume slice Dice is their mean on structure slices
        List<Map<String, String>> slices = csv(out.resolve("per_slice.csv"));
        assertEquals(12 * 8, slices.size());
        for (Map<String, String> v : volumes) {
            double[] d = slices.stream().filter(s -> s.get("model").equals(v.get("model"))
                            && s.get("protocol").equals(v.get("protocol")) && s.get("volume").equals(v.get("volume"))
                            && !s.get("truth_voxels").equals("0"))
                    .mapToDouble(s -> Double.parseDouble(s.get("dice"))).toArray();
            assertEquals(Integer.parseInt(v.get("structure_slices")), d.length);
            assertEquals(java.util.Arrays.stream(d).average().orElseThrow(), Double.parseDouble(v.get("slice_dice")),
                    1e-5, v.toString());
        }

        // summary: one line per model × protocol; shared-seed saves all prompts but one
        List<Map<String, String>> summary = csv(out.resolve("summary.csv"));
        assertEquals(List.of("test-tiny per-slice", "test-tiny seed", "test-tiny shared-seed",
                "test-tiny-sam per-slice"), summary.stream().map(s -> s.get("model") + " " + s.get("protocol")).toList());
        int structureSlices = volumes.stream().filter(v -> v.get("protocol").equals("per-slice")
                && v.get("model").equals("test-tiny")).mapToInt(v -> Integer.parseInt(v.get("structure_slices"))).sum();
        Map<String, String> sharedSummary = summary.get(2);
        assertEquals("1", sharedSummary.get("prompts"));
        assertEquals(100.0 * (1 - 1.0 / structureSlices), Double.parseDouble(sharedSummary.get("prompts_saved_pct")),
                1e-4);
        assertEquals("0", summary.get(0).get("prompts_saved_pct"));
        assertEquals("3", summary.get(0).get("volumes"));
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| test-tiny | shared-seed | all | 3 |"), md);
        assertTrue(r.out().contains("## Paired t-tests"), "the summary is printed");

        // t-tests: SAM per-slice vs each SAM 2 protocol, Dice and Jaccard, paired on every structure slice
        List<Map<String, String>> tests = csv(out.resolve("ttest.csv"));
        assertEquals(6, tests.size());
        for (Map<String, String> t : tests) {
            assertEquals("test-tiny-sam", t.get("model_a"));
            assertEquals("test-tiny", t.get("model_b"));
            assertEquals(Integer.toString(structureSlices), t.get("n"));
            assertEquals(Double.parseDouble(t.get("mean_b")) - Double.parseDouble(t.get("mean_a")),
                    Double.parseDouble(t.get("mean_diff")), 2e-6);
        }

        assertPng(out.resolve("dice_boxplot.png"));
        for (int seed = 1; seed <= 3; seed++) {
            assertPng(out.resolve("slices-p" + seed + ".png"));
        }
        assertTrue(Files.readString(out.resolve("run.properties")).contains("mode=both"));
        assertEquals(1, Files.readAllLines(out.resolve("failures.csv")).size(), "header only");
    }

    @Test
    void rerunSkipsFinishedVolumesAndAFailingVolumeDoesNotStopTheRun() throws Exception {
        // a fourth volume whose image is not a NIfTI file
        Files.write(images.resolve("p4.nii.gz"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.copy(labels.resolve("p1.nii.gz"), labels.resolve("p4.nii.gz"));
        Path out = tmp.resolve("out");
        String[] models = {"--model", sam2, "--protocol", "per-slice,shared-seed"};
        MainTest.Result first = eval(out, models);
        assertEquals(ExitCodes.SOME_FAILED, first.code(), first.err());
        assertTrue(first.err().contains("FAILED test-tiny per-slice p4: "), first.err());
        assertTrue(first.err().contains("6 run, 0 skipped (finished before), 2 failed"), first.err());
        List<Map<String, String>> failures = csv(out.resolve("failures.csv"));
        assertEquals(Set.of("per-slice", "shared-seed"), failures.stream().map(f -> f.get("protocol"))
                .collect(Collectors.toSet()));
        assertTrue(failures.stream().allMatch(f -> f.get("volume").equals("p4")));
        assertEquals(6, csv(out.resolve("per_volume.csv")).size());
        String ledger = Files.readString(out.resolve("per_volume.csv"));

        // a rerun does nothing for the finished volumes and retries the failed one
        MainTest.Result again = eval(out, models);
        assertEquals(ExitCodes.SOME_FAILED, again.code(), again.err());
        assertTrue(again.err().contains("0 run, 6 skipped (finished before), 2 failed"), again.err());
        assertEquals(ledger, Files.readString(out.resolve("per_volume.csv")), "the ledger is unchanged");

        // a run killed after writing p2's per-slice rows but before its ledger rows: p2 runs again, once
        List<String> lines = new ArrayList<>(Files.readAllLines(out.resolve("per_volume.csv")));
        lines.removeIf(l -> l.contains(",p2,"));
        Files.write(out.resolve("per_volume.csv"), lines);
        Files.delete(images.resolve("p4.nii.gz"));
        MainTest.Result resumed = eval(out, models);
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("2 run, 4 skipped (finished before), 0 failed"), resumed.err());
        assertTrue(resumed.err().contains("dropped 16 row(s) of unfinished volumes"), resumed.err());
        assertTrue(resumed.err().contains("no label") || resumed.err().contains("no image for label"), resumed.err());
        List<Map<String, String>> volumes = csv(out.resolve("per_volume.csv"));
        assertEquals(6, volumes.size());
        Set<String> refs = volumes.stream().filter(v -> v.get("protocol").equals("shared-seed"))
                .map(v -> v.get("reference")).collect(Collectors.toSet());
        assertEquals(1, refs.size(), "p2 is segmented from the reference the others used");
        List<Map<String, String>> slices = csv(out.resolve("per_slice.csv"));
        assertEquals(6 * 8, slices.size());
        Set<String> keys = new HashSet<>();
        for (Map<String, String> s : slices) {
            assertTrue(keys.add(s.get("protocol") + s.get("volume") + s.get("slice")), "no duplicate row " + s);
        }

        // other settings are refused; --force starts over
        MainTest.Result other = eval(out, "--model", sam2, "--protocol", "seed", "--mode", "halves");
        assertEquals(ExitCodes.USAGE, other.code());
        assertTrue(other.err().contains("holds results made with other settings (mode both -> halves)"), other.err());
        MainTest.Result forced = eval(out, "--model", sam, "--force");
        assertEquals(ExitCodes.OK, forced.code(), forced.err());
        assertEquals(3, csv(out.resolve("per_volume.csv")).size(), "SAM per-slice on 3 volumes, nothing else");
        assertFalse(Files.readString(out.resolve("summary.md")).contains("| test-tiny |"));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("None: the results hold no SAM (v1) model"));
    }

    @Test
    void perLabelModeScoresEachLabelAndSharesOnePromptPerLabel() throws Exception {
        // labels: the target as 1, the phantom's distractors as 2
        for (int seed = 1; seed <= 3; seed++) {
            Phantom p = PhantomGenerator.generate(64, 64, 8, seed, Phantom.Shape.ANY, Phantom.Modality.CT);
            var both = p.truth().labels();
            var d = p.distractors().labels();
            for (int i = 0; i < both.length; i++) {
                if (both[i] == 0 && d[i] != 0) {
                    both[i] = 2;
                }
            }
            NiftiWriter.writeMask(io.github.promptonce.volume.VolumeMask.of(both, 64, 64, 8,
                    p.truth().geometry()), labels.resolve("p" + seed + ".nii.gz"));
        }
        Path out = tmp.resolve("out");
        MainTest.Result r = eval(out, "--model", sam2, "--protocol", "shared-seed", "--labels-mode", "per-label");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        List<Map<String, String>> volumes = csv(out.resolve("per_volume.csv"));
        Set<String> labelsSeen = volumes.stream().map(v -> v.get("label")).collect(Collectors.toSet());
        assertTrue(labelsSeen.contains("1") && labelsSeen.contains("2"), labelsSeen.toString());
        for (String label : labelsSeen) {
            List<Map<String, String>> of = volumes.stream().filter(v -> v.get("label").equals(label)).toList();
            assertEquals(1, of.stream().mapToInt(v -> Integer.parseInt(v.get("prompts"))).sum(), "label " + label);
            assertEquals(1, of.stream().map(v -> v.get("reference")).distinct().count(), "label " + label);
        }
        assertEquals(labelsSeen.size(), csv(out.resolve("summary.csv")).size());
    }

    /** Issue 7's CI bar: three phantoms, the embedded default model (no --model), every output, real scores. */
    @Test
    void theEmbeddedDefaultModelOnThreePhantoms() throws Exception {
        Path img = Files.createDirectories(tmp.resolve("d-images"));
        Path lab = Files.createDirectories(tmp.resolve("d-labels"));
        for (int seed = 11; seed <= 13; seed++) {
            Phantom p = PhantomGenerator.generate(256, 256, 12, seed, Phantom.Shape.ANY, Phantom.Modality.CT);
            NiftiWriter.write(p.volume(), img.resolve("p" + seed + ".nii.gz"));
            NiftiWriter.writeMask(p.truth(), lab.resolve("p" + seed + ".nii.gz"));
        }
        Path out = tmp.resolve("d-out");
        MainTest.Result r = MainTest.run("eval", "--images", img.toString(), "--labels", lab.toString(),
                "--window-preset", "ct-abdomen", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("using the embedded default promptonce-small"), r.err());
        List<Map<String, String>> volumes = csv(out.resolve("per_volume.csv"));
        assertEquals(9, volumes.size(), "3 protocols × 3 volumes");
        assertEquals(Set.of("promptonce-small"), volumes.stream().map(v -> v.get("model")).collect(Collectors.toSet()));
        assertEquals(1, volumes.stream().filter(v -> v.get("protocol").equals("shared-seed"))
                .mapToInt(v -> Integer.parseInt(v.get("prompts"))).sum(), "one prompt for the whole dataset");
        double seedDice = volumes.stream().filter(v -> v.get("protocol").equals("seed"))
                .mapToDouble(v -> Double.parseDouble(v.get("dice_3d"))).average().orElseThrow();
        assertTrue(seedDice > 0.5, "a trained model segments the phantoms: mean seed-protocol 3-D Dice " + seedDice);
        assertFalse(csv(out.resolve("per_slice.csv")).isEmpty());
        assertEquals(3, csv(out.resolve("summary.csv")).size(), "one summary row per protocol");
        assertTrue(Files.readString(out.resolve("summary.md")).contains("promptonce-small"));
        assertPng(out.resolve("dice_boxplot.png"));
        try (var pngs = Files.list(out)) {
            assertEquals(4, pngs.filter(f -> f.getFileName().toString().endsWith(".png")).count(),
                    "the box plot and one slice plot per volume");
        }
    }

    @Test
    void usageErrorsNameTheOption() throws Exception {
        Path pairs = Files.writeString(tmp.resolve("pairs.csv"), "images/p1.nii.gz,labels/p1.nii.gz\n");
        MainTest.Result both = eval(tmp.resolve("o2"), "--model", sam2, "--pairs", pairs.toString());
        assertEquals(ExitCodes.USAGE, both.code());
        assertTrue(both.err().contains("either --pairs or --images"), both.err());
        MainTest.Result protocol = eval(tmp.resolve("o3"), "--model", sam2, "--protocol", "seed,every-slice");
        assertEquals(ExitCodes.USAGE, protocol.code());
        assertTrue(protocol.err().contains("protocol 'every-slice' is not one of per-slice, seed, shared-seed"),
                protocol.err());
        Path noLabels = Files.createDirectories(tmp.resolve("no-labels"));
        MainTest.Result noPairs = MainTest.run("eval", "--images", images.toString(), "--labels",
                noLabels.toString(), "--model", sam2, "--out", tmp.resolve("o4").toString());
        assertEquals(ExitCodes.INPUT, noPairs.code());
        assertTrue(noPairs.err().contains("no image/label pairs"), noPairs.err());
    }
}
