package io.github.promptonce.spark;

import java.io.Serializable;

/**
 * One output row: what segmenting one {@link SegmentRequest} gave. {@code status} is {@code ok} or {@code failed}
 * (then {@code error} says why and the other measures are null).
 */
public class SegmentResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private String volume;
    private int object;
    private Double dice;
    private Double jaccard;
    private Integer slices;
    private Double seconds;
    private String status;
    private String mask;
    private String error;

    public SegmentResult() {
    }

    static SegmentResult ok(String volume, int object, Double dice, Double jaccard, int slices, double seconds,
                            String mask) {
        SegmentResult r = new SegmentResult();
        r.volume = volume;
        r.object = object;
        r.dice = dice;
        r.jaccard = jaccard;
        r.slices = slices;
        r.seconds = seconds;
        r.status = "ok";
        r.mask = mask;
        return r;
    }

    static SegmentResult failed(String volume, int object, String error) {
        SegmentResult r = new SegmentResult();
        r.volume = volume;
        r.object = object;
        r.status = "failed";
        r.error = error;
        return r;
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    public int getObject() {
        return object;
    }

    public void setObject(int object) {
        this.object = object;
    }

    /** 3-D Dice against the label's object, when a label was given. */
    public Double getDice() {
        return dice;
    }

    public void setDice(Double dice) {
        this.dice = dice;
    }

    /** 3-D Jaccard against the label's object, when a label was given. */
    public Double getJaccard() {
        return jaccard;
    }

    public void setJaccard(Double jaccard) {
        this.jaccard = jaccard;
    }

    /** Slices segmented. */
    public Integer getSlices() {
        return slices;
    }

    public void setSlices(Integer slices) {
        this.slices = slices;
    }

    /** Wall time of the segmentation (reading and writing excluded). */
    public Double getSeconds() {
        return seconds;
    }

    public void setSeconds(Double seconds) {
        this.seconds = seconds;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    /** Where the mask was written (a NIfTI file, URI of the mask directory's file system), or null. */
    public String getMask() {
        return mask;
    }

    public void setMask(String mask) {
        this.mask = mask;
    }

    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    @Override
    public String toString() {
        return "SegmentResult[" + volume + "#" + object + " " + status + " dice=" + dice + " jaccard=" + jaccard
                + " slices=" + slices + " seconds=" + seconds + " mask=" + mask + (error == null ? "" : " " + error)
                + "]";
    }
}
