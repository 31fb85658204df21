package io.github.promptonce.spark;

import io.github.promptonce.ReferenceMemory;
import io.github.promptonce.Segmenter;
import org.apache.spark.broadcast.Broadcast;

import java.util.HashMap;
import java.util.Map;

/**
 * The broadcast reference memories of this JVM, read once per (broadcast, segmenter) onto the segmenter's device
 * and kept for every task of the job; closed with the segmenters when the JVM exits (a few tens of KB each).
 */
final class ExecutorReferences {
    private static final Map<String, ReferenceMemory> READ = new HashMap<>();

    private ExecutorReferences() {
    }

    static synchronized ReferenceMemory get(long broadcastId, Segmenter segmenter, Broadcast<byte[]> bytes) {
        String key = broadcastId + "@" + System.identityHashCode(segmenter);
        return READ.computeIfAbsent(key, k -> ReferenceMemory.fromBytes(segmenter, bytes.value()));
    }

    /** Frees every memory read (before the segmenters close). */
    static synchronized void closeAll() {
        READ.values().forEach(ReferenceMemory::close);
        READ.clear();
    }
}
