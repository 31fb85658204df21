#!/usr/bin/python3
"""Reads a DICOM SEG back with pydicom and checks it against the NIfTI mask of the same run and the source series.

Usage: check_seg.py SEG.dcm MASK.nii SOURCE_DIR LABEL[,LABEL...]
Checks: SOP class, BINARY, the segments and their labels' order, every frame equal to the NIfTI mask's slice for its
segment voxel for voxel, every frame's source SOP instance and ImagePositionPatient equal to the source image's,
Referenced Series, Study/Frame of Reference/patient copied. Prints "ok N frames" or fails with a message.
"""
import os
import struct
import sys

import numpy as np
import pydicom


def read_nifti_uint8(path):
    with open(path, "rb") as f:
        raw = f.read()
    if struct.unpack("<i", raw[:4])[0] != 348:
        sys.exit(f"{path}: not a little-endian NIfTI-1 file")
    dims = struct.unpack("<8h", raw[40:56])
    datatype = struct.unpack("<h", raw[70:72])[0]
    vox_offset = int(struct.unpack("<f", raw[108:112])[0])
    if datatype != 2:
        sys.exit(f"{path}: datatype {datatype}, expected uint8 (2)")
    nx, ny, nz = dims[1], dims[2], dims[3]
    data = np.frombuffer(raw, dtype=np.uint8, count=nx * ny * nz, offset=vox_offset)
    return data.reshape((nz, ny, nx))  # [k, j, i]


def main():
    seg_path, nifti_path, source_dir, labels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    labels = [int(x) for x in labels.split(",")]
    seg = pydicom.dcmread(seg_path)
    assert seg.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4", seg.SOPClassUID
    assert seg.SegmentationType == "BINARY", seg.SegmentationType
    assert seg.Modality == "SEG"
    assert [s.SegmentNumber for s in seg.SegmentSequence] == list(range(1, len(labels) + 1))
    for s in seg.SegmentSequence:
        assert s.SegmentAlgorithmType == "SEMIAUTOMATIC"
        assert s.SegmentationAlgorithmIdentificationSequence[0].AlgorithmName == "promptonce"
    mask = read_nifti_uint8(nifti_path)
    sources = {}
    for root, _, files in os.walk(source_dir):
        for name in files:
            d = pydicom.dcmread(os.path.join(root, name))
            sources[d.SOPInstanceUID] = d
    first = next(iter(sources.values()))
    for kw in ("StudyInstanceUID", "FrameOfReferenceUID", "PatientID", "PatientName"):
        assert str(getattr(seg, kw)) == str(getattr(first, kw, "")), kw
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == first.SeriesInstanceUID
    referenced = {i.ReferencedSOPInstanceUID for i in seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence}
    assert referenced == set(sources), "Referenced Instance Sequence != the source series"
    frames = seg.pixel_array
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    assert frames.shape == (int(seg.NumberOfFrames), mask.shape[1], mask.shape[2]), frames.shape
    for f, item in enumerate(seg.PerFrameFunctionalGroupsSequence):
        segment = item.SegmentIdentificationSequence[0].ReferencedSegmentNumber
        k = int(item.FrameContentSequence[0].DimensionIndexValues[1]) - 1
        expected = (mask[k] == labels[segment - 1]).astype(np.uint8)
        if not np.array_equal(frames[f], expected):
            sys.exit(f"frame {f + 1} (segment {segment}, slice {k}) differs from the NIfTI mask in "
                     f"{int((frames[f] != expected).sum())} voxels")
        src = item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        position = [float(x) for x in item.PlanePositionSequence[0].ImagePositionPatient]
        want = [float(x) for x in sources[src].ImagePositionPatient]
        if max(abs(a - b) for a, b in zip(position, want)) > 1e-3:
            sys.exit(f"frame {f + 1}: ImagePositionPatient {position} but its source image is at {want}")
    print(f"ok {len(seg.PerFrameFunctionalGroupsSequence)} frames, {int(frames.sum())} foreground voxels")


if __name__ == "__main__":
    main()
