package io.github.promptonce.volume;

/**
 * JPEG frames (Baseline, Extended, Lossless): the frame header (SOF) decides the decoder. Lossless (SOF3) and 8-bit
 * DCT go to TwelveMonkeys' ImageIO reader; 12-bit DCT (Extended, Process 4), which no Java ImageIO reader decodes,
 * goes to {@link Dct12Decoder}.
 */
final class JpegDecoder implements FrameDecoder {
    @Override
    public int[] decode(byte[] frame, Shape shape) throws CodecException {
        int[] sof = frameHeader(frame);
        int type = sof[0];
        int precision = sof[1];
        if (type != 0xC3 && precision == 12) {
            return new Dct12Decoder().decode(frame, shape);
        }
        return ImageIoDecoder.jpeg().decode(frame, shape);
    }

    /** {SOF marker, sample precision} of the first frame header. */
    static int[] frameHeader(byte[] b) throws CodecException {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            throw new CodecException("JPEG stream does not start with SOI (FFD8) (corrupt stream)");
        }
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xff) != 0xFF) {
                throw new CodecException(String.format("JPEG stream: byte %02X at %d where a marker was expected "
                        + "(corrupt stream)", b[pos] & 0xff, pos));
            }
            int marker = b[pos + 1] & 0xff;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            int len = (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (pos + 5 > b.length) {
                    break;
                }
                return new int[] {marker, b[pos + 4] & 0xff};
            }
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            pos += 2 + len;
        }
        throw new CodecException("JPEG stream has no frame header (SOF) (corrupt or truncated stream)");
    }
}
