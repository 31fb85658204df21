package io.github.promptonce.volume;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a volume read from DICOM keeps of its source so that derived objects (a DICOM SEG) can reference it: the
 * study, series and frame of reference, the patient and study attributes to copy, and for every slice k of the
 * volume the SOP instance (and frame, for a multi-frame source) it came from.
 *
 * @param attributes patient and study attributes of the first source file, by tag (see {@link #COPIED}); values as
 *                   stored, trimmed; absent tags are missing from the map
 * @param slices     one reference per slice, in the volume's slice order (k)
 */
public record DicomSource(String studyInstanceUid, String seriesInstanceUid, String frameOfReferenceUid,
                          Map<Integer, String> attributes, List<SliceReference> slices) {
    /** The source attributes a derived object copies (patient, study, frame of reference), with their VRs. */
    public static final Map<Integer, String> COPIED = Map.ofEntries(
            Map.entry(0x00080005, "CS"), // SpecificCharacterSet
            Map.entry(0x00080020, "DA"), // StudyDate
            Map.entry(0x00080030, "TM"), // StudyTime
            Map.entry(0x00080050, "SH"), // AccessionNumber
            Map.entry(0x00080090, "PN"), // ReferringPhysicianName
            Map.entry(0x00100010, "PN"), // PatientName
            Map.entry(0x00100020, "LO"), // PatientID
            Map.entry(0x00100030, "DA"), // PatientBirthDate
            Map.entry(0x00100040, "CS"), // PatientSex
            Map.entry(0x00200010, "SH"), // StudyID
            Map.entry(0x00201040, "LO")); // PositionReferenceIndicator

    /**
     * One source image of a slice.
     *
     * @param frameNumber 1-based frame in a multi-frame source, 0 for a single-frame image
     */
    public record SliceReference(String sopClassUid, String sopInstanceUid, int frameNumber) {
    }

    public DicomSource {
        Objects.requireNonNull(slices, "slices");
        attributes = Map.copyOf(attributes);
        slices = List.copyOf(slices);
    }
}
