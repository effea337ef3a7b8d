/* A program outside the source tree that links the installed libscenmc: it
 * runs the built-in model by Monte Carlo and exactly, and checks that the two
 * agree on the scenario probabilities of the last year (within 5 standard
 * errors). Built by tests/install/check_install.sh with pkg-config and CMake. */
#include <scenmc/scenmc.h>

#include <math.h>
#include <stdio.h>

int main(void)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_load_default(&m, &err) != SCENMC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 200000;
    p.seed = 7;
    scenmc_run_options opt = {0};
    scenmc_results mc, ex;
    if (scenmc_run(m, &p, &opt, &mc, &err) != SCENMC_OK ||
        scenmc_exact(m, &p, 0, &ex, &err) != SCENMC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const scenmc_table *a = &mc.t[SCENMC_T_SCENARIO], *b = &ex.t[SCENMC_T_SCENARIO];
    size_t last = (size_t)(mc.n_years - 1) * a->dims[1];
    int bad = 0;
    for (size_t s = 0; s < a->dims[1]; s++) {
        double z = (a->prob[last + s] - b->prob[last + s]) / fmax(a->stderr_[last + s], 1e-12);
        printf("%-24s MC %.4f +- %.4f  exact %.4f\n", m->scenarios[s].name, a->prob[last + s],
               a->stderr_[last + s], b->prob[last + s]);
        bad |= fabs(z) > 5;
    }
    scenmc_results_free(&mc);
    scenmc_results_free(&ex);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return bad;
}
