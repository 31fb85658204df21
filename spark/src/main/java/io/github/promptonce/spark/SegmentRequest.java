package io.github.promptonce.spark;

import java.io.Serializable;

/**
 * One input row: a volume to segment and how to prompt it. As a {@code Dataset<Row>}: columns {@code image}
 * (required), {@code volume}, {@code label}, {@code prompt}, {@code object}; see {@link SparkSegmentation#segment}.
 * A Java bean, so a {@code Dataset<SegmentRequest>} works too.
 */
public class SegmentRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String volume;
    private String image;
    private String label;
    private String prompt;
    private int object = 1;

    public SegmentRequest() {
    }

    public SegmentRequest(String volume, String image, String label, String prompt, int object) {
        this.volume = volume;
        this.image = image;
        this.label = label;
        this.prompt = prompt;
        this.object = object;
    }

    /** The name of the volume in the results and mask file names (default: the image's file name stem). */
    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    /** The image: a NIfTI file or a DICOM series directory, as a path or any Hadoop URI the executors reach. */
    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    /** The label volume (same grid; optional): gives Dice / Jaccard, and the prompt when none is given. */
    public String getLabel() {
        return label;
    }

    public void setLabel(String label) {
        this.label = label;
    }

    /** {@code SLICE/X,Y} or {@code SLICE/X,Y/X0,Y0,X1,Y1} (a point, and a box), or {@code SLICE//X0,Y0,X1,Y1}. */
    public String getPrompt() {
        return prompt;
    }

    public void setPrompt(String prompt) {
        this.prompt = prompt;
    }

    /** The object id; with a label volume, also the label value that is the object's truth. Default 1. */
    public int getObject() {
        return object;
    }

    public void setObject(int object) {
        this.object = object;
    }
}
