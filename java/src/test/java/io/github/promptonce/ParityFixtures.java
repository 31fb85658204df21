package io.github.promptonce;

import io.github.promptonce.model.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The official predictors' outputs written by {@code scripts/parity/make_ci_fixtures.py} into the test resources
 * {@code parity/}: {@code index.json} and raw little-endian arrays it names with their shapes. Missing or
 * inconsistent fixtures throw, naming the file and how to regenerate them.
 */
final class ParityFixtures {
    static final String REGENERATE = "regenerate them with OFFICIAL_SRC=<official repos> /usr/bin/python3"
            + " scripts/parity/make_ci_fixtures.py";

    private final Map<String, Object> index;

    private ParityFixtures(Map<String, Object> index) {
        this.index = index;
    }

    static ParityFixtures load() {
        return new ParityFixtures(map(Json.parse(new String(resource("index.json"), StandardCharsets.UTF_8)),
                "index.json"));
    }

    /** A section of the index ({@code "sam2"}, {@code "sam"}, {@code "tolerance"}). */
    Map<String, Object> section(String name) {
        return map(index.get(name), "index.json: " + name);
    }

    /** The uint8 array an index entry names, checked against its shape. */
    static byte[] bytes(Map<String, Object> entry) {
        byte[] b = resource(string(entry, "file"));
        expectLength(entry, b.length, elements(entry));
        return b;
    }

    /** The float32 array an index entry names, checked against its shape. */
    static float[] floats(Map<String, Object> entry) {
        byte[] b = resource(string(entry, "file"));
        expectLength(entry, b.length, 4L * elements(entry));
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    /** The int32 array an index entry names, checked against its shape. */
    static int[] ints(Map<String, Object> entry) {
        byte[] b = resource(string(entry, "file"));
        expectLength(entry, b.length, 4L * elements(entry));
        int[] v = new int[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        return v;
    }

    /**
     * The official full-resolution logits within {@code below} of 0 ({@code near_zero}: flat indices into the
     * [..., H, W] outputs and their logits), those of mask {@code m} keyed by pixel index.
     */
    static Map<Integer, Float> nearZero(Map<String, Object> entry, int m, int pixelsPerMask) {
        int[] at = ints(map(entry.get("index"), "near_zero.index"));
        float[] logit = floats(map(entry.get("logit"), "near_zero.logit"));
        if (at.length != logit.length) {
            throw new IllegalStateException("near_zero: " + at.length + " indices but " + logit.length + " logits; "
                    + REGENERATE);
        }
        Map<Integer, Float> out = new HashMap<>();
        long first = (long) m * pixelsPerMask;
        for (int i = 0; i < at.length; i++) {
            if (at[i] >= first && at[i] < first + pixelsPerMask) {
                out.put((int) (at[i] - first), logit[i]);
            }
        }
        return out;
    }

    /** Mask {@code m} of a packed-bit entry (shape [..., H, W]), one byte (0/1) per pixel, row-major. */
    static byte[] mask(Map<String, Object> entry, byte[] packed, int m) {
        List<Long> shape = shape(entry);
        int h = Math.toIntExact(shape.get(shape.size() - 2));
        int w = Math.toIntExact(shape.get(shape.size() - 1));
        int perMask = (int) number(entry, "bytes_per_mask");
        if (perMask != (h * w + 7) / 8 || packed.length != perMask * (elements(entry) / ((long) h * w))) {
            throw new IllegalStateException(string(entry, "file") + ": " + packed.length + " bytes do not hold masks of "
                    + shape + " packed " + perMask + " bytes each; " + REGENERATE);
        }
        byte[] out = new byte[h * w];
        int base = m * perMask;
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((packed[base + (i >> 3)] >> (7 - (i & 7))) & 1);
        }
        return out;
    }

    static byte[] packed(Map<String, Object> entry) {
        return resource(string(entry, "file"));
    }

    static List<Long> shape(Map<String, Object> entry) {
        Object s = entry.get("shape");
        if (!(s instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof Long))) {
            throw new IllegalStateException("index.json: " + entry + " has no integer shape; " + REGENERATE);
        }
        return list.stream().map(v -> (Long) v).toList();
    }

    static long elements(Map<String, Object> entry) {
        return shape(entry).stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }

    static String string(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof String s)) {
            throw new IllegalStateException("index.json: expected a string \"" + key + "\" in " + m.keySet() + "; "
                    + REGENERATE);
        }
        return s;
    }

    static double number(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalStateException("index.json: expected a number \"" + key + "\" in " + m.keySet() + "; "
                    + REGENERATE);
        }
        return n.doubleValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalStateException(what + " is not a JSON object; " + REGENERATE);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        if (!(o instanceof List<?>)) {
            throw new IllegalStateException(what + " is not a JSON array; " + REGENERATE);
        }
        return (List<Object>) o;
    }

    /** The manifest's record of the checkpoint a test model was exported from. */
    static String exportedCheckpointSha256(Path modelDir) {
        try {
            Map<String, Object> manifest = map(Json.parse(Files.readString(modelDir.resolve("manifest.json"))),
                    modelDir + "/manifest.json");
            return string(map(manifest.get("weights"), modelDir + "/manifest.json: weights"), "sha256");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void expectLength(Map<String, Object> entry, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException("parity/" + string(entry, "file") + " holds " + actual + " bytes, its shape "
                    + shape(entry) + " needs " + expected + "; " + REGENERATE);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ParityFixtures.class.getResourceAsStream("/parity/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource parity/" + name + " is missing (the official outputs"
                        + " that OfficialParityTest compares with); " + REGENERATE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading test resource parity/" + name, e);
        }
    }
}
