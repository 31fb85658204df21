package io.github.promptonce.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What this machine's CPU offers that the choice of number format depends on. */
public final class CpuFeatures {
    /**
     * Overrides the detection: {@code -Dpromptonce.cpu.bf16=true|false} (for machines whose kernel hides the flags,
     * and for tests).
     */
    public static final String BF16_PROPERTY = "promptonce.cpu.bf16";

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private CpuFeatures() {
    }

    /**
     * Whether the CPU multiplies bfloat16 natively: {@code avx512_bf16} or {@code amx_bf16} among the flags of
     * {@code /proc/cpuinfo} (Linux; false elsewhere), unless {@link #BF16_PROPERTY} says otherwise. Without these
     * instructions LibTorch emulates bfloat16 products and they run slower than float32.
     */
    public static boolean hasBfloat16() {
        String forced = System.getProperty(BF16_PROPERTY);
        if (forced != null) {
            return switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("-D" + BF16_PROPERTY + "=" + forced
                        + " is not a boolean (expected true or false)");
            };
        }
        return Holder.DETECTED;
    }

    /** Whether these cpuinfo lines name a bfloat16 instruction set among a {@code flags} line's words. */
    static boolean hasBfloat16(List<String> cpuinfoLines) {
        for (String line : cpuinfoLines) {
            if (line.startsWith("flags")) {
                for (String flag : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                    if (flag.equals("avx512_bf16") || flag.equals("amx_bf16")) {
                        return true;
                    }
                }
                return false; // every core lists the same flags
            }
        }
        return false;
    }

    private static final class Holder {
        static final boolean DETECTED = detect();

        private static boolean detect() {
            try {
                return Files.isReadable(CPUINFO) && hasBfloat16(Files.readAllLines(CPUINFO));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
