/* --trend, --push, --intervene and --shock: the changes over time a command
 * simulates (docs/interventions.md). */
#include "cli/sched_cli.h"
#include "scenmc/schedule.h"

#include "base/util.h"

int cli_schedule(const char *cmd, const cli_args *a, const scenmc_model *m, scenmc_params *p)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int i = 0; i < a->n_opts; i++) {
        const cli_arg *o = &a->opts[i];
        if (o->key != CLI_K_TREND && o->key != CLI_K_PUSH && o->key != CLI_K_INTERVENE && o->key != CLI_K_SHOCK)
            continue;
        if (!p->schedule) {
            p->schedule = scenmc__xmalloc(sizeof *p->schedule);
            scenmc_schedule_init(p->schedule);
        }
        if (o->key == CLI_K_TREND)
            scenmc_schedule_add_trend(p->schedule, m, o->value, &err);
        else if (o->key == CLI_K_PUSH)
            scenmc_schedule_add_push(p->schedule, m, o->value, p->year_end, &err);
        else if (o->key == CLI_K_INTERVENE)
            scenmc_schedule_add_intervention(p->schedule, m, o->value, p->year_end, &err);
        else
            scenmc_schedule_add_shock(p->schedule, m, o->value, p->year_end, &err);
    }
    if (err.code != SCENMC_OK) {
        cli_print_error(cmd, &err);
        return cli_exit_code(err.code);
    }
    return 0;
}
