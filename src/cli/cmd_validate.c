#include "cli.h"

#include <string.h>

static const char help[] =
    "usage: scenmc validate MODEL...\n\n"
    "Checks each model file and prints 'FILE: ok' or every problem found, as\n"
    "FILE:LINE:COLUMN: what is wrong; what was expected.\n"
    "Exit status: 0 when every file is valid, 2 otherwise.\n";

int cmd_validate(int argc, char **argv)
{
    int n_files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("validate", "unknown option '%s'", argv[i]);
    }
    for (int i = 1; i < argc; i++) {
        n_files++;
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_model *m = NULL;
        if (scenmc_model_load(argv[i], &m, &err) == SCENMC_OK) {
            printf("%s: ok", argv[i]);
            if (m->n_self_impacts)
                printf(" (%d self-impacts within descriptors kept, as ScenarioWizard counts them)",
                       m->n_self_impacts);
            printf("\n");
            scenmc_model_free(m);
        } else {
            bad++;
            cli_print_error("validate", &err);
        }
    }
    if (n_files == 0)
        return cli_usage_error("validate", "no MODEL given; expected one or more model files");
    return bad ? EXIT_USAGE : 0;
}
