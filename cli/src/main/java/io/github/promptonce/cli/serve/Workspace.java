package io.github.promptonce.cli.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.promptonce.Prompt;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SliceSource;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One opened volume of one browser session: the volume, the window its slices are given to the model with, its
 * objects, and the SSE clients that follow it. It expires when idle (see {@link Workspaces}); closing it cancels a
 * running propagation and frees every object's session.
 */
final class Workspace implements AutoCloseable {
    /** Object colours, in order of creation (then repeating). */
    static final List<String> COLORS = List.of("#ff3b30", "#34c759", "#0a84ff", "#ffcc00", "#af52de", "#ff9500",
            "#5ac8fa", "#ff2d55");
    /** A label map has one byte per voxel. */
    static final int MAX_OBJECTS = 255;

    private final String id;
    private final String name;
    private final Volume volume;
    private final Window modelWindow;
    private final SliceSource source;
    private final Segmenter segmenter;
    private final String modelName;
    private final Map<Integer, ObjectTrack> objects = new ConcurrentSkipListMap<>();
    private final EventHub events = new EventHub();
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile boolean closed;
    private int nextObject = 1;

    Workspace(String id, String name, Volume volume, Window modelWindow, Segmenter segmenter, String modelName) {
        this.id = id;
        this.name = name;
        this.volume = volume;
        this.modelWindow = modelWindow;
        this.source = SliceSource.of(volume, modelWindow);
        this.segmenter = segmenter;
        this.modelName = modelName;
    }

    String id() {
        return id;
    }

    Volume volume() {
        return volume;
    }

    Window modelWindow() {
        return modelWindow;
    }

    Segmenter segmenter() {
        return segmenter;
    }

    EventHub events() {
        return events;
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isBusy() {
        return objects.values().stream().anyMatch(ObjectTrack::isBusy);
    }

    synchronized ObjectTrack newObject() {
        if (closed) {
            throw ApiException.conflict("volume " + id + " is closed");
        }
        if (objects.size() >= MAX_OBJECTS) {
            throw ApiException.conflict("a volume holds at most " + MAX_OBJECTS + " objects");
        }
        int oid = nextObject++;
        ObjectTrack t = new ObjectTrack(oid, COLORS.get((oid - 1) % COLORS.size()), segmenter, source,
                () -> closed);
        objects.put(oid, t);
        return t;
    }

    ObjectTrack object(int oid) {
        ObjectTrack t = objects.get(oid);
        if (t == null) {
            throw ApiException.notFound("volume " + id + " has no object " + oid + " (objects: " + objects.keySet()
                    + ")");
        }
        return t;
    }

    List<ObjectTrack> objects() {
        return new ArrayList<>(objects.values());
    }

    /** Removes an object and frees its session (409 while it is propagating). */
    void removeObject(int oid) {
        ObjectTrack t = object(oid);
        t.reserve("delete it");
        objects.remove(oid);
        t.close();
    }

    /** The label map of every object (a voxel covered by several takes the highest id), or one object's 0/1 mask. */
    byte[] labels(Integer onlyObject) {
        int plane = volume.nx() * volume.ny();
        byte[] out = new byte[plane * volume.nz()];
        List<ObjectTrack> which = onlyObject == null ? objects() : List.of(object(onlyObject));
        for (ObjectTrack t : which) {
            byte label = (byte) (onlyObject == null ? t.id() : 1);
            for (int k = 0; k < volume.nz(); k++) {
                byte[] m = t.mask(k);
                if (m != null) {
                    for (int i = 0; i < plane; i++) {
                        if (m[i] != 0) {
                            out[k * plane + i] = label;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** What the page and other tools need to show the volume. */
    ObjectNode describe() {
        ObjectNode n = Json.object();
        n.put("id", id);
        n.put("name", name);
        n.put("model", modelName);
        n.put("nx", volume.nx());
        n.put("ny", volume.ny());
        n.put("nz", volume.nz());
        ArrayNode sp = n.putArray("spacing");
        for (double d : volume.spacing()) {
            sp.add(d);
        }
        n.put("format", volume.format().toString());
        n.put("dicom", volume.dicomSource().isPresent());
        n.put("orientation", volume.orientation());
        ObjectNode w = n.putObject("modelWindow");
        w.put("level", modelWindow.level());
        w.put("width", modelWindow.width());
        n.put("min", volume.min());
        n.put("max", volume.max());
        ArrayNode objs = n.putArray("objects");
        for (ObjectTrack t : objects()) {
            objs.add(describe(t));
        }
        return n;
    }

    /** One object: prompts, state, the slices with a mask, volume (ml) and slice extent. */
    ObjectNode describe(ObjectTrack t) {
        ObjectNode n = Json.object();
        n.put("id", t.id());
        n.put("color", t.color());
        n.put("revision", t.revision());
        n.put("busy", t.isBusy());
        n.put("propagated", t.propagatedMode() == null ? null : t.propagatedMode().name().toLowerCase());
        ArrayNode prompts = n.putArray("prompts");
        for (ObjectTrack.Step s : t.steps()) {
            prompts.add(prompt(s.slice(), s.prompt()));
        }
        long voxels = 0;
        int first = -1;
        int last = -1;
        ArrayNode slices = n.putArray("maskSlices");
        for (int k = 0; k < t.sliceCount(); k++) {
            byte[] m = t.mask(k);
            long c = 0;
            if (m != null) {
                for (byte b : m) {
                    c += b;
                }
            }
            if (c > 0) {
                slices.add(k);
                first = first < 0 ? k : first;
                last = k;
                voxels += c;
            }
        }
        double[] sp = volume.spacing();
        n.put("voxels", voxels);
        n.put("volumeMl", voxels * sp[0] * sp[1] * sp[2] / 1000.0);
        if (first >= 0) {
            n.putObject("extent").put("first", first).put("last", last);
        } else {
            n.putNull("extent");
        }
        return n;
    }

    static ObjectNode prompt(int slice, Prompt p) {
        ObjectNode n = Json.object();
        n.put("slice", slice);
        ArrayNode pts = n.putArray("points");
        for (Prompt.Point pt : p.points()) {
            pts.addObject().put("x", pt.x()).put("y", pt.y()).put("positive", pt.positive());
        }
        if (p.box() != null) {
            n.putObject("box").put("x0", p.box().x0()).put("y0", p.box().y0()).put("x1", p.box().x1())
                    .put("y1", p.box().y1());
        } else {
            n.putNull("box");
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // running propagations see it through their cancellation check
        for (ObjectTrack t : objects()) {
            t.close();
        }
        objects.clear();
        events.closeAll();
    }
}
