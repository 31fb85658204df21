package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compressed transfer syntaxes decode to the same voxels as a reference decoder's uncompressed output (dcmtk's
 * dcmdrle / dcmdjpeg / dcmdjpls, gdcm's gdcmconv --raw for JPEG 2000): exactly for lossless syntaxes, within one
 * stored unit for lossy ones. On pydicom's real files and on series encoded here with dcmtk and gdcm.
 */
class CompressedDicomTest {
    @TempDir
    Path tmp;

    static Path ct5n() {
        return RealDicomTest.ct5n();
    }

    /** The reference decoder for a file: it writes an uncompressed copy to {@code out}. */
    static void referenceDecode(String decoder, Path in, Path out) {
        switch (decoder) {
            case "dcmdrle", "dcmdjpeg", "dcmdjpls" -> DicomTools.run(decoder, in.toString(), out.toString());
            case "gdcm" -> DicomTools.run("gdcmconv", "--raw", in.toString(), out.toString());
            default -> throw new IllegalArgumentException(decoder);
        }
    }

    /** Our voxels of {@code compressed} against the reference's decoding, within {@code tolerance} stored units. */
    static void assertSameVoxels(Path compressed, Path reference, double tolerance) throws Exception {
        Volume ours = Volumes.read(compressed);
        Volume ref = Volumes.read(reference);
        assertArrayEquals(ref.dims(), ours.dims());
        assertTrue(ref.affine().approxEquals(ours.affine(), 1e-9), ours.affine().toString());
        double unit = Math.abs(ref.sclSlope());
        double worst = 0;
        for (int i = 0; i < ref.voxelCount(); i++) {
            worst = Math.max(worst, Math.abs(ours.get(i) - ref.get(i)));
        }
        assertTrue(worst <= tolerance * unit, compressed.getFileName() + ": largest difference " + worst
                + " from the reference decoder; allowed " + tolerance * unit);
        assertTrue(ours.formatDetail().contains(DicomParser.syntaxName(
                DicomParser.parse(firstFile(compressed)).transferSyntax())), ours.formatDetail());
        // the data is not trivially constant (a decoder that returns zeros would pass against zeros)
        assertTrue(ref.max() > ref.min(), "reference image is constant");
    }

    static Path firstFile(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return p;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.sorted().findFirst().orElseThrow();
        }
    }

    @ParameterizedTest(name = "{0} against {1}")
    @CsvSource({
        "MR_small_RLE.dcm, dcmdrle, 0",
        "rtdose_rle.dcm, dcmdrle, 0",
        "rtdose_rle_1frame.dcm, dcmdrle, 0",
        "MR_small_jpeg_ls_lossless.dcm, dcmdjpls, 0",
        "MR_small_jp2klossless.dcm, gdcm, 0",
        "JPEG2000.dcm, gdcm, 1",
        "693_J2KI.dcm, gdcm, 0",
        "J2K_pixelrep_mismatch.dcm, gdcm, 0",
        "JPGExtended.dcm, dcmdjpeg, 1",
        "JPEG-lossy.dcm, dcmdjpeg, 1"})
    void realFilesEqualTheReferenceDecoder(String file, String decoder, double tolerance) throws Exception {
        Path in = TestData.pydicom(file);
        Path ref = tmp.resolve("ref.dcm");
        referenceDecode(decoder, in, ref);
        assertSameVoxels(in, ref, tolerance);
    }

    /**
     * CT5N (int16, RescaleIntercept −1024) encoded here, as a 16-bit and as a 12-bit signed series (BitsStored 12,
     * HighBit 11), one directory per syntax, compared slice by slice with the reference decoding.
     */
    @ParameterizedTest(name = "{0} {1} bits")
    @CsvSource({
        "dcmcrle, 16, dcmdrle, 0, true",
        "dcmcrle, 12, dcmdrle, 0, true",
        "dcmcjpeg +e1, 16, dcmdjpeg, 0, true",
        "dcmcjpeg +el, 12, dcmdjpeg, 0, true",
        "dcmcjpeg +ee, 12, dcmdjpeg, 1, false",
        "dcmcjpls +el, 16, dcmdjpls, 0, true",
        "dcmcjpls +el, 12, dcmdjpls, 0, true",
        "gdcmconv -L -Y -e 3, 12, dcmdjpls, 0, false",
        "gdcmconv --j2k, 16, gdcm, 0, true",
        "gdcmconv --j2k, 12, gdcm, 0, true",
        "gdcmconv --j2k --lossy -q 30, 16, gdcm, 1, false"})
    void encodedCtSeriesEqualsTheReferenceDecoder(String encoder, int bits, String decoder, double tolerance,
                                                  boolean lossless) throws Exception {
        Path source = bits == 16 ? ct5n() : twelveBit(ct5n(), tmp.resolve("ct12"));
        Path compressed = encodeSeries(encoder, source, tmp.resolve("compressed"));
        Path ref = Files.createDirectories(tmp.resolve("ref"));
        try (Stream<Path> s = Files.list(compressed)) {
            for (Path f : s.toList()) {
                referenceDecode(decoder, f, ref.resolve(f.getFileName()));
            }
        }
        assertSameVoxels(compressed, ref, tolerance);
        if (lossless) { // the source's own voxels, type and rescale (a lossy encoder may rescale)
            Volume v = Volumes.read(compressed);
            Volume plain = Volumes.read(source);
            assertEquals(DataType.INT16, v.sourceDataType());
            assertEquals(-1024.0, v.sclInter());
            for (int i = 0; i < plain.voxelCount(); i++) {
                assertEquals(plain.get(i), v.get(i));
            }
        }
    }

    /**
     * Encapsulation variants: a 15-frame 32-bit RT Dose in RLE with and without a Basic Offset Table (frames found
     * from the table, or one fragment per frame), and one frame split into 1 KB fragments.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "rtdose.dcm, dcmcrle +ot, dcmdrle",
        "rtdose.dcm, dcmcrle -ot, dcmdrle",
        "CT_small.dcm, dcmcjpeg +e1 +fs 1 -ot, dcmdjpeg",
        "CT_small.dcm, dcmcjpls +fs 1 +ot, dcmdjpls"})
    void fragmentationAndOffsetTables(String file, String encoder, String decoder) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.copy(TestData.pydicom(file), src.resolve(file));
        Path in = encodeSeries(encoder, src, tmp.resolve("enc")).resolve(file);
        Path ref = tmp.resolve("ref.dcm");
        referenceDecode(decoder, in, ref);
        assertSameVoxels(in, ref, 0);
        Volume plain = Volumes.read(TestData.pydicom(file));
        assertArrayEquals(plain.copyVoxels(), Volumes.read(in).copyVoxels());
    }

    @Test
    void eightBitBaselineJpeg() throws Exception {
        Path in = tmp.resolve("baseline.dcm");
        DicomTools.run("dcmcjpeg", "+eb", TestData.pydicom("image_dfl.dcm").toString(), in.toString());
        Path ref = tmp.resolve("ref.dcm");
        referenceDecode("dcmdjpeg", in, ref);
        assertSameVoxels(in, ref, 1);
    }

    @Test
    void eightBitNearLosslessJpegLs() throws Exception {
        Path in = tmp.resolve("near.dcm");
        DicomTools.run("dcmcjpls", "+en", "+md", "3", TestData.pydicom("image_dfl.dcm").toString(), in.toString());
        Path ref = tmp.resolve("ref.dcm");
        referenceDecode("dcmdjpls", in, ref);
        assertSameVoxels(in, ref, 0);
    }

    @Test
    void severalCompressedSeriesInOneDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Path rle = encodeSeries("dcmcrle", ct5n(), tmp.resolve("rle"));
        Path jls = encodeSeries("dcmcjpls", ct5n(), tmp.resolve("jls"));
        try (Stream<Path> s = Files.list(rle)) {
            for (Path f : s.toList()) {
                Files.copy(f, dir.resolve("rle-" + f.getFileName()));
            }
        }
        try (Stream<Path> s = Files.list(jls)) {
            for (Path f : s.toList()) {
                Path out = dir.resolve("jls-" + f.getFileName());
                Files.copy(f, out);
                DicomTools.run("dcmodify", "-nb", "-m", "(0020,000E)=1.2.826.0.1.3680043.10.1.17.2", out.toString());
            }
        }
        List<DicomReader.SeriesInfo> series = DicomReader.listSeries(dir);
        assertEquals(2, series.size());
        Volume a = Volumes.read(dir, ReadOptions.defaults().withSeries("1.2.826.0.1.3680043.10.1.17.2"));
        Volume b = Volumes.read(dir, ReadOptions.defaults().withSeries(
                "1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6"));
        Volume plain = Volumes.read(ct5n());
        assertTrue(a.formatDetail().contains("JPEG-LS"), a.formatDetail());
        assertTrue(b.formatDetail().contains("RLE"), b.formatDetail());
        for (int i = 0; i < plain.voxelCount(); i++) {
            assertEquals(plain.get(i), a.get(i));
            assertEquals(plain.get(i), b.get(i));
        }
    }

    /** A copy of a series with BitsStored 12 / HighBit 11 (its stored values fit in 12 signed bits). */
    static Path twelveBit(Path series, Path out) throws IOException {
        Files.createDirectories(out);
        try (Stream<Path> s = Files.list(series)) {
            for (Path f : s.toList()) {
                Path g = out.resolve(f.getFileName());
                Files.copy(f, g);
                DicomTools.run("dcmodify", "-nb", "-m", "(0028,0101)=12", "-m", "(0028,0102)=11", "-e",
                        "(0028,0120)", g.toString());
            }
        }
        return out;
    }

    /** Each file of {@code series} encoded with {@code encoder} ("tool options...") into {@code out}. */
    static Path encodeSeries(String encoder, Path series, Path out) throws IOException {
        Files.createDirectories(out);
        String[] words = encoder.split(" ");
        try (Stream<Path> s = Files.list(series)) {
            for (Path f : s.toList()) {
                String[] cmd = java.util.Arrays.copyOf(words, words.length + 2);
                cmd[words.length] = f.toString();
                cmd[words.length + 1] = out.resolve(f.getFileName()).toString();
                DicomTools.run(cmd);
            }
        }
        return out;
    }
}
