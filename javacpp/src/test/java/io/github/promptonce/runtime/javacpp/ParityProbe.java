package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.Device;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;
import io.github.promptonce.runtime.Values;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Run in a child JVM by {@link CrossBackendParityTest}: computes a fixed set of results with one backend
 * ({@code args[0]}) on the runtime fixtures and writes them to {@code args[1]}, one line per result:
 * {@code name dtype [shape] values...} (floats as Java prints them, which round-trips exactly).
 */
public final class ParityProbe {
    private ParityProbe() {
    }

    public static void main(String[] args) throws IOException {
        TorchRuntime rt = TorchRuntimes.get(args[0]);
        rt.setProcessThreads(1); // same reduction order on both backends where LibTorch allows it
        Path fixtures = Path.of(System.getProperty("promptonce.fixtures"));
        Random random = new Random(20240611);
        float[] a = gaussian(random, 64 * 48);
        float[] b = gaussian(random, 48 * 32);
        float[] image = gaussian(random, 3 * 32 * 32);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[1])));
             TorchModule basics = rt.load(fixtures.resolve("basics.pt"), Device.CPU, false);
             TorchModule optimized = rt.load(fixtures.resolve("basics.pt"), Device.CPU, true);
             TorchModule kinds = rt.load(fixtures.resolve("kinds.pt"), Device.CPU, false);
             Tensor ta = rt.tensor(a, 64, 48);
             Tensor tb = rt.tensor(b, 48, 32);
             Tensor img = rt.tensor(image, 1, 3, 32, 32)) {
            out.println("methods " + basics.methods() + " " + kinds.methods());
            write(out, "matmul", basics.call("matmul", ta, tb));
            write(out, "matmul_optimized", optimized.call("matmul", ta, tb));
            write(out, "scale", basics.call("scale", img, 0.37));
            write(out, "scale_optimized", optimized.call("scale", img, 0.37));
            write(out, "add_one", basics.call("add_one", img));
            write(out, "transpose", basics.call("transpose", ta));
            try (Tensor bf = img.to(Device.CPU, DType.BFLOAT16); Tensor back = bf.to(Device.CPU, DType.FLOAT32)) {
                write(out, "bfloat16_round_trip", back);
            }
            write(out, "weights", basics.attribute("weights"));
            write(out, "kinds_forward", kinds.call("forward", img, 3L, 0.25, false, null, List.of(ta, tb),
                    new int[] {4, 5}));
            write(out, "kinds_nested", kinds.call("nested", tb));
            write(out, "kinds_nothing", kinds.call("nothing"));
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** Writes a result tree (flattened, depth-first) and closes its tensors. */
    private static void write(PrintWriter out, String name, Object result) {
        try {
            writeValue(out, name, result);
        } finally {
            Values.closeAll(result);
        }
    }

    private static void writeValue(PrintWriter out, String name, Object value) {
        if (value instanceof Tensor t) {
            StringBuilder line = new StringBuilder(name).append(' ').append(t.dtype()).append(' ')
                    .append(java.util.Arrays.toString(t.shape()).replace(" ", ""));
            try (Tensor f = t.to(Device.CPU, DType.FLOAT32)) {
                for (float v : f.toFloatArray()) {
                    line.append(' ').append(v);
                }
            }
            out.println(line);
        } else if (value instanceof List<?> list) {
            out.println(name + " list " + list.size());
            for (int i = 0; i < list.size(); i++) {
                writeValue(out, name + "." + i, list.get(i));
            }
        } else {
            out.println(name + " scalar " + value);
        }
    }
}
