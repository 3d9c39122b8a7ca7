#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "explore.h"

static const char *USAGE =
    "usage: makemore COMMAND [options]\n"
    "\n"
    "Character-level language models (the lecture series' MLPs; see train --model\n"
    "list) that learn from a text file with one item per line and generate more\n"
    "items like them.\n"
    "\n"
    "commands:\n"
    "  train    train a model (the lecture's run by default) and save DIR/model.bin\n"
    "  sample   print new items from a trained model\n"
    "  probs    the next-character distribution after a prefix\n"
    "  eval     print the loss of a trained model on the train/dev/test split\n"
    "  export   write a model's weights as safetensors\n"
    "  import   make DIR/model.bin from safetensors weights (makemore.py's state_dict)\n"
    "  lr-find  the lecture's learning-rate sweep: lr_find.csv, lr_find.svg, a suggestion\n"
    "  sweep    random search over learning rate, sizes and batch; sweep.csv, sweep.md\n"
    "  neighbors  the tokens nearest a word by its learnt features (cosine)\n"
    "\n"
    "Run 'makemore COMMAND --help' for a command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train")) return cmd_train(argc - 2, argv + 2);
    if (!strcmp(cmd, "sample")) return cmd_sample(argc - 2, argv + 2);
    if (!strcmp(cmd, "probs")) return cmd_probs(argc - 2, argv + 2);
    if (!strcmp(cmd, "eval")) return cmd_eval(argc - 2, argv + 2);
    if (!strcmp(cmd, "export")) return cmd_export(argc - 2, argv + 2);
    if (!strcmp(cmd, "import")) return cmd_import(argc - 2, argv + 2);
    if (!strcmp(cmd, "lr-find")) return cmd_lrfind(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep")) return cmd_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "neighbors")) return cmd_neighbors(argc - 2, argv + 2);
    return cli_error("unknown command '%s' (commands: train, sample, probs, eval, export, import, lr-find, sweep, neighbors)", cmd);
}
