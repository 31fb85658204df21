package io.github.promptonce.volume;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, up to 15 segment offsets) and one PackBits
 * segment per byte of a sample, most significant byte first. Greyscale: BitsAllocated / 8 segments.
 */
final class RleDecoder implements FrameDecoder {
    @Override
    public int[] decode(byte[] frame, Shape shape) throws CodecException {
        if (frame.length < 64) {
            throw new CodecException("RLE frame of " + frame.length + " bytes is shorter than its 64-byte header");
        }
        int segments = (int) DicomParser.u32(frame, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        int bytesPerSample = Math.max(1, shape.bitsAllocated() / 8);
        if (segments != bytesPerSample) {
            throw new CodecException("RLE header declares " + segments + " segments; expected " + bytesPerSample
                    + " for one greyscale sample of " + shape.bitsAllocated() + " bits (corrupt stream)");
        }
        int n = shape.samples();
        int[] out = new int[n];
        byte[] plane = new byte[n];
        for (int s = 0; s < segments; s++) {
            long start = DicomParser.u32(frame, 4 + 4 * s, java.nio.ByteOrder.LITTLE_ENDIAN);
            long end = s + 1 < segments ? DicomParser.u32(frame, 8 + 4 * s, java.nio.ByteOrder.LITTLE_ENDIAN)
                    : frame.length;
            if (start < 64 || end > frame.length || start > end) {
                throw new CodecException("RLE segment " + (s + 1) + " spans bytes " + start + ".." + end
                        + " outside the frame's " + frame.length + " bytes (truncated or corrupt)");
            }
            unpack(frame, (int) start, (int) end, plane, s);
            int shift = 8 * (segments - 1 - s);
            for (int p = 0; p < n; p++) {
                out[p] |= (plane[p] & 0xff) << shift;
            }
        }
        return out;
    }

    /** PackBits: n in 0..127 copies n + 1 bytes, n in -127..-1 repeats the next byte 1 - n times, -128 is a no-op. */
    private static void unpack(byte[] in, int pos, int end, byte[] out, int segment) throws CodecException {
        int o = 0;
        while (o < out.length) {
            if (pos >= end) {
                throw new CodecException("RLE segment " + (segment + 1) + " ends after " + o + " of " + out.length
                        + " bytes (truncated)");
            }
            int h = in[pos++];
            if (h >= 0) {
                int len = h + 1;
                if (pos + len > end || o + len > out.length) {
                    throw new CodecException("RLE segment " + (segment + 1) + ": a literal run of " + len
                            + " bytes overruns the segment or the image (corrupt)");
                }
                System.arraycopy(in, pos, out, o, len);
                pos += len;
                o += len;
            } else if (h != -128) {
                int len = 1 - h;
                if (pos >= end || o + len > out.length) {
                    throw new CodecException("RLE segment " + (segment + 1) + ": a repeat run of " + len
                            + " bytes overruns the segment or the image (corrupt)");
                }
                java.util.Arrays.fill(out, o, o + len, in[pos++]);
                o += len;
            }
        }
    }
}
