package io.github.promptonce.volume;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

/**
 * The exception for input that cannot be read as a volume: a missing or unreadable file, a corrupt or
 * truncated file, a header that contradicts itself or the file, an unsupported datatype or transfer syntax, an
 * inconsistent DICOM series, non-finite voxels when they are rejected.
 *
 * <p>Messages are one line, name the file, the offending value and what was expected, e.g.
 * {@code "anat.nii: dim[2] = -4; every used dimension must be at least 1"}. Unchecked, like every library error:
 * a {@link PromptonceException} with {@link ErrorCode#BAD_INPUT}; methods that read input still declare it.
 */
public class VolumeFormatException extends PromptonceException {
    private static final long serialVersionUID = 1L;

    public VolumeFormatException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }

    public VolumeFormatException(String message, Throwable cause) {
        super(ErrorCode.BAD_INPUT, message, cause);
    }
}
