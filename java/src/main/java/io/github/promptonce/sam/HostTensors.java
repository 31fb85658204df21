package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.runtime.Tensor;

/** Tensors filled on the host, then put where the model runs. */
final class HostTensors {
    private HostTensors() {
    }

    /** {@code cpu} itself on the CPU; else a copy on {@code device}, {@code cpu} closed (also on failure). */
    static Tensor onDevice(Tensor cpu, Device device) {
        if (device.equals(Device.CPU)) {
            return cpu;
        }
        try (cpu) {
            return cpu.to(device);
        }
    }
}
