package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken compressed files give one clear {@link VolumeFormatException} (the CLI's exit 3), never a crash or a silent
 * wrong image: a corrupt stream, a stream cut short inside a whole fragment, a fragment cut by the end of the file,
 * a frame count that does not match the fragments. CT_small encoded with each codec here.
 */
class CompressedDicomBadInputTest {
    @TempDir
    Path tmp;

    private Path encoded(String encoder) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Files.copy(TestData.pydicom("CT_small.dcm"), dir.resolve("ct.dcm"));
        return CompressedDicomTest.encodeSeries(encoder, dir, tmp.resolve("enc")).resolve("ct.dcm");
    }

    /** Where the first fragment's value starts: after Pixel Data's header, the offset table item and an item tag. */
    static int firstFragment(byte[] file) {
        for (int p = 0; p + 12 < file.length; p++) {
            if ((file[p] & 0xff) == 0xE0 && (file[p + 1] & 0xff) == 0x7F && file[p + 2] == 0x10 && file[p + 3] == 0
                    && file[p + 4] == 'O' && file[p + 5] == 'B') {
                int bot = p + 12;
                int botLen = ByteBuffer.wrap(file, bot + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                return bot + 8 + botLen + 8;
            }
        }
        throw new AssertionError("no encapsulated Pixel Data found");
    }

    private static int fragmentLength(byte[] file, int start) {
        return ByteBuffer.wrap(file, start - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static String fails(Path p) {
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(p));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcmcrle", "dcmcjpeg +e1", "dcmcjpeg +ee", "dcmcjpls", "gdcmconv --j2k"})
    void corruptStreamHeader(String encoder) throws Exception {
        byte[] b = Files.readAllBytes(encoded(encoder));
        int f = firstFragment(b);
        Arrays.fill(b, f, f + 16, (byte) 0x5A); // the stream's header (markers / RLE segment table)
        Path bad = tmp.resolve("bad.dcm");
        Files.write(bad, b);
        String m = fails(bad);
        assertTrue(m.startsWith(bad + ": "), m);
        assertTrue(m.contains("corrupt") || m.contains("truncated"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcmcrle", "dcmcjpeg +e1", "dcmcjpeg +ee", "dcmcjpls", "gdcmconv --j2k"})
    void streamCutShortInsideAWholeFragment(String encoder) throws Exception {
        byte[] b = Files.readAllBytes(encoded(encoder));
        int f = firstFragment(b);
        int len = fragmentLength(b, f);
        int keep = (len / 3) & ~1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, f - 4);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(keep).array());
        out.write(b, f, keep);
        out.write(b, f + len, b.length - f - len); // the sequence delimiter
        Path bad = tmp.resolve("short.dcm");
        Files.write(bad, out.toByteArray());
        String m = fails(bad);
        assertTrue(m.contains("truncated") || m.contains("corrupt"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcmcrle", "dcmcjpls", "gdcmconv --j2k"})
    void fragmentCutByTheEndOfTheFile(String encoder) throws Exception {
        byte[] b = Files.readAllBytes(encoded(encoder));
        int f = firstFragment(b);
        Path bad = tmp.resolve("cut.dcm");
        Files.write(bad, Arrays.copyOf(b, f + 100));
        String m = fails(bad);
        assertTrue(m.contains("truncated fragment"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcmcrle", "dcmcjpls"})
    void frameCountMismatch(String encoder) throws Exception {
        Path p = encoded(encoder);
        DicomTools.run("dcmodify", "-nb", "-i", "(0028,0008)=3", p.toString());
        String m = fails(p);
        assertTrue(m.contains("frame count mismatch") || m.contains("NumberOfFrames is 3"), m);
    }
}
