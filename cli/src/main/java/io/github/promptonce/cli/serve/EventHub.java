package io.github.promptonce.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CopyOnWriteArrayList;

/** The SSE clients of one workspace: {@link #publish} hands an event to each client's bounded channel. */
final class EventHub {
    static final int CHANNEL_CAPACITY = 256;
    private final CopyOnWriteArrayList<EventChannel> channels = new CopyOnWriteArrayList<>();

    EventChannel subscribe() {
        EventChannel c = new EventChannel(CHANNEL_CAPACITY);
        channels.add(c);
        return c;
    }

    void unsubscribe(EventChannel c) {
        c.close();
        channels.remove(c);
    }

    void publish(String name, JsonNode data) {
        EventChannel.Event e = new EventChannel.Event(name, Json.toString(data));
        for (EventChannel c : channels) {
            c.offer(e);
        }
    }

    int clients() {
        return channels.size();
    }

    /** Ends every client's stream (the workspace closed). */
    void closeAll() {
        publish("closed", Json.object().put("reason", "the volume was closed or expired"));
        for (EventChannel c : channels) {
            c.close();
        }
    }
}
