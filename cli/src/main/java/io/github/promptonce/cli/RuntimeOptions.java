package io.github.promptonce.cli;

import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where and how a model runs, and which model may: {@code --device}, {@code --backend}, {@code --threads},
 * {@code --model-sha256}; a picocli mixin shared by every
 * subcommand that loads a model ({@code @Mixin RuntimeOptions runtime;} then {@code runtime.segmenterOptions()}).
 */
public final class RuntimeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "auto",
            description = "native (promptonce's C layer over the system LibTorch), javacpp (LibTorch from Maven "
                    + "Central) or auto (native when its library loads, else javacpp). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "LibTorch intra-op threads (0 = one per core).")
    int threads;

    @Option(names = "--model-sha256", paramLabel = "HEX",
            description = "Load only the model whose manifest.json has this SHA-256 (a model directory is code: pin "
                    + "one that comes from elsewhere); another model is refused (exit 4). 'info --model DIR' "
                    + "prints it.")
    String modelSha256;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "fp32, bf16 (the image encoder and memory attention in bfloat16, the decoders and "
                    + "the memory encoder in float32: about twice as fast on CPUs with bfloat16 instructions, many "
                    + "times slower on CPUs without them, where it warns; docs/fidelity.md says how close) or auto "
                    + "(bf16 on CUDA or on a CPU with avx512_bf16/amx_bf16, else fp32; info --runtime says which). "
                    + "Default: ${DEFAULT-VALUE}.")
    String precision;

    /** The options these flags give; a malformed value is a usage error naming its flag. */
    public SegmenterOptions segmenterOptions() {
        if (threads < 0) {
            throw usage("--threads " + threads + " must be >= 0");
        }
        Backend b;
        try {
            b = Backend.parse(backend);
        } catch (IllegalArgumentException e) {
            throw usage("--backend: " + e.getMessage());
        }
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw usage("--device: " + e.getMessage());
        }
        Precision p;
        try {
            p = Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw usage("--precision: " + e.getMessage());
        }
        SegmenterOptions o = SegmenterOptions.defaults().withBackend(b).withDevice(d).withThreads(threads)
                .withPrecision(p);
        try {
            return o.withModelSha256(modelSha256 == null ? null : modelSha256.trim());
        } catch (IllegalArgumentException e) {
            throw usage("--model-sha256: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
