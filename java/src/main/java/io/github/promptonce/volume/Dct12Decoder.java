package io.github.promptonce.volume;

/**
 * A sequential Huffman DCT JPEG decoder (ITU T.81, SOF0/SOF1) for one greyscale component of 8 or 12 bits, with
 * restart intervals. It exists for DICOM's JPEG Extended 12-bit (Process 4: most lossy CT), which no Java ImageIO
 * reader decodes; 8-bit streams go to TwelveMonkeys. The inverse DCT is computed exactly in double precision and
 * rounded, so samples agree with libjpeg's integer IDCT (dcmtk's dcmdjpeg) within ±1. Progressive and arithmetic
 * coded 12-bit streams are refused.
 */
final class Dct12Decoder implements FrameDecoder {
    private static final int[] NATURAL = {0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40,
        48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58,
        59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
    /** COS[x][u] = C(u)/2 · cos((2x + 1)uπ/16), C(0) = 1/√2, C(u) = 1: the 1-D IDCT basis. */
    private static final double[][] COS = new double[8][8];

    static {
        for (int x = 0; x < 8; x++) {
            for (int u = 0; u < 8; u++) {
                COS[x][u] = (u == 0 ? Math.sqrt(0.5) : 1) / 2 * Math.cos((2 * x + 1) * u * Math.PI / 16);
            }
        }
    }

    /** A canonical Huffman table: for each code length, the largest code and where its symbols start. */
    private static final class Huffman {
        final int[] maxCode = new int[18];
        final int[] valPtr = new int[17];
        final int[] minCode = new int[17];
        final int[] values;

        Huffman(int[] counts, int[] values) {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                code += counts[len - 1];
                k += counts[len - 1];
                maxCode[len] = counts[len - 1] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }
    }

    private byte[] b;
    private int pos;
    private int bitBuf;
    private int bitCount;
    private final int[][] quant = new int[4][];
    private final Huffman[] dc = new Huffman[4];
    private final Huffman[] ac = new Huffman[4];

    @Override
    public int[] decode(byte[] frame, Shape shape) throws CodecException {
        this.b = frame;
        this.pos = 2;
        int precision = 0;
        int width = 0;
        int height = 0;
        int quantIndex = 0;
        int restart = 0;
        boolean haveFrame = false;
        if (frame.length < 2 || (frame[0] & 0xff) != 0xFF || (frame[1] & 0xff) != 0xD8) {
            throw new CodecException("JPEG stream does not start with SOI (FFD8) (corrupt stream)");
        }
        while (true) {
            int marker = marker();
            int len = u16();
            int end = pos + len - 2;
            if (len < 2 || end > b.length) {
                throw new CodecException(String.format("JPEG marker FF%02X segment of %d bytes overruns the stream "
                        + "(truncated or corrupt)", marker, len));
            }
            switch (marker) {
                case 0xDB -> {
                    while (pos < end) {
                        int pq = u8();
                        int[] q = new int[64];
                        for (int i = 0; i < 64; i++) {
                            q[NATURAL[i]] = (pq >> 4) == 0 ? u8() : u16();
                        }
                        quant[pq & 3] = q;
                    }
                }
                case 0xC4 -> {
                    while (pos < end) {
                        int tc = u8();
                        int[] counts = new int[16];
                        int total = 0;
                        for (int i = 0; i < 16; i++) {
                            counts[i] = u8();
                            total += counts[i];
                        }
                        int[] values = new int[total];
                        for (int i = 0; i < total; i++) {
                            values[i] = u8();
                        }
                        ((tc >> 4) == 0 ? dc : ac)[tc & 3] = new Huffman(counts, values);
                    }
                }
                case 0xC0, 0xC1 -> {
                    precision = u8();
                    height = u16();
                    width = u16();
                    int components = u8();
                    if (components != 1) {
                        throw new CodecException("JPEG frame with " + components + " components; expected 1");
                    }
                    u8();
                    u8(); // sampling factors: irrelevant for one component
                    quantIndex = u8() & 3;
                    haveFrame = true;
                    if (precision != 8 && precision != 12) {
                        throw new CodecException("JPEG DCT precision " + precision + "; expected 8 or 12");
                    }
                }
                case 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> throw new CodecException(
                        String.format("JPEG frame type FF%02X with 12-bit samples is not supported (sequential "
                                + "Huffman only)", marker));
                case 0xDD -> restart = u16();
                case 0xDA -> {
                    if (!haveFrame) {
                        throw new CodecException("JPEG scan (SOS) before the frame header (SOF)");
                    }
                    if (width != shape.columns() || height != shape.rows()) {
                        throw new CodecException("JPEG frame is " + width + "x" + height + " but Columns x Rows is "
                                + shape.columns() + "x" + shape.rows());
                    }
                    int ns = u8();
                    if (ns != 1) {
                        throw new CodecException("JPEG scan with " + ns + " components; expected 1");
                    }
                    u8();
                    int tables = u8();
                    pos = end;
                    Huffman d = dc[tables >> 4];
                    Huffman a = ac[tables & 3];
                    if (d == null || a == null || quant[quantIndex] == null) {
                        throw new CodecException("JPEG scan refers to a missing Huffman or quantisation table");
                    }
                    return scan(width, height, precision, restart, d, a, quant[quantIndex]);
                }
                case 0xD9 -> throw new CodecException("JPEG stream ends (EOI) before any scan");
                default -> {
                }
            }
            pos = end;
        }
    }

    private int[] scan(int width, int height, int precision, int restart, Huffman dcTable, Huffman acTable,
                       int[] q) throws CodecException {
        int[] out = new int[width * height];
        int bw = (width + 7) / 8;
        int bh = (height + 7) / 8;
        int maxVal = (1 << precision) - 1;
        int shift = 1 << (precision - 1);
        int[] coef = new int[64];
        double[] tmp = new double[64];
        int pred = 0;
        int blocks = 0;
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                if (restart > 0 && blocks > 0 && blocks % restart == 0) {
                    restartMarker();
                    pred = 0;
                }
                blocks++;
                java.util.Arrays.fill(coef, 0);
                int s = decodeSymbol(dcTable);
                pred += extend(bits(s), s);
                coef[0] = pred * q[0];
                for (int k = 1; k < 64; k++) {
                    int rs = decodeSymbol(acTable);
                    int r = rs >> 4;
                    s = rs & 15;
                    if (s == 0) {
                        if (r != 15) {
                            break;
                        }
                        k += 15;
                        continue;
                    }
                    k += r;
                    if (k > 63) {
                        throw new CodecException("JPEG block has a coefficient past index 63 (corrupt stream)");
                    }
                    coef[NATURAL[k]] = extend(bits(s), s) * q[NATURAL[k]];
                }
                idct(coef, tmp);
                for (int y = 0; y < 8; y++) {
                    int py = by * 8 + y;
                    if (py >= height) {
                        break;
                    }
                    for (int x = 0; x < 8; x++) {
                        int px = bx * 8 + x;
                        if (px < width) {
                            long v = (long) Math.floor(tmp[y * 8 + x] + 0.5) + shift;
                            out[py * width + px] = (int) Math.max(0, Math.min(maxVal, v));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** out[y·8 + x] = Σ_u Σ_v COS[x][u] COS[y][v] F(v, u), rows then columns. */
    private static void idct(int[] f, double[] out) {
        double[] rows = new double[64];
        for (int v = 0; v < 8; v++) {
            for (int x = 0; x < 8; x++) {
                double s = 0;
                for (int u = 0; u < 8; u++) {
                    s += COS[x][u] * f[v * 8 + u];
                }
                rows[v * 8 + x] = s;
            }
        }
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                double s = 0;
                for (int v = 0; v < 8; v++) {
                    s += COS[y][v] * rows[v * 8 + x];
                }
                out[y * 8 + x] = s;
            }
        }
    }

    private static int extend(int v, int s) {
        return s == 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    }

    private int decodeSymbol(Huffman h) throws CodecException {
        int code = 0;
        for (int len = 1; len <= 16; len++) {
            code = code << 1 | bit();
            if (code <= h.maxCode[len]) {
                return h.values[h.valPtr[len] + code - h.minCode[len]];
            }
        }
        throw new CodecException("JPEG scan holds a Huffman code that is in no table (corrupt stream)");
    }

    private int bits(int n) throws CodecException {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 1 | bit();
        }
        return v;
    }

    private int bit() throws CodecException {
        if (bitCount == 0) {
            if (pos >= b.length) {
                throw new CodecException("JPEG scan data ends early (truncated stream)");
            }
            int v = b[pos] & 0xff;
            if (v == 0xFF) {
                int next = pos + 1 < b.length ? b[pos + 1] & 0xff : -1;
                if (next != 0) {
                    throw new CodecException(String.format("JPEG scan data ends at marker FF%02X before the image is "
                            + "complete (truncated or corrupt stream)", next & 0xff));
                }
                pos++;
            }
            pos++;
            bitBuf = v;
            bitCount = 8;
        }
        bitCount--;
        return (bitBuf >> bitCount) & 1;
    }

    private void restartMarker() throws CodecException {
        bitCount = 0;
        if (pos + 1 >= b.length || (b[pos] & 0xff) != 0xFF || ((b[pos + 1] & 0xff) & 0xF8) != 0xD0) {
            throw new CodecException("JPEG scan: expected a restart marker at byte " + pos + " (corrupt stream)");
        }
        pos += 2;
    }

    private int marker() throws CodecException {
        if (pos >= b.length || (b[pos] & 0xff) != 0xFF) {
            throw new CodecException("JPEG stream: expected a marker at byte " + pos + " (corrupt or truncated stream)");
        }
        while (pos < b.length && (b[pos] & 0xff) == 0xFF) {
            pos++;
        }
        return u8();
    }

    private int u8() throws CodecException {
        if (pos >= b.length) {
            throw new CodecException("JPEG stream ends early at byte " + pos + " (truncated stream)");
        }
        return b[pos++] & 0xff;
    }

    private int u16() throws CodecException {
        return u8() << 8 | u8();
    }
}
