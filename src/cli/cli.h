/* The command-line front end: argument parsing and printing only; the
 * science lives in libscenmc. Exit codes: 0 ok, 1 runtime failure (I/O,
 * memory), 2 bad input or usage, 3 stopped early with a checkpoint. */
#ifndef SCENMC_CLI_H
#define SCENMC_CLI_H

#include "scenmc/scenmc.h"

#include <stdint.h>
#include <stdio.h>

enum { EXIT_USAGE = 2, EXIT_INTERRUPTED = 3 };

/* Each subcommand: argv[0] is the command's name. */
int cmd_validate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_exact(int argc, char **argv);
int cmd_consistent(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);

/* Maps a library status to an exit code. */
int cli_exit_code(scenmc_status st);
/* Prints err's problems to stderr, each prefixed "scenmc CMD: ". */
void cli_print_error(const char *cmd, const scenmc_error *err);
/* Usage error: prints "scenmc CMD: message" and a hint to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Strict number parsing for option values; on failure print a usage error. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t *out);
int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);

/* Loads MODEL, or the built-in default when path is NULL; prints problems. */
scenmc_model *cli_load_model(const char *cmd, const char *path, int *exit_code);

/* Option scanning: "--name=value" or "--name value". Returns the value
 * (advancing *i) when argv[*i] is that option, else NULL; sets *missing when
 * the option is there but its value is not. */
const char *cli_opt(int argc, char **argv, int *i, const char *name, int *missing);

/* The options every simulating command shares: -n, --seed, --beta, --rate,
 * --w-consistency, --w-cross, --start. Returns 1 when argv[*i] was one
 * (value consumed), 0 when it is not, -1 after printing a usage error.
 * --start needs the model, so its text is kept in *start_spec. */
int cli_param_option(const char *cmd, int argc, char **argv, int *i, scenmc_params *p,
                     const char **start_spec);
/* The help text for those options. */
extern const char cli_param_help[];
/* Collects positional arguments (not options, not option values) into out;
 * value_opts lists the options that take a separate value. Returns their count. */
int cli_positionals(int argc, char **argv, const char *const *value_opts, const char **out, int max);
/* Options that take a value in cli_param_option. */
#define CLI_PARAM_VALUE_OPTS "-n", "--trajectories", "--seed", "--beta", "--rate", \
    "--w-consistency", "--w-cross", "--start"

/* Joins argv into one string (for the results file's command_line). */
char *cli_command_line(int argc, char **argv);

/* The options every simulating command shares: -n, --seed, --beta, --rate,
 * --w-consistency, --w-cross, --start. Returns 1 when argv[*i] was one
 * (value consumed), 0 when it is not, -1 after printing a usage error.
 * --start needs the model, so its text is kept in *start_spec. */
int cli_param_option(const char *cmd, int argc, char **argv, int *i, scenmc_params *p,
                     const char **start_spec);
/* The help text for those options. */
extern const char cli_param_help[];
/* Collects positional arguments (not options, not option values) into out;
 * value_opts lists the options that take a separate value. Returns their count. */
int cli_positionals(int argc, char **argv, const char *const *value_opts, const char **out, int max);
/* Options that take a value in cli_param_option. */
#define CLI_PARAM_VALUE_OPTS "-n", "--trajectories", "--seed", "--beta", "--rate", \
    "--w-consistency", "--w-cross", "--start"

/* Joins argv into one string (for the results file's command_line). */
char *cli_command_line(int argc, char **argv);

#endif
