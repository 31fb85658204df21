package io.github.promptonce.cli.eval;

import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.NonFinitePolicy;
import io.github.promptonce.volume.ReadOptions;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeFormatException;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Volumes;
import io.github.promptonce.volume.Window;
import java.util.List;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * A dataset item read for evaluation: the image, its window, its slices as the models see them and the
 * structures of its label volume.
 */
record LoadedVolume(DatasetItem item, Volume image, Window window, SliceSource source, List<Structure> structures) {

    /** How volumes are read: read options for images, the window choice, the label selection. */
    record Reader(ReadOptions imageOptions, Function<Volume, Window> window, LabelMode labelMode,
                  SortedSet<Integer> labels) {

        /** The structures of an item's label volume only (no image read). */
        List<Structure> structures(DatasetItem item) throws VolumeFormatException {
            return Structures.of(readLabels(item), labelMode, labels);
        }

        /**
         * Reads the image and the labels.
         *
         * @param warn told when the label's affine differs from the image's (same grid, maybe not aligned)
         * @throws VolumeFormatException when either cannot be read or their grids differ
         */
        LoadedVolume read(DatasetItem item, java.util.function.Consumer<String> warn) throws VolumeFormatException {
            Volume image = Volumes.read(item.image(), imageOptions);
            Volume labelVolume = Volumes.read(item.label(), ReadOptions.defaults().withNonFinite(NonFinitePolicy.REJECT));
            if (labelVolume.nx() != image.nx() || labelVolume.ny() != image.ny() || labelVolume.nz() != image.nz()) {
                throw new VolumeFormatException(item.label() + ": labels " + dims(labelVolume) + " do not match the image "
                        + item.image() + " " + dims(image));
            }
            if (!labelVolume.affine().approxEquals(image.affine(), 1e-2)) {
                warn.accept(item.name() + ": the label's affine (" + labelVolume.orientation() + ") differs from the "
                        + "image's (" + image.orientation() + "); voxels are compared index by index");
            }
            List<Structure> structures = Structures.of(VolumeMask.fromVolume(labelVolume), labelMode, labels);
            Window w = window.apply(image);
            return new LoadedVolume(item, image, w, SliceSource.of(image, w), structures);
        }

        private VolumeMask readLabels(DatasetItem item) throws VolumeFormatException {
            return VolumeMask.fromVolume(Volumes.read(item.label(),
                    ReadOptions.defaults().withNonFinite(NonFinitePolicy.REJECT)));
        }

        private static String dims(Volume v) {
            return v.nx() + "x" + v.ny() + "x" + v.nz();
        }
    }
}
