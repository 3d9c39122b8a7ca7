/* Commands the WebAssembly build leaves out: sweep runs its trainings in
 * POSIX threads, which the single-threaded wasm32-wasi target lacks. */
#include "cli.h"

int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("sweep: not available in the web page (it runs trainings in threads); "
                     "use the native makemore");
}
