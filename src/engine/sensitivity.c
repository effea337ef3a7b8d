/* Cell sensitivity by paired finite differences: every scored consistency
 * cell at -delta and +delta with common random numbers (docs/sensitivity.md). */
#include "scenmc/sweep.h"
#include "engine/simulate.h"
#include "model/params.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

scenmc_status scenmc_sensitivity(const scenmc_model *m, const scenmc_params *base, double delta,
                                 int threads, int (*progress)(void *, uint64_t, uint64_t, double),
                                 void *progress_ctx, scenmc_sensitivity_result *out,
                                 scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    scenmc_status st = scenmc__params_check_scheduled(base, err); /* the paired runs simulate schedules */
    if (st != SCENMC_OK)
        return st;
    if (!(delta > 0) || !isfinite(delta))
        return scenmc_error_add(err, SCENMC_E_INPUT, "--delta %g; expected a positive number", delta);
    if (m->n_scenarios == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "the model has no scenarios; sensitivity reports "
                                "the change of scenario probabilities");
    size_t V = (size_t)m->n_variants;
    int n = 0;
    for (size_t u = 0; u < V; u++)
        for (size_t v = u + 1; v < V; v++)
            n += m->scored[u * V + v] != 0;
    scenmc_results shape;
    st = scenmc_results_init(&shape, m, base, SCENMC_MONTE_CARLO, err);
    if (st != SCENMC_OK)
        return st;
    int S = shape.n_scenarios;
    scenmc_results_free(&shape);
    out->n_cells = n;
    out->n_scenarios = S;
    out->delta = delta;
    out->u = scenmc__xcalloc((size_t)n, sizeof(int));
    out->v = scenmc__xcalloc((size_t)n, sizeof(int));
    out->base_value = scenmc__xcalloc((size_t)n, sizeof(double));
    out->minus_value = scenmc__xcalloc((size_t)n, sizeof(double));
    out->plus_value = scenmc__xcalloc((size_t)n, sizeof(double));
    out->p_minus = scenmc__xcalloc((size_t)n * (size_t)S, sizeof(double));
    out->p_plus = scenmc__xcalloc((size_t)n * (size_t)S, sizeof(double));
    out->effect = scenmc__xcalloc((size_t)n * (size_t)S, sizeof(double));
    out->stderr_ = scenmc__xcalloc((size_t)n * (size_t)S, sizeof(double));
    out->n_trajectories = base->n_trajectories;
    double t0 = scenmc__now();
    int c = 0;
    for (size_t u = 0; u < V && st == SCENMC_OK; u++)
        for (size_t v = u + 1; v < V && st == SCENMC_OK; v++) {
            if (!m->scored[u * V + v])
                continue;
            double x = m->consistency[u * V + v];
            out->u[c] = (int)u;
            out->v[c] = (int)v;
            out->base_value[c] = x;
            out->minus_value[c] = fmax(m->scale_c[0], x - delta);
            out->plus_value[c] = fmin(m->scale_c[1], x + delta);
            scenmc_params pm, pp;
            scenmc_params_copy(&pm, base);
            scenmc_params_copy(&pp, base);
            scenmc_params_add_cell(&pm, (int)u, (int)v, 0, out->minus_value[c]);
            scenmc_params_add_cell(&pp, (int)u, (int)v, 0, out->plus_value[c]);
            uint64_t *joint = scenmc__xcalloc((size_t)S * (size_t)S, sizeof(uint64_t));
            st = scenmc__run_paired_final(m, &pm, &pp, threads, joint, err);
            if (st == SCENMC_OK) {
                double N = (double)base->n_trajectories;
                for (int s = 0; s < S; s++) {
                    uint64_t minus = 0, plus = 0;
                    for (int t = 0; t < S; t++) {
                        minus += joint[(size_t)s * (size_t)S + (size_t)t];
                        plus += joint[(size_t)t * (size_t)S + (size_t)s];
                    }
                    /* Paired difference of indicators: d_k = [plus_k = s] - [minus_k = s]. */
                    uint64_t both = joint[(size_t)s * (size_t)S + (size_t)s];
                    double only_plus = (double)(plus - both) / N, only_minus = (double)(minus - both) / N;
                    double d = only_plus - only_minus;
                    double var = only_plus + only_minus - d * d;
                    size_t i = (size_t)c * (size_t)S + (size_t)s;
                    out->p_minus[i] = (double)minus / N;
                    out->p_plus[i] = (double)plus / N;
                    out->effect[i] = d;
                    out->stderr_[i] = sqrt(fmax(var, 0) / N);
                }
            }
            free(joint);
            scenmc_params_free(&pm);
            scenmc_params_free(&pp);
            c++;
            if (progress && st == SCENMC_OK &&
                progress(progress_ctx, (uint64_t)c, (uint64_t)n, scenmc__now() - t0)) {
                st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %d of %d cells", c, n);
            }
        }
    out->wall_seconds = scenmc__now() - t0;
    if (st != SCENMC_OK)
        scenmc_sensitivity_free(out);
    return st;
}

void scenmc_sensitivity_free(scenmc_sensitivity_result *s)
{
    free(s->u);
    free(s->v);
    free(s->base_value);
    free(s->minus_value);
    free(s->plus_value);
    free(s->p_minus);
    free(s->p_plus);
    free(s->effect);
    free(s->stderr_);
    memset(s, 0, sizeof *s);
}
