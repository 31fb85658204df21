package io.github.promptonce.cli.serve;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/** Wraps API handlers so that every failure becomes a JSON error with a fitting status. */
final class Handlers {
    private Handlers() {
    }

    static Handler api(Handler h, Consumer<String> log) {
        return (req, res) -> {
            try {
                h.handle(req, res);
            } catch (ApiException e) {
                Json.error(res, e.status(), e.getMessage());
            } catch (IllegalArgumentException e) {
                Json.error(res, 400, e.getMessage());
            } catch (PromptonceException e) {
                Json.error(res, e.code() == ErrorCode.BAD_INPUT ? 400 : 500, e.getMessage());
            } catch (CancellationException e) {
                Json.error(res, 409, "cancelled: " + e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                Json.error(res, 404, "no such file: " + e.getMessage());
            } catch (Exception e) {
                log.accept("internal error on " + req.prologue().method().text() + " " + req.path().path() + ": "
                        + e);
                Json.error(res, 500, "internal error: " + e);
            }
        };
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    static int intParam(ServerRequest req, String name) {
        String v = param(req, name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " '" + v + "' is not an integer");
        }
    }

    static String query(ServerRequest req, String name) {
        return req.query().first(name).orElse(null);
    }
}
