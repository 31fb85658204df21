package io.github.promptonce;

import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Window;

/** The slices of a volume, windowed to [0, 1], as SAM sees them. Slices are read on demand, in any order. */
public interface SliceSource {

    int sliceCount();

    int width();

    int height();

    /** Slice {@code index} (0-based), {@code width × height}, values in [0, 1]. */
    Image2D slice(int index);

    /** The slices of {@code volume} along its third axis, through one window for the whole volume. */
    static SliceSource of(Volume volume, Window window) {
        return new SliceSource() {
            @Override
            public int sliceCount() {
                return volume.nz();
            }

            @Override
            public int width() {
                return volume.nx();
            }

            @Override
            public int height() {
                return volume.ny();
            }

            @Override
            public Image2D slice(int index) {
                if (index < 0 || index >= volume.nz()) {
                    throw new IllegalArgumentException("slice " + index + " outside 0.." + (volume.nz() - 1));
                }
                return new Image2D(volume.nx(), volume.ny(), window.apply(volume.slice(index)).data());
            }
        };
    }
}
