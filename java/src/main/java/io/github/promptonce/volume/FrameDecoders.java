package io.github.promptonce.volume;

/** Which {@link FrameDecoder} reads which compressed transfer syntax (the table in docs/formats.md). */
final class FrameDecoders {
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    static final String JPEG_LS_NEAR = "1.2.840.10008.1.2.4.81";
    static final String J2K_LOSSLESS = "1.2.840.10008.1.2.4.90";
    static final String J2K = "1.2.840.10008.1.2.4.91";
    static final String RLE = "1.2.840.10008.1.2.5";

    private FrameDecoders() {
    }

    /** The decoder for a compressed transfer syntax, or null when promptonce does not decode it. */
    static FrameDecoder forSyntax(String transferSyntax) {
        if (transferSyntax == null) {
            return null;
        }
        return switch (transferSyntax) {
            case JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1 -> new JpegDecoder();
            case JPEG_LS_LOSSLESS, JPEG_LS_NEAR -> new JpegLsDecoder();
            case J2K_LOSSLESS, J2K -> ImageIoDecoder.jpeg2000();
            case RLE -> new RleDecoder();
            default -> null;
        };
    }
}
