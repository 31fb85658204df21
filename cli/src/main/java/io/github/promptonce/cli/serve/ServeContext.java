package io.github.promptonce.cli.serve;

import io.github.promptonce.volume.ReadOptions;
import java.util.function.Consumer;

/** What the API handlers share: the root guard, open workspaces, models, the job executor, uploads, the default model
 * window ({@code --window}), logging. */
record ServeContext(PathGuard guard, Workspaces workspaces, ServedModels models, Jobs jobs, Uploads uploads,
                    ReadOptions readOptions, long maxUploadBytes, String defaultWindow, Consumer<String> log) {
}
