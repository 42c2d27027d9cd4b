/* The verbs of the `tapegrad` command. Each returns the process exit status:
 * 0 success, 1 a failed check or a data error, 2 a usage error. */
#ifndef TG_CLI_COMMANDS_H
#define TG_CLI_COMMANDS_H

int tg_cmd_gradcheck(int argc, char **argv);
int tg_cmd_train(int argc, char **argv);
int tg_cmd_plot(int argc, char **argv);

/* The options of `tapegrad train` parsed into *o, without running anything
 * (a fuzzer calls it): -1 when they are good, else the exit status, with
 * the usage or the error already printed. */
struct tg_seed_app_opts;
int tg_cmd_train_parse(int argc, char **argv, struct tg_seed_app_opts *o);

#endif
