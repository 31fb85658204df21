package io.github.promptonce.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** JSON in and out of the API (Jackson): bodies are read with a size cap, answers written with their status. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** A JSON request body larger than this is refused: requests carry prompts, never data. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The request's JSON object body; an empty body is an empty object. */
    static JsonNode body(ServerRequest req) {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "a JSON body is limited to " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            return object();
        }
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("the request body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the JSON body: " + e.getMessage());
        }
    }

    static void send(ServerResponse res, int status, JsonNode body) {
        res.status(status);
        res.header("Content-Type", "application/json");
        res.header("Cache-Control", "no-store");
        res.send(toString(body).getBytes(StandardCharsets.UTF_8));
    }

    static void error(ServerResponse res, int status, String message) {
        ObjectNode e = object();
        e.put("error", message);
        e.put("status", status);
        send(res, status, e);
    }

    static String toString(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An integer field, required. */
    static int requiredInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw ApiException.badRequest("field '" + field + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    /** A finite number field, required. */
    static double requiredNumber(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw ApiException.badRequest("field '" + field + "' must be a finite number, got " + v);
        }
        return v.doubleValue();
    }
}
