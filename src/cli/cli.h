/* The command-line front end: argument parsing and printing only; the
 * science lives in libscenmc. Exit codes: 0 ok, 1 runtime failure (I/O,
 * memory), 2 bad input or usage, 3 stopped early with a checkpoint. */
#ifndef SCENMC_CLI_H
#define SCENMC_CLI_H

#include "scenmc/scenmc.h"
#include "scenmc/reader.h"

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
int cmd_levers(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export_model(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_signposts(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

/* Maps a library status to an exit code. */
int cli_exit_code(scenmc_status st);
/* Prints err's problems to stderr, each prefixed "scenmc CMD: ". */
void cli_print_error(const char *cmd, const scenmc_error *err);
/* Prints notes (lines) to stderr, each prefixed "scenmc CMD: note: ". */
void cli_print_notes(const char *cmd, const char *notes);
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

/* The program's name as started (argv[0] of main), for the command line
 * recorded in results files. */
void cli_set_program(const char *argv0);
/* Joins the program's name and a command's argv into one string (the
 * results file's command_line). */
char *cli_command_line(int argc, char **argv);

/* Option tables. Each command has one table; it lists every option the
 * command takes with the lines --help prints for it, so parsing and help
 * come from the same place. An entry with name NULL and a help text is a
 * help line only; CLI_PARAMS stands for the shared parameter options. */
enum {
    CLI_KEY_PARAMS = 1000, /* the entry that includes cli_param_options */
    CLI_KEY_HELP_ONLY,     /* help text without an option */
    CLI_K_TRAJECTORIES = 'n',
    CLI_K_SEED = 1100, CLI_K_BETA, CLI_K_RATE, CLI_K_W_CONSISTENCY, CLI_K_W_CROSS, CLI_K_START,
    CLI_K_FORCE = 1190, CLI_K_THREADS, CLI_K_QUIET = 'q', CLI_K_OUTPUT = 'o',
    CLI_K_GIVEN = 1180, CLI_K_OBSERVATIONS, CLI_K_TREND, CLI_K_PUSH, CLI_K_INTERVENE, CLI_K_SHOCK,
    CLI_KEY_FIRST = 1200   /* commands number their own long-only options from here */
};
typedef struct cli_option {
    const char *name; /* long name without "--"; NULL for help-only entries */
    int key;          /* the short option's letter, or a number >= CLI_KEY_FIRST */
    int has_arg;      /* 0: a flag, 1: takes a value */
    const char *help; /* its lines of --help, verbatim */
} cli_option;
#define CLI_HELP(text) {NULL, CLI_KEY_HELP_ONLY, 0, text}
#define CLI_PARAMS {NULL, CLI_KEY_PARAMS, 0, NULL}
#define CLI_END {NULL, 0, 0, NULL}
#define CLI_HELP_OPTION {"help", 'h', 0, "  -h, --help             this text\n"}
#define CLI_OUTPUT_OPTION(what) {"output", 'o', 1, "  -o, --output FILE.h5   " what "\n"}
#define CLI_FORCE_OPTION {"force", CLI_K_FORCE, 0, "  --force                overwrite an existing output file\n"}

/* The options every simulating command shares: -n, --seed, --beta, --rate,
 * --w-consistency, --w-cross, --start. */
extern const cli_option cli_param_options[];

/* The observation options (obs_cli.c), for a command's table:
 * --given YEAR:ID=V,... (repeatable) and --observations FILE. */
#define CLI_GIVEN_OPTIONS                                                                   \
    {"given", CLI_K_GIVEN, 1,                                                               \
     "  --given YEAR:ID=V,...  condition on what was observed: descriptor ID was at\n"       \
     "                         variant V (name, id or 1-based number) in YEAR;\n"           \
     "                         repeatable (docs/signposts.md)\n"},                          \
    {"observations", CLI_K_OBSERVATIONS, 1,                                                 \
     "  --observations FILE    condition on the observations of a YAML file, hard\n"        \
     "                         and soft (docs/model-format.md)\n"}

/* The options of changes over time (sched_cli.c), for a command's table:
 * --trend, --push, --intervene and --shock, each repeatable. */
#define CLI_SCHEDULE_OPTIONS                                                                \
    {"trend", CLI_K_TREND, 1,                                                               \
     "  --trend ID=V:YEAR=B,YEAR=B,...\n"                                                    \
     "                         a bias on variant V that changes over the years: B at\n"     \
     "                         each YEAR, linear between, constant beyond\n"},              \
    {"push", CLI_K_PUSH, 1,                                                                 \
     "  --push YEARS:ID=V:B    a bias B on variant V in YEARS (YEARS: Y from Y to\n"      \
     "                         the last year; Y1-Y2 from Y1 to the end of Y2)\n"},        \
    {"intervene", CLI_K_INTERVENE, 1,                                                       \
     "  --intervene YEARS:ID=V hold descriptor ID at variant V: set at the start of\n"     \
     "                         the first year, kept to the end of the last (YEARS\n"      \
     "                         as for --push)\n"},                                          \
    {"shock", CLI_K_SHOCK, 1,                                                               \
     "  --shock YEARS:ID=V@H   events at H per year that set ID to V during YEARS\n"       \
     "                         (as for --push; docs/interventions.md)\n"}

/* A command: --help prints head, the table's help lines, then foot. */
typedef struct cli_command {
    const char *name;
    const char *head, *foot;
    const cli_option *options;
} cli_command;

/* One parsed option, in command-line order. */
typedef struct cli_arg {
    int key;
    const char *value; /* NULL for a flag */
} cli_arg;
typedef struct cli_args {
    cli_arg *opts;
    int n_opts;
    const char **pos; /* positional arguments, in order */
    int n_pos;
} cli_args;

enum { CLI_HELP_SHOWN = -1 };
/* Parses argv (argv[0] is the command's name) by cmd's table with
 * getopt_long, without reordering argv. Returns 0; CLI_HELP_SHOWN after
 * printing --help (the command then exits 0); or EXIT_USAGE after naming
 * the unknown, abbreviated or value-less option. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out);
void cli_args_free(cli_args *a);
/* The value of the last option key given, or NULL. */
const char *cli_value(const cli_args *a, int key);
/* Whether option key was given. */
int cli_flag(const cli_args *a, int key);
/* Prints cmd's --help when argv has --help or -h anywhere (as a value too,
 * as always); returns whether it did. */
int cli_wants_help(const cli_command *cmd, int argc, char **argv);
/* Prints cmd's --help to stdout. */
void cli_help(const cli_command *cmd);
/* Applies one of cli_param_options to p: 1 when it was one, 0 when not, -1
 * after a usage error. --start needs the model, so its text goes to *start. */
int cli_param_apply(const char *cmd, const cli_arg *a, scenmc_params *p, const char **start);
/* The usage error for more than one MODEL, when a has more than max positionals. */
int cli_too_many(const char *cmd, const cli_args *a, int max);
/* The one results file a reading command takes (export, report). */
int cli_one_results_file(const char *cmd, const cli_args *a, const char **file);
/* Reads a results file; 0, or an exit code after printing the problem. */
int cli_read_results(const char *cmd, const char *file, scenmc_model **m, scenmc_results *r,
                     scenmc_results_info *info);


/* Closes an open_memstream f whose buffer is *text: *text, or NULL (freed)
 * when writing failed (out of memory). */
char *cli_text_done(FILE *f, char **text);

/* Whether a and b are the same file (device and inode, not the name). */
int cli_same_file(const char *a, const char *b);

/* From a signal handler: removes the live temporary files, then ends the
 * process by signal s with its default action (async-signal-safe). */
void cli_end_by_signal(int s);

#endif
