package io.github.promptonce;

import io.github.promptonce.volume.Slice;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Window;

import java.util.Objects;
import java.util.function.IntFunction;

/** The slices of a volume, windowed to [0, 1], as SAM sees them. Slices are read on demand, in any order. */
public interface SliceSource {

    int sliceCount();

    int width();

    int height();

    /** Slice {@code index} (0-based), {@code width × height}, values in [0, 1]. */
    Slice slice(int index);

    /** The slices of {@code volume} along its third axis, through one window for the whole volume. */
    static SliceSource of(Volume volume, Window window) {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(window, "window");
        return of(volume.nx(), volume.ny(), volume.nz(),
                index -> new Slice(volume.nx(), volume.ny(), window.apply(volume.slice(index)).data()));
    }

    /**
     * {@code sliceCount} slices of {@code width × height} made on demand by {@code slices} (generated, decoded or
     * fetched volumes). An index outside the volume, or an image of another size, is an error naming it.
     */
    static SliceSource of(int width, int height, int sliceCount, IntFunction<Slice> slices) {
        if (width < 1 || height < 1 || sliceCount < 1) {
            throw new IllegalArgumentException("a slice source needs width, height and slice count >= 1, got "
                    + width + "x" + height + "x" + sliceCount);
        }
        Objects.requireNonNull(slices, "slices");
        return new SliceSource() {
            @Override
            public int sliceCount() {
                return sliceCount;
            }

            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public Slice slice(int index) {
                if (index < 0 || index >= sliceCount) {
                    throw new IllegalArgumentException("slice " + index + " outside 0.." + (sliceCount - 1));
                }
                Slice image = Objects.requireNonNull(slices.apply(index), "slice " + index);
                if (image.width() != width || image.height() != height) {
                    throw new IllegalStateException("slice " + index + " is " + image.width() + "x"
                            + image.height() + ", the source's slices are " + width + "x" + height);
                }
                return image;
            }
        };
    }
}
