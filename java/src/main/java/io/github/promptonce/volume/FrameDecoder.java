package io.github.promptonce.volume;

/**
 * Decodes one compressed DICOM frame (greyscale) into its stored sample values: {@code rows × columns} bit
 * patterns, row-major, as they would be stored uncompressed (the caller masks BitsStored and sign-extends).
 */
interface FrameDecoder {
    /** What a frame must hold. */
    record Shape(int rows, int columns, int bitsAllocated) {
        int samples() {
            return rows * columns;
        }
    }

    int[] decode(byte[] frame, Shape shape) throws CodecException;
}
