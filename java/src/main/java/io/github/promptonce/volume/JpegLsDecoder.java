package io.github.promptonce.volume;

/**
 * A JPEG-LS decoder (ITU-T T.87 / ISO 14495-1) for one greyscale component, lossless and near-lossless, 2 to 16
 * bits: context modelling with the 365 regular contexts and two run-interruption contexts, Golomb codes with the
 * escape limit, run mode with the J table, and the preset parameters of an LSE marker. Written here because no
 * maintained JPEG-LS decoder for Java is on Maven Central. Not handled (refused with a message): several
 * components, a point transform, restart markers, mapping tables, a DNL marker.
 */
final class JpegLsDecoder implements FrameDecoder {
    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10,
        11, 12, 13, 14, 15};

    @Override
    public int[] decode(byte[] frame, Shape shape) throws CodecException {
        return new Stream(frame).decode(shape);
    }

    /** Parses the markers and decodes the scan of one frame. */
    private static final class Stream {
        private final byte[] b;
        private int pos;
        // frame and scan parameters
        private int precision;
        private int width;
        private int height;
        private int maxVal;
        private int t1;
        private int t2;
        private int t3;
        private int reset = 64;
        private boolean presetThresholds;
        private int near;
        // derived
        private int range;
        private int qbpp;
        private int limit;
        // contexts: 0..364 regular, 365 and 366 run interruption (RItype 0 and 1)
        private final int[] a = new int[367];
        private final int[] bias = new int[365];
        private final int[] c = new int[365];
        private final int[] n = new int[367];
        private final int[] nn = new int[2];
        private int runIndex;
        // bit reader
        private long bits;
        private int bitCount;
        private int scanStart;

        Stream(byte[] b) {
            this.b = b;
        }

        int[] decode(Shape shape) throws CodecException {
            if (u8() != 0xFF || u8() != 0xD8) {
                throw new CodecException("JPEG-LS stream does not start with SOI (FFD8) (corrupt stream)");
            }
            boolean haveFrame = false;
            while (true) {
                int marker = nextMarker();
                switch (marker) {
                    case 0xF7 -> {
                        readFrameHeader();
                        haveFrame = true;
                    }
                    case 0xF8 -> readPresets();
                    case 0xDA -> {
                        if (!haveFrame) {
                            throw new CodecException("JPEG-LS scan (SOS) before the frame header (SOF55)");
                        }
                        readScanHeader();
                        if (width != shape.columns() || height != shape.rows()) {
                            throw new CodecException("JPEG-LS frame is " + width + "x" + height
                                    + " but Columns x Rows is " + shape.columns() + "x" + shape.rows());
                        }
                        if (precision > shape.bitsAllocated()) {
                            throw new CodecException("JPEG-LS precision " + precision + " bits exceeds BitsAllocated "
                                    + shape.bitsAllocated());
                        }
                        scanStart = pos;
                        return decodeScan();
                    }
                    case 0xDD -> throw new CodecException("JPEG-LS restart intervals (DRI) are not supported");
                    case 0xD9 -> throw new CodecException("JPEG-LS stream ends (EOI) before any scan");
                    case 0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                            throw new CodecException(String.format("stream has a JPEG frame header (FF%02X), "
                                    + "not JPEG-LS (SOF55, FFF7)", marker));
                    default -> skipSegment();
                }
            }
        }

        private int u8() throws CodecException {
            if (pos >= b.length) {
                throw new CodecException("JPEG-LS stream ends early at byte " + pos + " (truncated)");
            }
            return b[pos++] & 0xff;
        }

        private int u16() throws CodecException {
            return u8() << 8 | u8();
        }

        private int nextMarker() throws CodecException {
            int x = u8();
            if (x != 0xFF) {
                throw new CodecException(String.format("JPEG-LS stream: byte %02X at %d where a marker was expected "
                        + "(corrupt)", x, pos - 1));
            }
            while (x == 0xFF) {
                x = u8();
            }
            return x;
        }

        private void skipSegment() throws CodecException {
            int len = u16();
            if (len < 2 || pos + len - 2 > b.length) {
                throw new CodecException("JPEG-LS marker segment of length " + len + " overruns the stream");
            }
            pos += len - 2;
        }

        private void readFrameHeader() throws CodecException {
            int len = u16();
            precision = u8();
            height = u16();
            width = u16();
            int components = u8();
            if (components != 1) {
                throw new CodecException("JPEG-LS frame with " + components + " components; expected 1 (greyscale)");
            }
            pos += Math.max(0, len - 8); // component id, sampling factors, Tq
            if (precision < 2 || precision > 16) {
                throw new CodecException("JPEG-LS precision " + precision + "; expected 2 to 16 bits");
            }
            if (height == 0) {
                throw new CodecException("JPEG-LS frame with 0 lines (DNL marker) is not supported");
            }
            if (width == 0) {
                throw new CodecException("JPEG-LS frame with 0 columns");
            }
        }

        private void readPresets() throws CodecException {
            int len = u16();
            int end = pos + len - 2;
            int id = u8();
            if (id != 1) {
                throw new CodecException("JPEG-LS LSE marker of type " + id
                        + " (mapping table or extension) is not supported");
            }
            maxVal = u16();
            t1 = u16();
            t2 = u16();
            t3 = u16();
            reset = u16();
            presetThresholds = true;
            pos = end;
        }

        private void readScanHeader() throws CodecException {
            int len = u16();
            int components = u8();
            if (components != 1) {
                throw new CodecException("JPEG-LS scan with " + components + " components; expected 1");
            }
            pos += 2; // component selector, mapping table selector
            near = u8();
            u8(); // interleave mode: irrelevant for one component
            int pointTransform = u8() & 0x0f;
            if (pointTransform != 0) {
                throw new CodecException("JPEG-LS point transform " + pointTransform + " is not supported");
            }
            if (len != 8) {
                throw new CodecException("JPEG-LS scan header of length " + len + "; expected 8 for one component");
            }
            setUp();
        }

        /** Defaults of T.87 C.2.4.1.1 and the initial context state of A.2.1. */
        private void setUp() throws CodecException {
            if (maxVal == 0) {
                maxVal = (1 << precision) - 1;
            }
            if (near < 0 || near > Math.min(255, maxVal / 2)) {
                throw new CodecException("JPEG-LS NEAR " + near + " out of range for MAXVAL " + maxVal);
            }
            if (reset == 0) {
                reset = 64;
            }
            int[] d = defaultThresholds(maxVal, near);
            if (!presetThresholds || t1 == 0) {
                t1 = d[0];
            }
            if (!presetThresholds || t2 == 0) {
                t2 = d[1];
            }
            if (!presetThresholds || t3 == 0) {
                t3 = d[2];
            }
            range = (maxVal + 2 * near) / (2 * near + 1) + 1;
            qbpp = ceilLog2(range);
            int bpp = Math.max(2, ceilLog2(maxVal + 1));
            limit = 2 * (bpp + Math.max(8, bpp));
            int a0 = Math.max(2, (range + 32) / 64);
            java.util.Arrays.fill(a, a0);
            java.util.Arrays.fill(n, 1);
        }

        static int[] defaultThresholds(int maxVal, int near) {
            int t1;
            int t2;
            int t3;
            if (maxVal >= 128) {
                int factor = (Math.min(maxVal, 4095) + 128) / 256;
                t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxVal);
                t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1, maxVal);
                t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2, maxVal);
            } else {
                int factor = 256 / (maxVal + 1);
                t1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1, maxVal);
                t2 = clamp(Math.max(3, 7 / factor + 5 * near), t1, maxVal);
                t3 = clamp(Math.max(4, 21 / factor + 7 * near), t2, maxVal);
            }
            return new int[] {t1, t2, t3};
        }

        private static int clamp(int i, int j, int maxVal) {
            return i > maxVal || i < j ? j : i;
        }

        private static int ceilLog2(int v) {
            int k = 0;
            while ((1L << k) < v) {
                k++;
            }
            return k;
        }

        private int[] decodeScan() throws CodecException {
            int[] out = new int[width * height];
            // Lines with one guard sample on each side: [0] is Ra's / Rc's source, [width + 1] is Rd at the end.
            int[] prev = new int[width + 2];
            int[] cur = new int[width + 2];
            for (int y = 0; y < height; y++) {
                prev[width + 1] = prev[width];
                cur[0] = prev[1];
                decodeLine(prev, cur);
                System.arraycopy(cur, 1, out, y * width, width);
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return out;
        }

        private void decodeLine(int[] prev, int[] cur) throws CodecException {
            int x = 1;
            while (x <= width) {
                int ra = cur[x - 1];
                int rb = prev[x];
                int rc = prev[x - 1];
                int rd = prev[x + 1];
                int d1 = rd - rb;
                int d2 = rb - rc;
                int d3 = rc - ra;
                if (Math.abs(d1) <= near && Math.abs(d2) <= near && Math.abs(d3) <= near) {
                    x = runMode(prev, cur, x);
                } else {
                    cur[x] = regular(ra, rb, rc, quantize(d1), quantize(d2), quantize(d3));
                    x++;
                }
            }
        }

        private int quantize(int d) {
            if (d <= -t3) {
                return -4;
            }
            if (d <= -t2) {
                return -3;
            }
            if (d <= -t1) {
                return -2;
            }
            if (d < -near) {
                return -1;
            }
            if (d <= near) {
                return 0;
            }
            if (d < t1) {
                return 1;
            }
            if (d < t2) {
                return 2;
            }
            if (d < t3) {
                return 3;
            }
            return 4;
        }

        private int regular(int ra, int rb, int rc, int q1, int q2, int q3) throws CodecException {
            int sign = 1;
            if (q1 < 0 || q1 == 0 && (q2 < 0 || q2 == 0 && q3 < 0)) {
                sign = -1;
                q1 = -q1;
                q2 = -q2;
                q3 = -q3;
            }
            int q = (q1 * 9 + q2) * 9 + q3;
            int px;
            if (rc >= Math.max(ra, rb)) {
                px = Math.min(ra, rb);
            } else if (rc <= Math.min(ra, rb)) {
                px = Math.max(ra, rb);
            } else {
                px = ra + rb - rc;
            }
            px += sign * c[q];
            px = Math.max(0, Math.min(maxVal, px));
            int k = 0;
            while ((n[q] << k) < a[q]) {
                k++;
            }
            int m = golomb(k, limit);
            int err;
            if (near == 0 && k == 0 && 2 * bias[q] <= -n[q]) {
                err = (m & 1) != 0 ? (m - 1) >> 1 : -(m >> 1) - 1;
            } else {
                err = (m & 1) == 0 ? m >> 1 : -((m + 1) >> 1);
            }
            // context update (A.6) with the sign-normalised error
            bias[q] += err * (2 * near + 1);
            a[q] += Math.abs(err);
            if (n[q] == reset) {
                a[q] >>= 1;
                bias[q] >>= 1;
                n[q] >>= 1;
            }
            n[q]++;
            if (bias[q] <= -n[q]) {
                bias[q] += n[q];
                if (c[q] > -128) {
                    c[q]--;
                }
                if (bias[q] <= -n[q]) {
                    bias[q] = -n[q] + 1;
                }
            } else if (bias[q] > 0) {
                bias[q] -= n[q];
                if (c[q] < 127) {
                    c[q]++;
                }
                if (bias[q] > 0) {
                    bias[q] = 0;
                }
            }
            return reconstruct(px, sign * err);
        }

        private int reconstruct(int px, int err) {
            int rx = px + err * (2 * near + 1);
            if (rx < -near) {
                rx += range * (2 * near + 1);
            } else if (rx > maxVal + near) {
                rx -= range * (2 * near + 1);
            }
            return Math.max(0, Math.min(maxVal, rx));
        }

        /** Run mode (A.7): a run of Ra, then, unless the line ended, one run-interruption sample. */
        private int runMode(int[] prev, int[] cur, int x) throws CodecException {
            int ra = cur[x - 1];
            int remaining = width - x + 1;
            int count = 0;
            while (readBit() == 1) {
                int step = Math.min(1 << J[runIndex], remaining - count);
                count += step;
                if (step == 1 << J[runIndex]) {
                    runIndex = Math.min(31, runIndex + 1);
                }
                if (count == remaining) {
                    break;
                }
            }
            if (count != remaining) {
                count += J[runIndex] > 0 ? readBits(J[runIndex]) : 0;
            }
            if (count > remaining) {
                throw new CodecException("JPEG-LS run of " + count + " samples overruns the line (corrupt stream)");
            }
            for (int i = 0; i < count; i++) {
                cur[x + i] = ra;
            }
            x += count;
            if (count == remaining) {
                return x;
            }
            int rb = prev[x];
            int riType = Math.abs(ra - rb) <= near ? 1 : 0;
            int ctx = 365 + riType;
            int temp = a[ctx] + (n[ctx] >> 1) * riType;
            int k = 0;
            while ((n[ctx] << k) < temp) {
                k++;
            }
            int em = golomb(k, limit - J[runIndex] - 1);
            int t = em + riType;
            int map = t & 1;
            int abs = (t + map) / 2;
            int err = ((k != 0 || 2 * nn[riType] >= n[ctx]) == (map == 1)) ? -abs : abs;
            if (err < 0) {
                nn[riType]++;
            }
            a[ctx] += (em + 1 - riType) >> 1;
            if (n[ctx] == reset) {
                a[ctx] >>= 1;
                n[ctx] >>= 1;
                nn[riType] >>= 1;
            }
            n[ctx]++;
            cur[x] = riType == 1 ? reconstruct(ra, err) : reconstruct(rb, rb < ra ? -err : err);
            runIndex = Math.max(0, runIndex - 1);
            return x + 1;
        }

        /** A Golomb-coded mapped error with the escape code of A.5.3. */
        private int golomb(int k, int glimit) throws CodecException {
            int high = 0;
            while (readBit() == 0) {
                high++;
                if (high > 65535) {
                    throw new CodecException("JPEG-LS stream: unterminated Golomb code (corrupt stream)");
                }
            }
            if (high >= glimit - (qbpp + 1)) {
                return readBits(qbpp) + 1;
            }
            return k == 0 ? high : (high << k) + readBits(k);
        }

        private int readBit() throws CodecException {
            if (bitCount == 0) {
                fill();
            }
            bitCount--;
            return (int) (bits >>> bitCount) & 1;
        }

        private int readBits(int count) throws CodecException {
            int v = 0;
            for (int i = 0; i < count; i++) {
                v = v << 1 | readBit();
            }
            return v;
        }

        /** Loads the next byte; after an FF byte only 7 bits follow (the stuffed 0), and FF + 1xxxxxxx is a marker. */
        private void fill() throws CodecException {
            if (pos >= b.length) {
                throw new CodecException("JPEG-LS scan data ends early (truncated stream)");
            }
            boolean afterFf = pos > scanStart && (b[pos - 1] & 0xff) == 0xFF;
            int v = b[pos] & 0xff;
            if (afterFf) {
                if (v >= 0x80) {
                    throw new CodecException(String.format("JPEG-LS scan data ends at marker FF%02X before the image "
                            + "is complete (truncated or corrupt stream)", v));
                }
                bits = bits << 7 | v;
                bitCount += 7;
            } else {
                bits = bits << 8 | v;
                bitCount += 8;
            }
            pos++;
        }
    }
}
