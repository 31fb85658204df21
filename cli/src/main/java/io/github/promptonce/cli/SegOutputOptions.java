package io.github.promptonce.cli;

import io.github.promptonce.volume.DicomSegWriter;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeFormatException;
import io.github.promptonce.volume.VolumeMask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a mask is written: a DICOM SEG when the output name ends in {@code .dcm} (the input must be DICOM), else
 * NIfTI; a picocli mixin with the SEG's segment description ({@code --seg-label}, {@code --seg-category},
 * {@code --seg-type}).
 */
public final class SegOutputOptions {
    @Spec(Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--seg-label", paramLabel = "TEXT",
            description = "DICOM SEG output (a mask name ending in .dcm): the segment's label (default: Segment 1).")
    String label;

    @Option(names = "--seg-category", paramLabel = "VALUE,SCHEME,MEANING",
            description = "DICOM SEG output: the segmented property category code (default: 85756007,SCT,Tissue).")
    String category;

    @Option(names = "--seg-type", paramLabel = "VALUE,SCHEME,MEANING",
            description = "DICOM SEG output: the segmented property type code (default: 85756007,SCT,Tissue), "
                    + "e.g. 10200004,SCT,Liver.")
    String type;

    /** Whether {@code out} names a DICOM SEG (ends in .dcm, any case). */
    public static boolean isSeg(Path out) {
        return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm");
    }

    /**
     * Checks, before any work, that {@code out} can be written for {@code source}: a SEG needs a DICOM input (else a
     * usage error) with patient geometry and its UIDs (else an input error).
     */
    public void check(Volume source, Path out) throws VolumeFormatException {
        if (isSeg(out)) {
            if (source.dicomSource().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--out " + out + " writes a DICOM SEG, which "
                        + "references a DICOM input, but " + source.source() + " is " + source.format()
                        + "; give a .nii.gz output or a DICOM input");
            }
            segment();
            try {
                DicomSegWriter.checkSource(source);
            } catch (IllegalArgumentException e) {
                throw new VolumeFormatException(e.getMessage(), e);
            }
        }
    }

    /** Writes a binary (label 1) mask of {@code source} made by {@code model} as SEG or NIfTI by its name. */
    public void write(VolumeMask mask, Volume source, Path out, String model) throws IOException {
        if (!isSeg(out)) {
            NiftiWriter.writeMask(mask, out);
            return;
        }
        DicomSegWriter.write(mask, source, List.of(segment()),
                new DicomSegWriter.Algorithm("promptonce", VersionProvider.version(), model), out);
    }

    private DicomSegWriter.Segment segment() {
        try {
            return new DicomSegWriter.Segment(1, label == null ? "Segment 1" : label,
                    category == null ? DicomSegWriter.TISSUE : DicomSegWriter.Code.parse(category),
                    type == null ? DicomSegWriter.TISSUE : DicomSegWriter.Code.parse(type));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
