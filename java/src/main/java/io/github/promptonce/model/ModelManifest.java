package io.github.promptonce.model;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.memory.MemoryConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A model directory's {@code manifest.json} as written by {@code models/export.py}: family, input size and
 * normalisation, dimensions, the SAM 2 policy parameters and the component files with their SHA-256.
 */
public final class ModelManifest {
    public static final String FILE = "manifest.json";

    /** SAM (v1) or SAM 2. */
    public enum Family { SAM, SAM2 }

    /**
     * One TorchScript component: its float32 file and, when the export wrote one, its bfloat16 variant.
     *
     * @param bfloat16 the bfloat16 variant, or {@code null} when the model has none for this component (the decoders
     *                 never have one; models exported before the variants existed have none)
     */
    public record Component(String name, Path file, String sha256, Variant bfloat16) {

        /** The file to load at {@code precision} (FP32 or BF16): the bfloat16 variant where there is one. */
        public Path file(Precision precision) {
            if (precision == Precision.AUTO) {
                throw new IllegalArgumentException("resolve precision AUTO before choosing a file");
            }
            return precision == Precision.BF16 && bfloat16 != null ? bfloat16.file() : file;
        }
    }

    /** A reduced-precision file of a component. */
    public record Variant(Path file, String sha256) {
    }

    private final Path directory;
    private final String sha256;
    private final Map<String, Object> root;
    private final Family family;
    private final String arch;
    private final int imageSize;
    private final Map<String, Component> components = new LinkedHashMap<>();
    private final OptionalDouble minObjectScore;

    private ModelManifest(Path directory, String sha256, Map<String, Object> root) {
        this.directory = directory;
        this.sha256 = sha256;
        this.root = root;
        if (!"promptonce-model".equals(root.get("format"))) {
            throw bad("format is " + root.get("format") + ", expected \"promptonce-model\"");
        }
        long version = integer(root, "format_version");
        if (version != 1) {
            throw bad("format_version " + version + " is not supported (expected 1): re-export with models/export.py");
        }
        String fam = string(root, "family");
        this.family = switch (fam) {
            case "sam" -> Family.SAM;
            case "sam2" -> Family.SAM2;
            default -> throw bad("family \"" + fam + "\" is unknown (expected sam or sam2)");
        };
        this.arch = string(root, "arch");
        this.imageSize = (int) integer(root, "image_size");
        Map<String, Object> comps = object(root, "components");
        for (Map.Entry<String, Object> e : comps.entrySet()) {
            Map<String, Object> c = asObject(e.getValue(), "components." + e.getKey());
            String file = plainFileName(string(c, "file"), "component " + e.getKey() + " file");
            Variant bf16 = null;
            if (c.containsKey("bfloat16")) {
                Map<String, Object> v = asObject(c.get("bfloat16"), "components." + e.getKey() + ".bfloat16");
                String vfile = plainFileName(string(v, "file"), "component " + e.getKey() + " bfloat16 file");
                bf16 = new Variant(directory.resolve(vfile), string(v, "sha256"));
            }
            components.put(e.getKey(), new Component(e.getKey(), directory.resolve(file), string(c, "sha256"), bf16));
        }
        for (String needed : family == Family.SAM2
                ? List.of("image_encoder", "mask_decoder", "memory_attention", "memory_encoder")
                : List.of("image_encoder", "mask_decoder")) {
            if (!components.containsKey(needed)) {
                throw bad("component \"" + needed + "\" is missing (a " + fam + " model needs it)");
            }
        }
        this.minObjectScore = readMinObjectScore();
    }

    /** The optional {@code postprocess.min_object_score}: a finite number, and only for SAM 2 (SAM has no score). */
    private OptionalDouble readMinObjectScore() {
        if (!root.containsKey("postprocess")) {
            return OptionalDouble.empty();
        }
        Map<String, Object> p = object(root, "postprocess");
        if (!p.containsKey("min_object_score")) {
            return OptionalDouble.empty();
        }
        Object raw = p.get("min_object_score");
        if (!(raw instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw bad("postprocess.min_object_score is " + raw + ", expected a finite number");
        }
        double v = n.doubleValue();
        if (family != Family.SAM2) {
            throw bad("postprocess.min_object_score is set, but a " + family + " model has no object score");
        }
        return OptionalDouble.of(v);
    }

    /** {@code file} when it names a file inside the model directory (no separator, no leading dot), else BAD_MODEL. */
    private String plainFileName(String file, String what) {
        if (file.contains("/") || file.contains("\\") || file.startsWith(".")) {
            throw bad(what + " \"" + file + "\" must be a plain file name");
        }
        return file;
    }

    /** Reads and checks {@code DIR/manifest.json}; MODEL errors name the file and the field. */
    public static ModelManifest read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isDirectory(directory)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "model directory not found: " + directory);
        }
        if (!Files.isRegularFile(file)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "no " + FILE + " in model directory " + directory
                    + " (export one with models/export.py)");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            Object parsed = Json.parse(new String(bytes, StandardCharsets.UTF_8));
            if (!(parsed instanceof Map<?, ?>)) {
                throw new PromptonceException(ErrorCode.BAD_MODEL, file + ": expected a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) parsed;
            return new ModelManifest(directory, HexFormat.of().formatHex(sha256(bytes)), root);
        } catch (IOException e) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, file + ": " + e.getMessage(), e);
        } catch (PromptonceException e) {
            throw e;
        }
    }

    /**
     * Checks every component file's SHA-256, bfloat16 variants included; a mismatch or a missing file is an error
     * naming the file.
     */
    public void verifyChecksums() {
        for (Component c : components.values()) {
            verify(c.name(), c.file(), c.sha256());
            if (c.bfloat16() != null) {
                verify(c.name() + " (bfloat16)", c.bfloat16().file(), c.bfloat16().sha256());
            }
        }
    }

    private static void verify(String what, Path file, String expected) {
        if (!Files.isRegularFile(file)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "component " + what + " file not found: " + file);
        }
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, "component " + what + " file " + file
                    + " has SHA-256 " + actual + " but the manifest says " + expected
                    + ": the file was changed or damaged; re-export the model");
        }
    }

    /** True when every component with a bfloat16 variant in this export family has one (models/precision.py). */
    public boolean hasBfloat16() {
        return components.get("image_encoder").bfloat16() != null;
    }

    /** Every file of the model, each component's float32 file then its variants, in manifest order. */
    public List<Path> files() {
        List<Path> out = new java.util.ArrayList<>();
        for (Component c : components.values()) {
            out.add(c.file());
            if (c.bfloat16() != null) {
                out.add(c.bfloat16().file());
            }
        }
        return out;
    }

    /**
     * The SHA-256 of {@code manifest.json} as stored (lower-case hex). The manifest holds every component's SHA-256,
     * which {@link #verifyChecksums()} checks, so this one hash identifies the whole model.
     */
    public String sha256() {
        return sha256;
    }

    /**
     * Refuses any model but the one pinned by {@code expected} (the SHA-256 of its {@code manifest.json}, hex, any
     * case); {@code null} pins nothing.
     *
     * @throws PromptonceException {@link ErrorCode#BAD_MODEL} naming both hashes when they differ
     * @throws IllegalArgumentException when {@code expected} is not 64 hex digits
     */
    public void requireSha256(String expected) {
        if (expected == null) {
            return;
        }
        checkSha256Format(expected);
        if (!expected.equalsIgnoreCase(sha256)) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, "model " + directory + " has manifest SHA-256 " + sha256
                    + " but " + expected.toLowerCase(java.util.Locale.ROOT) + " is required: not the pinned model");
        }
    }

    /** Checks that {@code hex} is a SHA-256 in hex (64 digits); the message names the value. */
    public static void checkSha256Format(String hex) {
        boolean hexDigits = hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                || (c >= 'A' && c <= 'F'));
        if (hex.length() != 64 || !hexDigits) {
            throw new IllegalArgumentException("'" + hex + "' is not a SHA-256 (64 hex digits)");
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public Path directory() {
        return directory;
    }

    public Family family() {
        return family;
    }

    public String arch() {
        return arch;
    }

    /** The square model input side S. */
    public int imageSize() {
        return imageSize;
    }

    public Component component(String name) {
        Component c = components.get(name);
        if (c == null) {
            throw bad("no component \"" + name + "\"");
        }
        return c;
    }

    /**
     * The object-score floor the model's authors chose for its output (the manifest's optional
     * {@code postprocess.min_object_score}, e.g. the default model's, chosen on validation phantoms; see
     * {@code models/MODEL_CARD.md}): slices whose score is below it are better left empty
     * ({@link io.github.promptonce.VolumeSegmentation#mask(int, double)}). Empty when the model names none, as
     * official SAM 2 exports: SAM 2's own rule (empty at score &le; 0) is all there is.
     */
    public OptionalDouble minObjectScore() {
        return minObjectScore;
    }

    /** "square" (SAM 2: resize to S×S) or "longest_side_pad" (SAM: keep aspect, pad). */
    public String resizeMode() {
        return string(object(root, "preprocess"), "resize");
    }

    /** "none" or "minmax" (MedSAM). */
    public String intensityMode() {
        Object v = object(root, "preprocess").get("intensity");
        return v == null ? "none" : v.toString();
    }

    /** Factor applied to 0–255 grey values before normalising. */
    public double pixelScale() {
        return number(object(root, "preprocess"), "pixel_scale");
    }

    public double[] mean() {
        return numbers(object(root, "preprocess"), "mean", 3);
    }

    public double[] std() {
        return numbers(object(root, "preprocess"), "std", 3);
    }

    /** Side of the decoder's low-resolution mask logits (256 for S = 1024). */
    public int lowResSize() {
        return (int) integer(object(root, "dims"), "low_res_mask_size");
    }

    /** A SAM 2 policy value (the manifest's {@code sam2} object); absent keys are an error. */
    public Object policy(String key) {
        Map<String, Object> p = object(root, "sam2");
        if (!p.containsKey(key)) {
            throw bad("sam2." + key + " is missing");
        }
        return p.get(key);
    }

    public boolean policyFlag(String key) {
        Object v = policy(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad("sam2." + key + " is " + v + ", expected true or false");
    }

    public double policyNumber(String key) {
        Object v = policy(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw bad("sam2." + key + " is " + v + ", expected a number");
    }

    /** The memory-selection parameters of a SAM 2 model; BAD_MODEL when the manifest's values are out of range. */
    public MemoryConfig memoryConfig() {
        try {
            return new MemoryConfig((int) policyNumber("num_maskmem"),
                    (int) policyNumber("memory_temporal_stride_for_eval"), (int) policyNumber("max_obj_ptrs_in_encoder"),
                    (int) policyNumber("max_cond_frames_in_attn"), policyFlag("use_obj_ptrs_in_encoder"),
                    policyFlag("only_obj_ptrs_in_the_past_for_eval"), policyFlag("use_signed_tpos_enc_to_obj_ptrs"));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private PromptonceException bad(String what) {
        return new PromptonceException(ErrorCode.BAD_MODEL, directory.resolve(FILE) + ": " + what);
    }

    private Map<String, Object> object(Map<String, Object> m, String key) {
        return asObject(m.get(key), key);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> asObject(Object v, String key) {
        if (v instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw bad(key + " is " + (v == null ? "missing" : v) + ", expected an object");
    }

    private String string(Map<String, Object> m, String key) {
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw bad(key + " is " + (m.get(key) == null ? "missing" : m.get(key)) + ", expected a string");
    }

    private long integer(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Long l) {
            return l;
        }
        throw bad(key + " is " + (m.get(key) == null ? "missing" : m.get(key)) + ", expected an integer");
    }

    private double number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw bad(key + " is " + (m.get(key) == null ? "missing" : m.get(key)) + ", expected a number");
    }

    private double[] numbers(Map<String, Object> m, String key, int count) {
        if (m.get(key) instanceof List<?> list && list.size() == count) {
            double[] out = new double[count];
            for (int i = 0; i < count; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw bad(key + "[" + i + "] is " + list.get(i) + ", expected a number");
                }
                out[i] = n.doubleValue();
            }
            return out;
        }
        throw bad(key + " is " + m.get(key) + ", expected " + count + " numbers");
    }
}
