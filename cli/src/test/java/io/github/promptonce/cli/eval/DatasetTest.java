package io.github.promptonce.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.VolumeFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing images with labels by name, and the pairs file; the CSV dialect. */
class DatasetTest {
    @TempDir
    Path tmp;

    @Test
    void pairsByNameStemAndReportsTheUnmatched() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("ct_scans"));
        Path labels = Files.createDirectories(tmp.resolve("lung_mask"));
        for (String n : List.of("b.nii.gz", "a.nii", "c.nii.gz", "notes.txt")) {
            Files.writeString(images.resolve(n), "x");
        }
        Files.createDirectories(images.resolve("d")); // a DICOM series directory
        for (String n : List.of("a.nii.gz", "b.nii.gz", "d.nii.gz", "e.nii")) {
            Files.writeString(labels.resolve(n), "x");
        }
        Dataset d = Dataset.fromDirectories(images, labels);
        assertEquals(List.of("a", "b", "d"), d.items().stream().map(DatasetItem::name).toList());
        assertEquals(images.resolve("a.nii"), d.items().get(0).image());
        assertEquals(labels.resolve("a.nii.gz"), d.items().get(0).label());
        assertEquals(2, d.unmatched().size());
        assertTrue(d.unmatched().get(0).startsWith("no label for image ") && d.unmatched().get(0).endsWith("c.nii.gz"));
        assertTrue(d.unmatched().get(1).startsWith("no image for label ") && d.unmatched().get(1).endsWith("e.nii"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        VolumeFormatException e = assertThrows(VolumeFormatException.class,
                () -> Dataset.fromDirectories(empty, labels));
        assertTrue(e.getMessage().startsWith("no image/label pairs"), e.getMessage());
        Files.writeString(images.resolve("b.nii"), "x");
        e = assertThrows(VolumeFormatException.class, () -> Dataset.fromDirectories(images, labels));
        assertTrue(e.getMessage().contains("have the same name"), e.getMessage());
    }

    @Test
    void readsAPairsFileRelativeToItsDirectory() throws Exception {
        Files.createDirectories(tmp.resolve("img"));
        Files.writeString(tmp.resolve("img/coronacases_org_001.nii"), "x");
        Files.writeString(tmp.resolve("coronacases_001.nii"), "x");
        Path csv = tmp.resolve("pairs.csv");
        Files.writeString(csv, "image,label\n# comment\n\nimg/coronacases_org_001.nii,coronacases_001.nii\n");
        Dataset d = Dataset.fromCsv(csv);
        assertEquals(1, d.items().size());
        assertEquals("coronacases_org_001", d.items().get(0).name());
        assertEquals(tmp.resolve("coronacases_001.nii").toAbsolutePath(), d.items().get(0).label());
        Files.writeString(csv, "img/coronacases_org_001.nii,missing.nii\n");
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Dataset.fromCsv(csv));
        assertTrue(e.getMessage().contains("pairs.csv:1:") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void csvQuotesOnlyWhatNeedsIt() {
        String line = Csv.line(List.of("plain", "a,b", "say \"hi\"", ""));
        assertEquals("plain,\"a,b\",\"say \"\"hi\"\"\",", line);
        assertEquals(List.of("plain", "a,b", "say \"hi\"", ""), Csv.parse(line));
        assertEquals("0.857143", Csv.num(6.0 / 7.0));
        assertEquals("1", Csv.num(1.0));
        assertEquals("", Csv.num(Double.NaN));
        assertTrue(Double.isNaN(Csv.parseNum("")));
    }
}
