package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every error path asserts its code and that the message names what was wrong. */
class ErrorPathTest {
    private static final TorchRuntime RUNTIME = TestBackend.runtime();
    private static TorchModule basics;
    private static TorchModule kinds;

    @BeforeAll
    static void load() {
        basics = RUNTIME.load(Fixtures.path("basics.pt"), Device.CPU, false);
        kinds = RUNTIME.load(Fixtures.path("kinds.pt"), Device.CPU, false);
    }

    @AfterAll
    static void close() {
        basics.close();
        kinds.close();
    }

    private static PromptonceException expect(ErrorCode code, org.junit.jupiter.api.function.Executable call,
                                              String... fragments) {
        PromptonceException e = assertThrows(PromptonceException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pt");
        expect(ErrorCode.FILE_NOT_FOUND, () -> RUNTIME.load(missing, Device.CPU, false), missing.toString());
    }

    @Test
    void directoryIsNotAModuleFile(@TempDir Path dir) {
        expect(ErrorCode.FILE_NOT_FOUND, () -> RUNTIME.load(dir, Device.CPU, false), dir.getFileName().toString());
    }

    @Test
    void corruptFile() {
        Path garbage = Fixtures.path("garbage.pt");
        expect(ErrorCode.BAD_MODEL, () -> RUNTIME.load(garbage, Device.CPU, false), "garbage.pt");
    }

    @Test
    void truncatedModule(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("basics.pt"));
        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        expect(ErrorCode.BAD_MODEL, () -> RUNTIME.load(truncated, Device.CPU, false), "truncated.pt");
    }

    @Test
    void unknownMethodListsTheAvailableOnes() {
        try (Tensor x = RUNTIME.tensor(new float[] {1}, 1)) {
            expect(ErrorCode.BAD_MODEL, () -> basics.call("no_such_method", x), "no_such_method", "add_one");
        }
    }

    @Test
    void unknownAndNonTensorAttributes() {
        expect(ErrorCode.BAD_MODEL, () -> basics.attribute("missing_attribute"), "missing_attribute");
        expect(ErrorCode.BAD_MODEL, () -> basics.attribute("count"), "count");
    }

    @Test
    void wrongArgumentCount() {
        try (Tensor x = RUNTIME.tensor(new float[] {1}, 1)) {
            expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("add_one", x, x), "add_one");
            expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("add_one"), "add_one");
        }
    }

    @Test
    void wrongArgumentType() {
        expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("add_one", 3L), "add_one");
        try (Tensor x = RUNTIME.tensor(new float[] {1}, 1)) {
            expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("scale", x, x), "scale");
        }
    }

    @Test
    void wrongShapeInsideAMethod() {
        try (Tensor a = RUNTIME.tensor(new float[6], 2, 3);
             Tensor b = RUNTIME.tensor(new float[6], 2, 3)) {
            expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("matmul", a, b), "matmul");
        }
    }

    @Test
    void wrongDtypeInsideAMethod() {
        try (Tensor a = RUNTIME.tensor(new float[4], 2, 2);
             Tensor b = RUNTIME.tensor(new long[4], 2, 2)) {
            expect(ErrorCode.SHAPE_MISMATCH, () -> basics.call("matmul", a, b), "matmul");
        }
    }

    @Test
    void exceptionRaisedByTheModuleIsInternalWithItsMessage() {
        try (Tensor x = RUNTIME.tensor(new float[] {1}, 1)) {
            expect(ErrorCode.INTERNAL, () -> basics.call("fails", x), "fixture failure on purpose");
        }
    }

    @Test
    void unsupportedJavaArgumentIsRejectedBeforeTheCall() {
        expect(ErrorCode.INVALID_ARGUMENT, () -> basics.call("add_one", "a string"), "java.lang.String");
        expect(ErrorCode.INVALID_ARGUMENT, () -> basics.call("add_one", List.of("x")), "element 0");
    }

    @Test
    void stringResultIsAClearError() {
        expect(ErrorCode.SHAPE_MISMATCH, () -> kinds.call("text"), "str");
    }

    @Test
    void cudaOnACpuBuildIsUnsupportedDevice() {
        if (RUNTIME.cudaDeviceCount() > 0) {
            expect(ErrorCode.UNSUPPORTED_DEVICE, () -> RUNTIME.load(Fixtures.path("basics.pt"),
                    Device.cuda(RUNTIME.cudaDeviceCount()), false));
            return;
        }
        expect(ErrorCode.UNSUPPORTED_DEVICE, () -> RUNTIME.load(Fixtures.path("basics.pt"), Device.cuda(0), false));
        try (Tensor t = RUNTIME.tensor(new float[] {1}, 1)) {
            expect(ErrorCode.UNSUPPORTED_DEVICE, () -> t.to(Device.cuda(0)));
        }
        expect(ErrorCode.UNSUPPORTED_DEVICE, () -> RUNTIME.stream(Device.cuda(0)));
        expect(ErrorCode.UNSUPPORTED_DEVICE, () -> RUNTIME.stream(Device.CPU), "CUDA devices only");
    }
}
