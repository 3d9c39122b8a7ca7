/* The exploring commands: the learning-rate finder and the
 * random hyperparameter search. */
#ifndef MM_EXPLORE_H
#define MM_EXPLORE_H

int cmd_lrfind(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif
