/* --given and --observations: the observations a command conditions on. */
#include "cli/obs_cli.h"

#include "base/util.h"

#include <stdlib.h>
#include <string.h>

int cli_observations(const char *cmd, const cli_args *a, const scenmc_model *m, scenmc_params *p,
                     scenmc_observations *o)
{
    scenmc_observations_init(o);
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int i = 0; i < a->n_opts; i++) {
        if (a->opts[i].key == CLI_K_GIVEN)
            scenmc_observations_add_given(o, m, a->opts[i].value, &err);
        else if (a->opts[i].key == CLI_K_OBSERVATIONS)
            scenmc_observations_load(o, m, a->opts[i].value, &err);
    }
    if (err.code == SCENMC_OK && o->start) {
        free(p->start);
        p->start = scenmc__xmalloc(sizeof(int) * (size_t)o->n_start);
        memcpy(p->start, o->start, sizeof(int) * (size_t)o->n_start);
    }
    if (err.code == SCENMC_OK)
        scenmc_observations_check(m, o, p, &err);
    if (err.code != SCENMC_OK) {
        cli_print_error(cmd, &err);
        scenmc_observations_free(o);
        return cli_exit_code(err.code);
    }
    return 0;
}
