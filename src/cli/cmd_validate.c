#include "cli.h"


static const char head[] =
    "usage: scenmc validate MODEL...\n\n"
    "Checks each model file and prints 'FILE: ok' or every problem found, as\n"
    "FILE:LINE:COLUMN: what is wrong; what was expected.\n"
    "Exit status: 0 when every file is valid, 1 when memory ran out, 2 otherwise.\n";

static const cli_option options[] = {CLI_END};
static const cli_command command = {"validate", head, NULL, options};

int cmd_validate(int argc, char **argv)
{
    int n_files = 0, bad = 0, nomem = 0;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    for (int k = 0; k < a.n_pos; k++) {
        const char *path = a.pos[k];
        n_files++;
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_model *m = NULL;
        if (scenmc_model_load(path, &m, &err) == SCENMC_OK) {
            printf("%s: ok", path);
            if (m->n_self_impacts)
                printf(" (%d self-impacts within descriptors kept, as ScenarioWizard counts them)",
                       m->n_self_impacts);
            printf("\n");
            scenmc_model_free(m);
        } else {
            bad++;
            nomem |= err.code == SCENMC_E_NOMEM;
            cli_print_error("validate", &err);
        }
    }
    cli_args_free(&a);
    if (n_files == 0)
        return cli_usage_error("validate", "no MODEL given; expected one or more model files");
    return nomem ? 1 : bad ? EXIT_USAGE : 0; /* out of memory is a failure, not bad input */
}
