package io.github.promptonce.cli.eval;

import io.github.promptonce.cli.VersionProvider;
import io.github.promptonce.volume.DicomSegWriter;
import io.github.promptonce.volume.NiftiWriter;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code eval --save-masks}: every predicted mask of a (model, protocol, volume) unit, written under
 * {@code OUT/masks/MODEL/PROTOCOL/VOLUME_LABEL.nii.gz} (NIfTI) or {@code .dcm} (a DICOM SEG of a DICOM image).
 */
public final class MaskFiles {
    /** The file format of saved masks. */
    public enum Format {
        NIFTI("nifti"), SEG("seg");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** nifti or seg. */
        public static Format parse(String text) {
            for (Format f : values()) {
                if (f.id.equals(text.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--save-masks " + text + ": expected nifti or seg");
        }
    }

    private MaskFiles() {
    }

    /** Writes the outcomes' masks; a SEG of a non-DICOM image is an IllegalArgumentException naming it. */
    static void write(Path out, Format format, EvalModel model, Protocol protocol, LoadedVolume volume,
                      List<Outcome> outcomes) throws IOException {
        Volume image = volume.image();
        Path dir = Files.createDirectories(out.resolve("masks").resolve(safe(model.name())).resolve(protocol.id()));
        for (Outcome o : outcomes) {
            VolumeMask mask = VolumeMask.of(o.predicted(), image.nx(), image.ny(), image.nz(), image.geometry());
            String base = safe(volume.item().name() + "_" + o.structure().label());
            if (format == Format.NIFTI) {
                NiftiWriter.writeMask(mask, dir.resolve(base + ".nii.gz"));
            } else {
                DicomSegWriter.write(mask, image, List.of(new DicomSegWriter.Segment(1, "label "
                                + o.structure().label(), DicomSegWriter.TISSUE, DicomSegWriter.TISSUE)),
                        new DicomSegWriter.Algorithm("promptonce", VersionProvider.version(), model.arch()),
                        dir.resolve(base + ".dcm"));
            }
        }
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._+-]", "_");
    }
}
