#include "cli/results_src.h"
#include "cli.h"

#include <string.h>

/* A sweep, sensitivity or derivative file: the results reader (in its forked guard)
 * recognised it, so its metadata is sound enough for the kind's reader. */
static int read_other(const char *cmd, const char *path, results_src *s, int signposts)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    int version = 0;
    scenmc_status st = scenmc_file_kind_read(path, &s->kind, &version, &err);
    if (st == SCENMC_OK && s->kind == SCENMC_FILE_SWEEP)
        st = scenmc_sweep_read(path, &s->m, &s->sweep, &s->info, &err);
    else if (st == SCENMC_OK && s->kind == SCENMC_FILE_SENSITIVITY)
        st = scenmc_sensitivity_read(path, &s->m, &s->base, &s->sens, &s->info, &err);
    else if (st == SCENMC_OK && s->kind == SCENMC_FILE_DERIVATIVE)
        st = scenmc_derivatives_read(path, &s->m, &s->base, &s->deriv, &s->info, &err);
    else if (st == SCENMC_OK && s->kind == SCENMC_FILE_OTHER && signposts) {
        st = scenmc_signposts_read(path, &s->m, &s->base, &s->sp, &s->info, &err);
        s->is_signposts = st == SCENMC_OK;
    }
    else if (st == SCENMC_OK)
        st = scenmc_error_add(&err, SCENMC_E_INPUT, "%s: a scenmc file of a kind that %s does not "
                              "read", path, cmd);
    if (st != SCENMC_OK) {
        cli_print_error(cmd, &err);
        results_src_free(s);
        return cli_exit_code(st);
    }
    return 0;
}

int results_src_read(const char *cmd, const char *path, results_src *s)
{
    memset(s, 0, sizeof *s);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_results_read_info(path, &s->m, &s->r, &s->info, 0, &err);
    if (st == SCENMC_E_INPUT && (strstr(err.msg, "not the results of one run") ||
                                 strstr(err.msg, "method 'derivative'") ||
                                 strstr(err.msg, "method 'signposts'"))) {
        /* signposts files: report and export (other commands say they do not read them) */
        int signposts = strstr(err.msg, "method 'signposts'") && (!strcmp(cmd, "report") || !strcmp(cmd, "export"));
        scenmc_results_info_free(&s->info);
        memset(s, 0, sizeof *s);
        return read_other(cmd, path, s, signposts);
    }
    if (st != SCENMC_OK) {
        cli_print_error(cmd, &err);
        scenmc_results_info_free(&s->info);
        return cli_exit_code(st);
    }
    s->kind = SCENMC_FILE_RESULTS;
    st = scenmc_ensemble_read(path, &s->r, &s->ens, &err);
    if (st != SCENMC_OK) {
        cli_print_error(cmd, &err);
        results_src_free(s);
        return cli_exit_code(st);
    }
    if (s->ens.n_members > 0)
        s->kind = SCENMC_FILE_ENSEMBLE;
    return 0;
}

void results_src_free(results_src *s)
{
    if (s->kind == SCENMC_FILE_RESULTS || s->kind == SCENMC_FILE_ENSEMBLE)
        scenmc_results_free(&s->r);
    scenmc_ensemble_data_free(&s->ens);
    if (s->kind == SCENMC_FILE_SWEEP)
        scenmc_sweep_data_free(&s->sweep);
    if (s->kind == SCENMC_FILE_SENSITIVITY) {
        scenmc_params_free(&s->base);
        scenmc_sensitivity_free(&s->sens);
    }
    if (s->kind == SCENMC_FILE_DERIVATIVE) {
        scenmc_params_free(&s->base);
        scenmc_derivatives_free(&s->deriv);
    }
    if (s->is_signposts) {
        scenmc_params_free(&s->base);
        scenmc_signposts_free(&s->sp);
    }
    scenmc_results_info_free(&s->info);
    scenmc_model_free(s->m);
    memset(s, 0, sizeof *s);
}
