package io.github.promptonce.cli.eval;

import io.github.promptonce.volume.VolumeFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The image/label pairs of an evaluation, sorted by name (the first one is the shared-seed reference's candidate).
 *
 * @param items     the pairs, sorted by name, names unique
 * @param unmatched files that found no partner, as messages ("no label for image …")
 */
public record Dataset(List<DatasetItem> items, List<String> unmatched) {
    public Dataset {
        items = items.stream().sorted(Comparator.comparing(DatasetItem::name)).toList();
        unmatched = List.copyOf(unmatched);
        for (int i = 1; i < items.size(); i++) {
            if (items.get(i).name().equals(items.get(i - 1).name())) {
                throw new IllegalArgumentException("two volumes are named '" + items.get(i).name() + "': "
                        + items.get(i - 1).image() + " and " + items.get(i).image());
            }
        }
    }

    /**
     * Pairs the NIfTI files (and DICOM series subdirectories) of {@code images} with the NIfTI files of
     * {@code labels} by name stem (file name without {@code .nii}/{@code .nii.gz}): {@code a.nii.gz} pairs with
     * {@code a.nii.gz} or {@code a.nii}.
     *
     * @throws VolumeFormatException when a directory cannot be listed, two files share a stem, or nothing pairs
     */
    public static Dataset fromDirectories(Path images, Path labels) throws VolumeFormatException {
        Map<String, Path> img = byStem(images, true);
        Map<String, Path> lab = byStem(labels, false);
        List<DatasetItem> items = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        img.forEach((stem, p) -> {
            if (lab.containsKey(stem)) {
                items.add(new DatasetItem(stem, p, lab.get(stem)));
            } else {
                unmatched.add("no label for image " + p);
            }
        });
        lab.forEach((stem, p) -> {
            if (!img.containsKey(stem)) {
                unmatched.add("no image for label " + p);
            }
        });
        if (items.isEmpty()) {
            throw new VolumeFormatException("no image/label pairs: none of the " + img.size() + " image(s) in "
                    + images + " has a label of the same name in " + labels + " (" + lab.size() + " NIfTI file(s))");
        }
        return new Dataset(items, unmatched);
    }

    /**
     * Reads pairs from a CSV file: one {@code image,label} per line, paths relative to the file's directory;
     * blank lines, lines starting with {@code #} and a first line {@code image,label} are skipped. An image may
     * be a DICOM series directory. Every path must exist.
     */
    public static Dataset fromCsv(Path csv) throws VolumeFormatException {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VolumeFormatException(csv + ": cannot read the pairs file (" + e.getMessage() + ")");
        }
        Path base = csv.toAbsolutePath().getParent();
        List<DatasetItem> items = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> f;
            try {
                f = Csv.parse(line);
            } catch (IllegalArgumentException e) {
                throw new VolumeFormatException(csv + ":" + (n + 1) + ": " + e.getMessage());
            }
            if (items.isEmpty() && f.size() == 2 && f.get(0).strip().equalsIgnoreCase("image")
                    && f.get(1).strip().equalsIgnoreCase("label")) {
                continue;
            }
            if (f.size() != 2 || f.get(0).isBlank() || f.get(1).isBlank()) {
                throw new VolumeFormatException(csv + ":" + (n + 1) + ": expected 'image,label', got '" + line + "'");
            }
            Path image = base.resolve(f.get(0).strip()).normalize();
            Path label = base.resolve(f.get(1).strip()).normalize();
            for (Path p : List.of(image, label)) {
                if (!Files.exists(p)) {
                    throw new VolumeFormatException(csv + ":" + (n + 1) + ": " + p + ": no such file or directory");
                }
            }
            items.add(new DatasetItem(DatasetItem.stem(image), image, label));
        }
        if (items.isEmpty()) {
            throw new VolumeFormatException(csv + ": no image,label pairs");
        }
        try {
            return new Dataset(items, List.of());
        } catch (IllegalArgumentException e) {
            throw new VolumeFormatException(csv + ": " + e.getMessage());
        }
    }

    private static Map<String, Path> byStem(Path dir, boolean allowDirectories) throws VolumeFormatException {
        if (!Files.isDirectory(dir)) {
            throw new VolumeFormatException(dir + ": not a directory");
        }
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                String l = n.toLowerCase(Locale.ROOT);
                boolean nifti = Files.isRegularFile(p) && (l.endsWith(".nii") || l.endsWith(".nii.gz"));
                boolean series = allowDirectories && Files.isDirectory(p) && !n.startsWith(".");
                if (!nifti && !series) {
                    continue;
                }
                Path previous = out.put(DatasetItem.stem(p), p);
                if (previous != null) {
                    throw new VolumeFormatException(dir + ": " + previous.getFileName() + " and " + n
                            + " have the same name; keep one");
                }
            }
        } catch (IOException e) {
            throw new VolumeFormatException(dir + ": cannot list (" + e.getMessage() + ")");
        }
        return out;
    }
}
