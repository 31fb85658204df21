package io.github.promptonce.cli;

import io.github.promptonce.volume.Affine;
import io.github.promptonce.volume.Geometry;
import io.github.promptonce.volume.NonFinitePolicy;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code promptonce info PATH}: what a volume is and where it lies. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Print format, dims, spacing, datatype, value range, orientation code and affine of a volume;",
            "with --runtime, the LibTorch runtime promptonce runs on; with --model, a model directory's architecture "
                + "and the SHA-256 of its manifest (what --model-sha256 pins).",
            "PATH is a NIfTI file (.nii, .nii.gz), a DICOM file or a directory holding a DICOM series, "
                + "or a PNG/TIFF file or directory of them."})
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Parameters(index = "0", paramLabel = "PATH", arity = "0..1", description = "The volume to describe.")
    Path path;

    @picocli.CommandLine.Option(names = "--runtime",
            description = "Print the LibTorch runtime in use (backend, version, library, threads, CUDA devices, "
                    + "and whether the CPU has bfloat16 instructions, which --precision auto follows).")
    boolean runtime;

    @picocli.CommandLine.Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "auto",
            description = "With --runtime: the backend to load (native, javacpp, auto). Default: ${DEFAULT-VALUE}.")
    String backend;

    @picocli.CommandLine.Option(names = "--model", paramLabel = "DIR",
            description = "Print the model directory's arch, family and manifest SHA-256 (without loading it).")
    Path model;

    @Override
    public Integer call() throws Exception {
        if (path == null && !runtime && model == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a PATH, --runtime or --model");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (model != null) {
            io.github.promptonce.model.ModelManifest m = io.github.promptonce.model.ModelManifest.read(model);
            out.println("model:        " + model);
            out.println("arch:         " + m.arch() + " (" + m.family().name().toLowerCase(java.util.Locale.ROOT) + ")");
            out.println("sha256:       " + m.sha256() + "  (of manifest.json; pin with --model-sha256)");
            if (m.minObjectScore().isPresent()) {
                out.println("postprocess:  object-score floor " + ObjectScoreFloor.describe(m.minObjectScore()
                        .getAsDouble()) + "  (demo, and segment --min-object-score model)");
            }
            out.flush();
        }
        if (runtime) {
            io.github.promptonce.base.Backend b;
            try {
                b = io.github.promptonce.base.Backend.parse(backend);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--backend: " + e.getMessage());
            }
            io.github.promptonce.runtime.TorchRuntime r = io.github.promptonce.runtime.TorchRuntimes.get(b);
            out.println("backend:      " + r.name() + (b == io.github.promptonce.base.Backend.AUTO ? " (auto)" : ""));
            out.println("libtorch:     " + r.torchVersion());
            if (r instanceof io.github.promptonce.runtime.NativeRuntime n) {
                out.println("library:      " + n.libraryFile());
                out.println("cuda:         " + (n.cudaCompiled() ? "compiled in, " + n.cudaDeviceCount() + " device(s)"
                        : "not compiled in (CPU build)"));
            } else {
                out.println("cuda:         " + r.cudaDeviceCount() + " device(s)");
            }
            out.println("threads:      " + r.threads());
            out.println("cpu bf16:     " + (io.github.promptonce.runtime.CpuFeatures.hasBfloat16()
                    ? "yes (avx512_bf16 or amx_bf16): --precision auto runs bf16 on the CPU"
                    : "no (neither avx512_bf16 nor amx_bf16): --precision auto runs fp32 on the CPU; bf16 is slower"));
            out.flush();
        }
        if (path != null) {
            Volume v = Volumes.read(path, input.readOptions(NonFinitePolicy.KEEP));
            print(v, out);
        }
        return ExitCodes.OK;
    }

    /** 7 significant digits (float32 precision: the header and voxel values are float32), no trailing zeros. */
    static String value(double v) {
        if (Double.isNaN(v)) {
            return "none";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(7)).stripTrailingZeros()
                .toPlainString();
        return s.length() > 16 ? String.format(java.util.Locale.ROOT, "%.8e", v) : s;
    }

    static void print(Volume v, PrintWriter out) {
        Geometry g = v.geometry();
        double[] s = v.spacing();
        String unit = g.spatialUnit().equals("unknown") ? "" : " " + g.spatialUnit();
        out.println("path:         " + v.source());
        out.println("format:       " + v.formatDetail());
        out.println("dims:         " + v.nx() + " x " + v.ny() + " x " + v.nz()
                + (v.volumeCount() > 1 ? "  (volume " + v.volumeIndex() + " of " + v.volumeCount()
                + "; choose with --volume)" : ""));
        out.println("spacing:      " + value(s[0]) + " x " + value(s[1]) + " x " + value(s[2]) + unit);
        boolean scaled = v.sclSlope() != 1 || v.sclInter() != 0;
        out.println("datatype:     " + v.sourceDataType()
                + (scaled ? "  (scaled: slope " + value(v.sclSlope()) + ", intercept " + value(v.sclInter()) + ")"
                : ""));
        out.println("value range:  " + value(v.min()) + " .. " + value(v.max())
                + (v.nonFiniteCount() > 0 ? "  (" + v.nonFiniteCount() + " NaN/Inf voxels)" : ""));
        out.println("orientation:  " + v.orientation());
        out.println("qform_code:   " + g.qformCode() + " (" + Geometry.codeName(g.qformCode()) + ")");
        out.println("sform_code:   " + g.sformCode() + " (" + Geometry.codeName(g.sformCode()) + ")");
        out.println("affine:       voxel (i, j, k) -> RAS mm, from the " + g.affineSource());
        Affine a = v.affine();
        String[][] cells = new String[3][4];
        int width = 1;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                cells[r][c] = Affine.format(a.get(r, c));
                width = Math.max(width, cells[r][c].length());
            }
        }
        for (int r = 0; r < 3; r++) {
            StringBuilder sb = new StringBuilder("  [");
            for (int c = 0; c < 4; c++) {
                sb.append(' ').append(" ".repeat(width - cells[r][c].length())).append(cells[r][c]);
            }
            out.println(sb.append(" ]"));
        }
        out.flush();
    }
}
