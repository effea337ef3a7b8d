/* The parameters of the dynamics that derivatives are taken with respect to
 * (include/scenmc/derivative.h, docs/sensitivity.md). */
#include "scenmc/derivative.h"
#include "base/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scenmc_dparam_kind_names[SCENMC_DP_N_KINDS] = {
    "consistency", "cross_impact", "beta", "w_consistency", "w_cross", "rate", "bias"};

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = scenmc__xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}

static const char *desc_id(const scenmc_model *m, int u)
{
    return m->descriptors[m->variant_descriptor[u]].id;
}

/* Appends one parameter (the list has room: at most the count make_list sized). */
static void add(scenmc_dparam *list, int *n, scenmc_dparam_kind kind, int u, int v, double value,
                double step, int scored, char *label)
{
    list[(*n)++] = (scenmc_dparam){kind, u, v, value, step, scored, label};
}

static void add_cells(const scenmc_model *m, const scenmc_params *p, scenmc_dparam *list, int *n)
{
    int V = m->n_variants;
    double *C = scenmc_params_matrix(p, m, 0);
    for (int u = 0; u < V; u++)
        for (int v = u + 1; v < V; v++)
            if (m->variant_descriptor[u] != m->variant_descriptor[v])
                add(list, n, SCENMC_DP_CONSISTENCY, u, v, C[(size_t)u * V + v], 1,
                    m->scored[(size_t)u * V + v],
                    format("C:%s=%s,%s=%s", desc_id(m, u), m->variant_name[u], desc_id(m, v),
                           m->variant_name[v]));
    free(C);
    if (!m->cross_impact)
        return;
    double *X = scenmc_params_matrix(p, m, 1);
    for (int u = 0; u < V; u++)
        for (int v = 0; v < V; v++) {
            double x = X[(size_t)u * V + v];
            if (m->variant_descriptor[u] != m->variant_descriptor[v] || x != 0)
                add(list, n, SCENMC_DP_CROSS, u, v, x, 1, m->cross_impact[(size_t)u * V + v] != 0,
                    format("X:%s=%s->%s=%s", desc_id(m, u), m->variant_name[u], desc_id(m, v),
                           m->variant_name[v]));
        }
    free(X);
}

scenmc_status scenmc_dparams_list(const scenmc_model *m, const scenmc_params *p, scenmc_dparam **out,
                                  int *n, scenmc_error *err)
{
    (void)err;
    size_t V = (size_t)m->n_variants, D = (size_t)m->n_descriptors;
    size_t cap = V * V + (m->cross_impact ? V * V : 0) + 3 + D + V;
    scenmc_dparam *list = scenmc__xcalloc(cap, sizeof *list);
    *n = 0;
    add_cells(m, p, list, n);
    add(list, n, SCENMC_DP_BETA, -1, -1, p->beta, 0.1 * p->beta, 0, scenmc__strdup("beta"));
    add(list, n, SCENMC_DP_W_CONSISTENCY, -1, -1, p->w_consistency, 0.1 * p->w_consistency, 0,
        scenmc__strdup("w_consistency"));
    if (m->cross_impact)
        add(list, n, SCENMC_DP_W_CROSS, -1, -1, p->w_cross, 0.1 * p->w_cross, 0, scenmc__strdup("w_cross"));
    for (int d = 0; d < (int)D; d++)
        add(list, n, SCENMC_DP_RATE, d, -1, p->rate[d], 0.1 * p->rate[d], 0,
            format("rate:%s", m->descriptors[d].id));
    for (int u = 0; u < (int)V; u++)
        add(list, n, SCENMC_DP_BIAS, u, -1, m->bias ? m->bias[u] : 0, 1, m->bias && m->bias[u] != 0,
            format("bias:%s=%s", desc_id(m, u), m->variant_name[u]));
    *out = list;
    return SCENMC_OK;
}

void scenmc_dparams_free(scenmc_dparam *list, int n)
{
    for (int i = 0; list && i < n; i++)
        free(list[i].label);
    free(list);
}

void scenmc_derivatives_free(scenmc_derivatives *d)
{
    scenmc_dparams_free(d->param, d->n_param);
    free(d->scenario);
    free(d->variant);
    free(d->scenario_variant);
    free(d->scenario_se);
    free(d->variant_se);
    free(d->scenario_variant_se);
    memset(d, 0, sizeof *d);
}
