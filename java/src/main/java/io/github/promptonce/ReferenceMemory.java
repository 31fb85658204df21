package io.github.promptonce;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.sam.FrameMemory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The SAM 2 memory of one prompted reference slice: what {@link Segmenter#propagateDataset} seeds every volume of a
 * dataset with (the conditioning frame's spatial memory, object pointer, mask logits, object score and predicted
 * IoU). Made once by {@link Segmenter#promptReference}, it can be written as bytes ({@link #toBytes()}) and read back
 * by another segmenter of the same model, in another JVM ({@link #fromBytes}): a cluster prompts once on its driver
 * and ships the memory to every executor instead of encoding the reference again on each.
 *
 * <p>Owns native memory: close it (idempotent); other use after close throws {@link IllegalStateException}. One
 * thread at a time; several propagations may read it one after the other.
 */
public final class ReferenceMemory implements AutoCloseable {
    private static final int MAGIC = 0x504f524d; // "PORM"
    private static final int VERSION = 1;

    private final FrameMemory memory;
    private final String modelSha256;
    private volatile boolean closed;

    ReferenceMemory(FrameMemory memory, String modelSha256) {
        this.memory = memory;
        this.modelSha256 = modelSha256;
    }

    /** The SHA-256 of the {@code manifest.json} of the model that made this memory (only that model may use it). */
    public String modelSha256() {
        return modelSha256;
    }

    /**
     * This memory as bytes: a small header (format version, byte order, the model's manifest SHA-256, object score,
     * IoU), then each tensor's dtype, shape and raw elements.
     */
    public byte[] toBytes() {
        FrameMemory m = memory();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeBoolean(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
            out.writeUTF(modelSha256);
            out.writeFloat(m.objectScore());
            out.writeFloat(m.iou());
            for (Tensor t : new Tensor[] {m.maskmemFeatures(), m.objectPointer(), m.lowResMasks()}) {
                writeTensor(out, t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Reads {@link #toBytes()} onto {@code segmenter}'s device.
     *
     * @throws IllegalArgumentException when {@code bytes} are not such a memory (truncated, another format version,
     *                                  another byte order) or were made by another model than {@code segmenter}'s
     * @throws PromptonceException      UNSUPPORTED_MODEL for a SAM (v1) segmenter
     */
    public static ReferenceMemory fromBytes(Segmenter segmenter, byte[] bytes) {
        Objects.requireNonNull(segmenter, "segmenter");
        Objects.requireNonNull(bytes, "bytes");
        segmenter.requireVideo("a reference memory");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "not a promptonce reference memory of format %d (magic %08x, version %d)", VERSION, magic,
                        version));
            }
            boolean little = in.readBoolean();
            if (little != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
                throw new IllegalArgumentException("reference memory written on a " + (little ? "little" : "big")
                        + "-endian machine, this one is " + ByteOrder.nativeOrder());
            }
            String sha = in.readUTF();
            String mine = segmenter.manifest().sha256();
            if (!sha.equals(mine)) {
                throw new IllegalArgumentException("reference memory made by the model with manifest SHA-256 " + sha
                        + ", this segmenter's model is " + mine);
            }
            float objectScore = in.readFloat();
            float iou = in.readFloat();
            TorchRuntime runtime = segmenter.runtime();
            Tensor features = null;
            Tensor pointer = null;
            Tensor masks = null;
            try {
                features = readTensor(in, runtime, segmenter);
                pointer = readTensor(in, runtime, segmenter);
                masks = readTensor(in, runtime, segmenter);
                if (in.available() > 0) {
                    throw new IllegalArgumentException("reference memory has " + in.available()
                            + " trailing byte(s)");
                }
                return new ReferenceMemory(new FrameMemory(features, pointer, masks, objectScore, iou), sha);
            } catch (RuntimeException | IOException e) {
                for (Tensor t : new Tensor[] {features, pointer, masks}) {
                    if (t != null) {
                        t.close();
                    }
                }
                throw e;
            }
        } catch (java.io.EOFException e) {
            throw new IllegalArgumentException("reference memory truncated (" + bytes.length + " bytes)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeTensor(DataOutputStream out, Tensor t) throws IOException {
        long[] shape = t.shape();
        out.writeInt(t.dtype().nativeCode());
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
        byte[] data = t.toByteArray();
        out.writeInt(data.length);
        out.write(data);
    }

    private static Tensor readTensor(DataInputStream in, TorchRuntime runtime, Segmenter segmenter)
            throws IOException {
        DType dtype = DType.fromNative(in.readInt());
        int rank = in.readInt();
        if (rank < 0 || rank > 8) {
            throw new IllegalArgumentException("reference memory: tensor rank " + rank + " (expected 0..8)");
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
        }
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IllegalArgumentException("reference memory: tensor of " + length + " bytes, "
                    + in.available() + " left");
        }
        byte[] data = in.readNBytes(length);
        try {
            return runtime.tensor(MemorySegment.ofArray(data), dtype, shape, segmenter.options().device());
        } catch (PromptonceException e) {
            if (e.code() == ErrorCode.INVALID_ARGUMENT || e.code() == ErrorCode.SHAPE_MISMATCH) {
                throw new IllegalArgumentException("reference memory: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** The memory the engine seeds volumes with. */
    FrameMemory memory() {
        if (closed) {
            throw new IllegalStateException("reference memory is closed");
        }
        return memory;
    }

    /** Frees the tensors. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            memory.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }
}
