package io.github.promptonce.volume;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of encapsulated (compressed) Pixel Data (PS3.5 A.4): a Basic Offset Table item, then fragment items up
 * to a sequence delimiter. A frame is one or more whole fragments. Frames are found from the offset table when it
 * is present, else one fragment per frame when the counts agree, else by the start-of-image marker each frame's
 * first fragment begins with (JPEG, JPEG-LS: FFD8; JPEG 2000: FF4F).
 */
final class EncapsulatedPixels {
    private static final int ITEM = 0xFFFEE000;
    private static final int SEQ_DELIM = 0xFFFEE0DD;
    /** Fragments larger than this are refused (a corrupt length, not a frame). */
    private static final long MAX_FRAGMENT = Integer.MAX_VALUE - 8;

    private EncapsulatedPixels() {
    }

    /** The compressed bytes of each of the file's {@code frames} frames, in file order. */
    static List<byte[]> frames(DicomParser.ParsedFile f, int frames) throws VolumeFormatException {
        List<byte[]> fragments = new ArrayList<>();
        long[] offsets;
        try (InputStream in = DicomParser.openPixels(f)) {
            offsets = offsetTable(item(in, f, "Basic Offset Table"), f);
            while (true) {
                byte[] fragment = item(in, f, "fragment " + (fragments.size() + 1));
                if (fragment == null) {
                    break;
                }
                fragments.add(fragment);
            }
        } catch (EOFException e) {
            throw new VolumeFormatException(f.path() + ": Pixel Data ends early (truncated file)", e);
        } catch (IOException e) {
            throw new VolumeFormatException(f.path() + ": cannot read pixel data: " + e.getMessage(), e);
        }
        if (fragments.isEmpty()) {
            throw new VolumeFormatException(f.path() + ": encapsulated Pixel Data holds no fragment; expected "
                    + frames + (frames == 1 ? " frame" : " frames"));
        }
        List<List<byte[]>> grouped = group(fragments, offsets, frames, f);
        List<byte[]> out = new ArrayList<>(grouped.size());
        for (List<byte[]> parts : grouped) {
            out.add(concat(parts, f));
        }
        return out;
    }

    /** Reads one item's value; null at the sequence delimiter. */
    private static byte[] item(InputStream in, DicomParser.ParsedFile f, String what)
            throws IOException, VolumeFormatException {
        byte[] h = in.readNBytes(8);
        if (h.length < 8) {
            throw new VolumeFormatException(f.path() + ": encapsulated Pixel Data ends before " + what
                    + " (truncated file; expected an item or the sequence delimiter (FFFE,E0DD))");
        }
        int tag = DicomParser.u16(h, 0, ByteOrder.LITTLE_ENDIAN) << 16 | DicomParser.u16(h, 2, ByteOrder.LITTLE_ENDIAN);
        long len = DicomParser.u32(h, 4, ByteOrder.LITTLE_ENDIAN);
        if (tag == SEQ_DELIM) {
            return null;
        }
        if (tag != ITEM) {
            throw new VolumeFormatException(f.path() + ": encapsulated Pixel Data holds " + DicomParser.tagText(tag)
                    + " where " + what + " (an item (FFFE,E000)) was expected (corrupt file)");
        }
        if (len > MAX_FRAGMENT) {
            throw new VolumeFormatException(f.path() + ": " + what + " claims " + len + " bytes (corrupt length)");
        }
        byte[] value = in.readNBytes((int) len);
        if (value.length < len) {
            throw new VolumeFormatException(f.path() + ": " + what + " claims " + len + " bytes but only "
                    + value.length + " remain in the file (truncated fragment)");
        }
        return value;
    }

    private static long[] offsetTable(byte[] table, DicomParser.ParsedFile f) throws VolumeFormatException {
        if (table == null) {
            throw new VolumeFormatException(f.path() + ": encapsulated Pixel Data has no Basic Offset Table item "
                    + "(corrupt file)");
        }
        if (table.length % 4 != 0) {
            throw new VolumeFormatException(f.path() + ": Basic Offset Table of " + table.length
                    + " bytes is not a list of 32-bit offsets (corrupt file)");
        }
        long[] out = new long[table.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = DicomParser.u32(table, 4 * i, ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    private static List<List<byte[]>> group(List<byte[]> fragments, long[] offsets, int frames,
                                            DicomParser.ParsedFile f) throws VolumeFormatException {
        List<List<byte[]>> out = new ArrayList<>();
        if (frames == 1) {
            out.add(fragments);
            return out;
        }
        if (offsets.length > 0) {
            if (offsets.length != frames) {
                throw new VolumeFormatException(f.path() + ": Basic Offset Table lists " + offsets.length
                        + " frames but NumberOfFrames is " + frames + " (frame count mismatch)");
            }
            // Offsets count bytes from the first fragment's item tag; each item adds an 8-byte header.
            long pos = 0;
            int next = 0;
            for (byte[] fragment : fragments) {
                if (next < frames && pos == offsets[next]) {
                    out.add(new ArrayList<>());
                    next++;
                } else if (out.isEmpty() || next < frames && pos > offsets[next]) {
                    throw new VolumeFormatException(f.path() + ": Basic Offset Table entry " + (next + 1) + " ("
                            + offsets[next] + ") does not point at a fragment (corrupt offset table)");
                }
                out.get(out.size() - 1).add(fragment);
                pos += 8 + fragment.length;
            }
        } else if (fragments.size() == frames) {
            for (byte[] fragment : fragments) {
                out.add(List.of(fragment));
            }
        } else {
            for (byte[] fragment : fragments) {
                if (out.isEmpty() || startsImage(fragment)) {
                    out.add(new ArrayList<>());
                }
                out.get(out.size() - 1).add(fragment);
            }
        }
        if (out.size() != frames) {
            throw new VolumeFormatException(f.path() + ": encapsulated Pixel Data holds " + out.size()
                    + (out.size() == 1 ? " frame" : " frames") + " (" + fragments.size() + " fragments) but "
                    + "NumberOfFrames is " + frames + " (frame count mismatch)");
        }
        return out;
    }

    private static boolean startsImage(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0xFF && ((b[1] & 0xff) == 0xD8 || (b[1] & 0xff) == 0x4F);
    }

    private static byte[] concat(List<byte[]> parts, DicomParser.ParsedFile f) throws VolumeFormatException {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        long n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        if (n > MAX_FRAGMENT) {
            throw new VolumeFormatException(f.path() + ": a frame of " + n + " compressed bytes is too large");
        }
        byte[] out = new byte[(int) n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
