#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "explore.h"

/* The one list of commands: dispatch, the usage text and the message for
 * an unknown command all come from it. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"train", cmd_train, "train a model (the lecture's run by default) and save DIR/model.bin"},
    {"sample", cmd_sample, "print new items from a trained model"},
    {"probs", cmd_probs, "the next-character distribution after a prefix"},
    {"eval", cmd_eval, "print the loss of a trained model on the train/dev/test split"},
    {"export", cmd_export, "write a model's weights as safetensors"},
    {"import", cmd_import, "make DIR/model.bin from safetensors weights (makemore.py's state_dict)"},
    {"lr-find", cmd_lrfind, "the lecture's learning-rate sweep: lr_find.csv, lr_find.svg, a suggestion"},
    {"sweep", cmd_sweep, "random search over learning rate, sizes and batch; sweep.csv, sweep.md"},
    {"neighbors", cmd_neighbors, "the tokens nearest a word by its learnt features (cosine)"},
};
#define NCOMMANDS ((int)(sizeof COMMANDS / sizeof *COMMANDS))

static void usage(FILE *f)
{
    fputs("usage: makemore COMMAND [options]\n"
          "\n"
          "Character-level language models (the lecture series' MLPs; see train --model\n"
          "list) that learn from a text file with one item per line and generate more\n"
          "items like them.\n"
          "\n"
          "commands:\n", f);
    int width = 0;
    for (int i = 0; i < NCOMMANDS; i++)
        if ((int)strlen(COMMANDS[i].name) > width) width = (int)strlen(COMMANDS[i].name);
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-*s  %s\n", width, COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\nRun 'makemore COMMAND --help' for a command's options.\n", f);
}

static int unknown(const char *name)
{
    char names[256];
    size_t len = 0;
    for (int i = 0; i < NCOMMANDS && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", COMMANDS[i].name);
    return cli_error("unknown command '%s' (commands: %s)", name, names);
}

static int run_command(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return COMMANDS[i].run(argc - 2, argv + 2);
    return unknown(argv[1]);
}

int main(int argc, char **argv)
{
    return cli_flush_stdout(run_command(argc, argv));
}
