package io.github.promptonce.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuFeaturesTest {
    @Test
    void readsTheBf16FlagsFromCpuinfo() {
        assertTrue(CpuFeatures.hasBfloat16(List.of("processor\t: 0", "flags\t\t: fpu sse2 avx512f avx512_bf16 sha_ni")));
        assertTrue(CpuFeatures.hasBfloat16(List.of("flags\t: fpu amx_tile amx_bf16 amx_int8")));
        assertFalse(CpuFeatures.hasBfloat16(List.of("flags\t: fpu avx2 avx512f avx512_vnni")));
        assertFalse(CpuFeatures.hasBfloat16(List.of("flags\t: fpu xavx512_bf16x")), "whole words only");
        assertFalse(CpuFeatures.hasBfloat16(List.of("model name\t: some CPU")));
    }
}
