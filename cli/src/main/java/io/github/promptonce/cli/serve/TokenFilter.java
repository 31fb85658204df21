package io.github.promptonce.cli.serve;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Every request must carry the server's random token: as the {@code token} query parameter (the printed URL), the
 * {@value #HEADER} header (other tools) or the {@value #COOKIE} cookie (set on the page's first load, so the page's
 * own requests and its EventSource carry it). Anything else gets 401, static files included.
 */
final class TokenFilter implements Filter {
    static final String HEADER = "X-Promptonce-Token";
    static final String COOKIE = "promptonce_token";
    private final byte[] token;
    private final String text;

    TokenFilter(String token) {
        this.text = token;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** A random 128-bit token, hex. */
    static String randomToken() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<String> query = req.query().first("token").asOptional();
        Optional<String> given = query
                .or(() -> req.headers().first(io.helidon.http.HeaderNames.create(HEADER)))
                .or(() -> req.headers().cookies().first(COOKIE).asOptional());
        if (given.isEmpty() || !MessageDigest.isEqual(token, given.get().getBytes(StandardCharsets.UTF_8))) {
            Json.error(res, 401, given.isEmpty()
                    ? "missing token: open the URL the server printed (it carries ?token=...)"
                    : "wrong token: open the URL the server printed");
            return;
        }
        if (query.isPresent()) { // the page's first load: later requests carry the cookie
            res.header("Set-Cookie", COOKIE + "=" + text + "; Path=/; HttpOnly; SameSite=Strict");
        }
        res.header("X-Content-Type-Options", "nosniff");
        chain.proceed();
    }
}
