/**
 * The runtime under promptonce: a small interface ({@link io.github.promptonce.runtime.TorchRuntime},
 * {@link io.github.promptonce.runtime.TorchModule}, {@link io.github.promptonce.runtime.Tensor},
 * {@link io.github.promptonce.runtime.Stream}) through which the segmentation code talks to LibTorch, and its
 * implementation over promptonce's C ABI ({@code native/include/promptonce.h}) with the Java FFM API.
 * Internal: applications use the public types of {@code io.github.promptonce}.
 *
 * <h2>Backends</h2>
 * Two backends implement the interface: {@code native} ({@link io.github.promptonce.runtime.NativeRuntime}, in this
 * jar: {@code libpromptonce.so} over the system's or an official LibTorch) and {@code javacpp} (module
 * {@code promptonce-javacpp}: LibTorch 2.10 from Maven Central through the JavaCPP PyTorch presets, registered as a
 * {@link io.github.promptonce.runtime.TorchRuntimeProvider} service, so that this jar needs no bytedeco jar).
 * {@link io.github.promptonce.runtime.TorchRuntimes#get(Backend)} picks one; {@code AUTO} prefers the native
 * backend when its library loads, else JavaCPP, and logs the choice and the LibTorch version. One backend per JVM:
 * two LibTorch builds in one process crash it, so each backend claims the JVM
 * ({@link io.github.promptonce.runtime.BackendGuard}) before loading native code, and a second, different backend
 * gets a {@code NATIVE_LIBRARY} error naming both. See {@code docs/backends.md}.
 *
 * <h2>Loading the native library</h2>
 * {@link io.github.promptonce.runtime.NativeRuntime#get()} loads {@code libpromptonce.so} once per JVM, trying in
 * this order:
 * <ol>
 *   <li>the system property {@code promptonce.native.path}: the library file, or a directory holding
 *       {@code libpromptonce.so} (when set, nothing else is tried: a wrong path is an error, not a fallback);</li>
 *   <li>the library bundled in the jar under {@code native/linux-x86_64/}, extracted to a temporary directory;</li>
 *   <li>{@code libpromptonce.so} in each directory of {@code java.library.path}.</li>
 * </ol>
 * When all fail, the {@link io.github.promptonce.base.PromptonceException} (code {@code NATIVE_LIBRARY}) lists every
 * path tried with the loader's reason (a missing {@code libtorch*.so} shows there) and the fix. The library links
 * against LibTorch dynamically: Debian's {@code libtorch-dev} (with {@code libopenblas0-pthread}), or an official
 * LibTorch found through the RPATH set at build time.
 *
 * <h2>Native access</h2>
 * The JVM must allow native access to promptonce: {@code --enable-native-access=ALL-UNNAMED} on the class path
 * (or {@code =io.github.promptonce} on the module path; executable jars may instead carry the manifest attribute
 * {@code Enable-Native-Access: ALL-UNNAMED}). Without it, loading fails at once with a message naming the flag.
 *
 * <h2>Threading</h2>
 * Runtimes and modules are thread-safe (many threads may call one module at once); a tensor or stream is used by
 * one thread at a time; nothing may be closed while another thread uses it.
 *
 * <h2>Memory</h2>
 * Tensors, modules and streams own native memory: close them (idempotent); any other use after close throws
 * {@link java.lang.IllegalStateException}. Per-call temporaries live in a confined arena freed when the call
 * returns. Tensors cross as flat buffers: Java arrays are passed to native code without an intermediate copy,
 * and {@link io.github.promptonce.runtime.Tensor#data()} views a CPU tensor's memory in place.
 */
package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
