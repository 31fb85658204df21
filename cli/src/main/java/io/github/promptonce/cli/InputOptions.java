package io.github.promptonce.cli;

import io.github.promptonce.volume.NonFinitePolicy;
import io.github.promptonce.volume.ReadOptions;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options that choose how an input volume is read; a picocli mixin shared by every subcommand that reads volumes
 * ({@code @Mixin InputOptions input;} then {@code input.readOptions(defaultPolicy)}).
 */
public final class InputOptions {
    @Spec(Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--volume", paramLabel = "T",
            description = "Volume to read from a 4-D NIfTI file, 0-based (default: 0).")
    int volume = 0;

    @Option(names = "--series", paramLabel = "UID",
            description = "SeriesInstanceUID to read when a DICOM directory holds several series.")
    String series;

    @Option(names = "--spacing", paramLabel = "DX,DY,DZ",
            description = "Voxel size in mm for PNG/TIFF stacks, which carry none (default: 1,1,1).")
    String spacing;

    @Option(names = "--non-finite", paramLabel = "POLICY",
            description = "NaN/Inf voxels: reject, zero (map to 0) or keep (default: reject; info keeps and counts them).")
    String nonFinite;

    /** The read options; {@code defaultPolicy} applies when --non-finite is not given. */
    public ReadOptions readOptions(NonFinitePolicy defaultPolicy) {
        ReadOptions o = ReadOptions.defaults().withNonFinite(defaultPolicy);
        if (volume < 0) {
            throw new ParameterException(spec.commandLine(), "--volume " + volume + " must be >= 0");
        }
        o = o.withVolumeIndex(volume);
        if (series != null) {
            o = o.withSeries(series);
        }
        if (spacing != null) {
            String[] p = spacing.split(",");
            try {
                if (p.length != 3) {
                    throw new NumberFormatException();
                }
                o = o.withStackSpacing(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()),
                        Double.parseDouble(p[2].trim()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--spacing '" + spacing
                        + "' is not three positive numbers DX,DY,DZ (e.g. 0.7,0.7,2.5)");
            }
        }
        if (nonFinite != null) {
            try {
                o = o.withNonFinite(NonFinitePolicy.valueOf(nonFinite.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--non-finite '" + nonFinite
                        + "' is not one of reject, zero, keep");
            }
        }
        return o;
    }
}
