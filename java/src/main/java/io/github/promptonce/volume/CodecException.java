package io.github.promptonce.volume;

/**
 * A compressed DICOM frame that cannot be decoded (corrupt or truncated stream, a feature the decoder does not
 * handle). The message says what is wrong in the stream; {@link EncapsulatedPixels} adds the file and frame.
 */
final class CodecException extends Exception {
    private static final long serialVersionUID = 1L;

    CodecException(String message) {
        super(message);
    }

    CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
