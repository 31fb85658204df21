package io.github.promptonce.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void parsesEveryKind() {
        Object v = Json.parse(" {\"a\": [1, -2.5, 3e2, true, false, null], \"s\": \"x\\\"\\u00e9\\n\", \"o\": {}, "
                + "\"big\": 123456789012345678901234} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2.5, 300.0, true, false), ((List<?>) m.get("a")).subList(0, 5));
        assertNull(((List<?>) m.get("a")).get(5));
        assertEquals("x\"é\n", m.get("s"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(1.2345678901234568E23, m.get("big"));
        assertEquals(List.of("a", "s", "o", "big"), List.copyOf(m.keySet()), "key order kept");
    }

    @Test
    void rejectsMalformedInputNamingThePosition() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "01", "\"\\x\"", "tru",
                "[1] 2", "{\"a\":\"\n\"}", "-", "1.", "[" .repeat(300)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at line "), e.getMessage());
        }
    }
}
