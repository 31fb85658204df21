package io.github.promptonce.volume;

/** Where a {@link Volume} came from. */
public enum SourceFormat {
    NIFTI1("NIfTI-1"),
    NIFTI2("NIfTI-2"),
    DICOM("DICOM"),
    IMAGE_STACK("image stack"),
    /** Built in memory ({@link Volume#of}, {@link Volume#withVoxels}). */
    MEMORY("in memory");

    private final String label;

    SourceFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
