/**
 * The javacpp backend of promptonce's runtime: {@link io.github.promptonce.runtime.TorchRuntime} over the JavaCPP
 * PyTorch presets ({@code org.bytedeco.pytorch}, LibTorch 2.10 from Maven Central). Found by
 * {@link io.github.promptonce.runtime.TorchRuntimes} through the
 * {@link io.github.promptonce.runtime.TorchRuntimeProvider} service this jar registers; use
 * {@code TorchRuntimes.get(Backend.JAVACPP)} (or {@code AUTO}) rather than these classes.
 *
 * <p>Loading: claims the JVM ({@link io.github.promptonce.runtime.BackendGuard}: the native backend's LibTorch and
 * this one cannot share a process), requires {@code --enable-native-access}, unpacks every library of the presets
 * into JavaCPP's cache, then loads them. Threading and memory rules are those of the runtime package: modules are
 * thread-safe, tensors are used by one thread at a time, everything is closed explicitly (a Cleaner is the safety
 * net). Tensor data crosses as MemorySegments over the tensor's native memory: bulk copies, and {@code data()} a
 * zero-copy view that dies with the tensor. See {@code docs/backends.md}.
 */
package io.github.promptonce.runtime.javacpp;
