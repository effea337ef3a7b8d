#include "engine/kernel.h"
#include "base/util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* W = beta (w_C C + w_X X) and h = beta bias, the parameters' cell
 * overrides applied. */
static scenmc_status init_matrices(scenmc__kernel_base *k, const scenmc_model *m, const scenmc_params *p,
                                   scenmc_error *err)
{
    const int V = k->V;
    size_t VV = (size_t)V * (size_t)V;
    k->C = scenmc_params_matrix(p, m, 0);
    double *X = scenmc_params_matrix(p, m, 1);
    k->W = malloc(VV * sizeof(double));
    if (!k->W || !k->C || !X) {
        free(X);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the %dx%d weight matrix", V, V);
    }
    for (size_t i = 0; i < VV; i++)
        k->W[i] = p->beta * (p->w_consistency * k->C[i] + p->w_cross * X[i]);
    free(X);
    k->h = scenmc__xcalloc((size_t)V, sizeof(double));
    if (m->bias)
        for (int v = 0; v < V; v++)
            k->h[v] = p->beta * m->bias[v];
    return SCENMC_OK;
}

/* Scenario lookup over the named descriptors (mixed radix). */
static scenmc_status init_scenarios(scenmc__kernel_base *k, const scenmc_model *m, scenmc_error *err)
{
    const int D = k->D;
    k->scen_stride = scenmc__xcalloc((size_t)D, sizeof(int));
    int used[SCENMC_MAX_DESCRIPTORS] = {0};
    for (int s = 0; s < m->n_scenarios; s++)
        for (int c2 = 0; c2 < m->scenarios[s].n_conditions; c2++)
            used[m->scenarios[s].cond_descriptor[c2]] = 1;
    long n_combo = 1;
    for (int d = D - 1; d >= 0; d--)
        if (used[d]) {
            k->scen_stride[d] = (int)n_combo;
            n_combo *= k->n_var[d];
            if (n_combo > (1L << 24))
                return scenmc_error_add(err, SCENMC_E_LIMIT, "the scenario conditions span more than "
                                        "2^24 combinations; expected conditions on fewer descriptors");
        }
    k->scen_table = scenmc__xcalloc((size_t)n_combo, sizeof(int));
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    for (long idx = 0; idx < n_combo; idx++) {
        long rest = idx;
        for (int d = 0; d < D; d++)
            if (used[d]) {
                s[d] = (int)(rest / k->scen_stride[d]);
                rest %= k->scen_stride[d];
            }
        k->scen_table[idx] = scenmc_model_scenario_of(m, s); /* == n_scenarios for unclassified, the last slot */
    }
    free(s);
    return SCENMC_OK;
}

/* Whether the fields need the log domain: the largest |F| any state can
 * reach is within double range by a wide margin (then weights are kept as
 * products of exp() tables)? */
static void choose_domain(scenmc__kernel *mc)
{
    const scenmc__kernel_base *k = &mc->base;
    const int D = k->D, V = k->V;
    double bound = 0;
    for (int v = 0; v < V; v++) {
        double b = fabs(k->h[v]);
        for (int d = 0; d < D; d++) {
            double mx = 0;
            for (int a = 0; a < k->n_var[d]; a++)
                mx = fmax(mx, fabs(k->W[(size_t)(k->offset[d] + a) * V + v]));
            b += mx;
        }
        bound = fmax(bound, b);
    }
    mc->log_domain = !(bound < 300);
}

/* The initial distribution and the fixed start. */
static void init_start(scenmc__kernel *k, const scenmc_params *p)
{
    const int D = k->base.D, V = k->base.V;
    k->init_p = scenmc__xcalloc((size_t)V, sizeof(double));
    memcpy(k->init_p, p->initial, sizeof(double) * (size_t)V);
    if (p->start) {
        k->start = scenmc__xcalloc((size_t)D, sizeof(int));
        memcpy(k->start, p->start, sizeof(int) * (size_t)D);
    }
}

/* The yearly revision count's Poisson(Lambda) table, up to where the upper
 * tail is below 1e-17, and which descriptor a revision hits. */
static void init_revisions(scenmc__kernel *k, const scenmc_params *p)
{
    const int D = k->base.D;
    int kmax = (int)ceil(k->base.lambda + 12.0 * sqrt(k->base.lambda) + 40.0);
    while (kmax > 0 && gsl_cdf_poisson_Q((unsigned)kmax, k->base.lambda) > 1e-17)
        kmax += 8;
    k->n_pois = kmax + 1;
    k->pois_cdf = scenmc__xcalloc((size_t)k->n_pois, sizeof(double));
    for (int j = 0; j < k->n_pois; j++)
        k->pois_cdf[j] = gsl_cdf_poisson_P((unsigned)j, k->base.lambda);
    k->pois_cdf[k->n_pois - 1] = 1.0;
    k->n_guide = k->n_pois * 4 > 1024 ? k->n_pois * 4 : 1024;
    k->pois_guide = scenmc__xcalloc((size_t)k->n_guide, sizeof(int));
    scenmc__guide_build(k->pois_cdf, k->pois_guide, k->n_guide);

    k->equal_rates = 1;
    k->desc_cum = scenmc__xcalloc((size_t)D, sizeof(double));
    k->desc_prob = scenmc__xcalloc((size_t)D, sizeof(double));
    double c = 0;
    for (int d = 0; d < D; d++) {
        k->desc_prob[d] = p->rate[d] / k->base.lambda;
        c += p->rate[d] / k->base.lambda;
        k->desc_cum[d] = c;
        if (p->rate[d] != p->rate[0])
            k->equal_rates = 0;
    }
    k->desc_cum[D - 1] = 2.0;
}

scenmc_status scenmc__kernel_base_init(scenmc__kernel_base *k, const scenmc_model *m, const scenmc_params *p,
                                      const scenmc_results *shape, scenmc_error *err)
{
    memset(k, 0, sizeof *k);
    const int D = m->n_descriptors;
    k->D = D;
    k->V = m->n_variants;
    k->Y = p->year_end - p->year_start + 1;
    k->S = shape->n_scenarios;
    k->offset = scenmc__xcalloc((size_t)D, sizeof(int));
    k->n_var = scenmc__xcalloc((size_t)D, sizeof(int));
    for (int d = 0; d < D; d++) {
        k->offset[d] = m->descriptors[d].offset;
        k->n_var[d] = m->descriptors[d].n_variants;
    }
    scenmc_status st = init_matrices(k, m, p, err);
    if (st == SCENMC_OK)
        st = init_scenarios(k, m, err);
    if (st != SCENMC_OK) {
        scenmc__kernel_base_free(k);
        return st;
    }
    k->lambda = 0;
    for (int d = 0; d < D; d++)
        k->lambda += p->rate[d];
    k->state_stride = scenmc__xcalloc((size_t)D, sizeof(uint64_t));
    uint64_t w = 1;
    for (int d = D - 1; d >= 0; d--) {
        k->state_stride[d] = w;
        w *= (uint64_t)k->n_var[d]; /* wraps for huge spaces; then unused */
    }
    k->bin_lo = shape->bin_lo;
    k->bin_width = shape->bin_width;
    k->inv_bin_width = 1.0 / shape->bin_width;
    k->n_bins = shape->n_bins;
    k->full_states = shape->full_states;
    return SCENMC_OK;
}

void scenmc__kernel_base_free(scenmc__kernel_base *k)
{
    free(k->offset);
    free(k->n_var);
    free(k->W);
    free(k->C);
    free(k->h);
    free(k->scen_stride);
    free(k->scen_table);
    free(k->state_stride);
    memset(k, 0, sizeof *k);
}

scenmc_status scenmc__kernel_init(scenmc__kernel *k, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc_results *shape, scenmc_error *err)
{
    memset(k, 0, sizeof *k);
    scenmc_status st = scenmc__kernel_base_init(&k->base, m, p, shape, err);
    if (st != SCENMC_OK)
        return st;
    choose_domain(k);
    init_start(k, p);
    init_revisions(k, p);
    return SCENMC_OK;
}

/* Bytes the grouped table takes when groups hold at most `limit` joint
 * variants; fills first[] and rows[] (n + 1 entries) when given. */
static size_t group_layout(const scenmc__kernel *k, int limit, int *n_groups, int *first, int *rows)
{
    int n = 0, r = 0;
    for (int d = 0; d < k->base.D;) {
        int e = d, combos = 1;
        while (e < k->base.D && combos * k->base.n_var[e] <= limit)
            combos *= k->base.n_var[e++];
        if (e == d) /* a descriptor with more variants than the limit stands alone */
            combos = k->base.n_var[e++];
        if (first) {
            first[n] = d;
            rows[n] = r;
        }
        n++;
        r += combos;
        d = e;
    }
    if (first) {
        first[n] = k->base.D;
        rows[n] = r;
    }
    *n_groups = n;
    return (size_t)r * k->row_len * sizeof(double);
}

/* Field mode: per descriptor j and variants a -> b, the factor exp(W[b] - W[a])
 * on every variant's weight (ratio domain) and the change C[b] - C[a] of the
 * consistency field. In the log domain the engine uses the W and C rows. */
static scenmc_status build_field_rows(scenmc__kernel *k)
{
    const int D = k->base.D, V = k->base.V;
    k->pair_base = scenmc__xcalloc((size_t)D, sizeof(int));
    int pairs = 0;
    for (int d = 0; d < D; d++) {
        k->pair_base[d] = pairs;
        pairs += k->base.n_var[d] * k->base.n_var[d];
    }
    k->dC = malloc((size_t)pairs * (size_t)V * sizeof(double));
    k->ratio = k->log_domain ? NULL : malloc((size_t)pairs * (size_t)V * sizeof(double));
    if (!k->dC || (!k->log_domain && !k->ratio))
        return SCENMC_E_NOMEM;
    for (int d = 0; d < D; d++)
        for (int a = 0; a < k->base.n_var[d]; a++)
            for (int b = 0; b < k->base.n_var[d]; b++) {
                size_t row = (size_t)(k->pair_base[d] + a * k->base.n_var[d] + b) * (size_t)V;
                const double *wa = k->base.W + (size_t)(k->base.offset[d] + a) * V, *wb = k->base.W + (size_t)(k->base.offset[d] + b) * V;
                const double *ca = k->base.C + (size_t)(k->base.offset[d] + a) * V, *cb = k->base.C + (size_t)(k->base.offset[d] + b) * V;
                for (int v = 0; v < V; v++) {
                    if (k->ratio)
                        k->ratio[row + (size_t)v] = exp(wb[v] - wa[v]);
                    k->dC[row + (size_t)v] = cb[v] - ca[v];
                }
            }
    return SCENMC_OK;
}

/* Largest table the engine builds by choice: it should stay in the L2 cache. */
#define GROUP_TABLE_BUDGET ((size_t)1 << 20)

/* Widths: one for all descriptors up to 8 variants (so the engine reads a
 * fixed number of entries), otherwise each its own multiple of 4. */
static void choose_widths(scenmc__kernel *k)
{
    const int D = k->base.D;
    k->desc = scenmc__xcalloc((size_t)D + 1, sizeof(scenmc__desc)); /* the phantom's: group 0, radix 0 */
    k->pw = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    k->max_pw = 4;
    for (int d = 0; d < D; d++)
        k->max_pw = ((k->base.n_var[d] + 3) & ~3) > k->max_pw ? (k->base.n_var[d] + 3) & ~3 : k->max_pw;
    k->row_len = 0;
    for (int i = 0; i <= D; i++) {
        int nv = i < D ? k->base.n_var[i] : 1; /* descriptor D: the phantom */
        k->pw[i] = k->max_pw <= 8 ? k->max_pw : (nv + 3) & ~3;
        k->row_len += 2 * (size_t)k->pw[i];
    }
}

/* The groups (group_limit > 0: that limit) and the table or field mode. */
static void choose_layout(scenmc__kernel *k, int group_limit)
{
    const int D = k->base.D;
    /* The largest groups whose table fits the budget (each halving of the
     * limit adds groups, so multiplications per revision). */
    int limit = 256, n;
    while (limit > 1 && group_layout(k, limit, &n, NULL, NULL) > GROUP_TABLE_BUDGET)
        limit /= 2;
    /* Many groups make a revision cost one product term per group; then a
     * field kept up to date per lane (V-long rows when a variant changes) is
     * cheaper: field mode, over groups of at most 64 joint variants, whose
     * rows give each trajectory's start field. */
    group_layout(k, group_limit > 0 ? group_limit : limit, &n, NULL, NULL);
    k->field_mode = n > SCENMC_MAX_TABLE_GROUPS;
    if (group_limit > 0)
        limit = group_limit;
    else if (k->field_mode)
        limit = 64;
    k->group_limit = limit;
    k->group_first = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    k->group_row = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    group_layout(k, limit, &k->n_groups, k->group_first, k->group_row);
    const int G = k->n_groups, rows = k->group_row[G];
    k->group_width = 0;
    for (int g = 0; g < G; g++) {
        int w = k->group_first[g + 1] - k->group_first[g];
        k->group_width = w > k->group_width ? w : k->group_width;
    }
    for (int i = 1; i <= D; i++)
        k->desc[i].blk = k->desc[i - 1].blk + (size_t)rows * 2 * (size_t)k->pw[i - 1];
}

/* The grouped table (or field mode's rows), unfilled. */
static scenmc_status alloc_tables(scenmc__kernel *k, scenmc_error *err)
{
    const int rows = k->group_row[k->n_groups];
    size_t bytes = (size_t)rows * (k->field_mode ? 2 * (size_t)k->base.V : k->row_len) * sizeof(double);
    if (k->field_mode) {
        k->field_F = malloc(bytes / 2);
        k->field_G = malloc(bytes / 2);
    } else {
        k->table = aligned_alloc(64, bytes);
    }
    if (k->field_mode ? !k->field_F || !k->field_G : !k->table)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the %zu MiB field table",
                                bytes >> 20);
    if (k->field_mode && build_field_rows(k) != SCENMC_OK)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the weight-ratio tables");
    return SCENMC_OK;
}

/* Table row r's entries for every descriptor from the row's sums of W and
 * C over its variants (see kernel.h). */
static void fill_table_row(scenmc__kernel *k, int r, const double *sumW, const double *sumC)
{
    const int D = k->base.D;
    for (int i = 0; i <= D; i++) {
        double *F = k->table + k->desc[i].blk + (size_t)r * 2 * (size_t)k->pw[i], *Cs = F + k->pw[i];
        for (int b = 0; b < k->pw[i]; b++) {
            if (i == D) { /* the phantom: weight 1 on its only variant */
                F[b] = b ? (k->log_domain ? -HUGE_VAL : 0) : (k->log_domain ? 0 : 1);
                Cs[b] = 0;
            } else if (b < k->base.n_var[i]) {
                double f = sumW[k->base.offset[i] + b];
                F[b] = k->log_domain ? f : exp(f);
                Cs[b] = sumC[k->base.offset[i] + b];
            } else {
                F[b] = k->log_domain ? -HUGE_VAL : 0;
                Cs[b] = 0;
            }
        }
    }
}

/* Group g's rows: each joint variant's descriptor variants, scenario part,
 * and table entries (field mode: field rows). */
static void build_group_rows(scenmc__kernel *k, int g, double *sumW, double *sumC)
{
    const int V = k->base.V, d0 = k->group_first[g], d1 = k->group_first[g + 1];
    for (int r = k->group_row[g]; r < k->group_row[g + 1]; r++) {
        int c = r - k->group_row[g];
        k->row_group[r] = g;
        for (int v = 0; v < V; v++) {
            sumW[v] = g == 0 ? k->base.h[v] : 0;
            sumC[v] = 0;
        }
        for (int d = d0; d < d1; d++) {
            int u = k->base.offset[d] + (c / k->desc[d].radix) % k->base.n_var[d];
            k->row_variant[(size_t)r * (size_t)k->group_width + (size_t)(d - d0)] = (uint16_t)u;
            k->row_scen[r] += k->base.scen_stride[d] * ((c / k->desc[d].radix) % k->base.n_var[d]);
            for (int v = 0; v < V; v++) {
                sumW[v] += k->base.W[(size_t)u * (size_t)V + (size_t)v];
                sumC[v] += k->base.C[(size_t)u * (size_t)V + (size_t)v];
            }
        }
        if (!k->field_mode) {
            fill_table_row(k, r, sumW, sumC);
            continue;
        }
        for (int v = 0; v < V; v++) {
            k->field_F[(size_t)r * (size_t)V + (size_t)v] = k->log_domain ? sumW[v] : exp(sumW[v]);
            k->field_G[(size_t)r * (size_t)V + (size_t)v] = sumC[v];
        }
    }
}

/* Each descriptor's group and radix, then every group's rows. */
static void build_rows(scenmc__kernel *k)
{
    const int V = k->base.V, G = k->n_groups, rows = k->group_row[G];
    k->row_group = scenmc__xcalloc((size_t)rows, sizeof(int));
    k->row_variant = scenmc__xcalloc((size_t)rows * (size_t)k->group_width, sizeof(uint16_t));
    k->row_scen = scenmc__xcalloc((size_t)rows, sizeof(int));
    k->group_state_stride = scenmc__xcalloc((size_t)G, sizeof(uint64_t));
    double *sumW = scenmc__xcalloc((size_t)V, sizeof(double)), *sumC = scenmc__xcalloc((size_t)V, sizeof(double));
    for (int g = 0; g < G; g++) {
        int d0 = k->group_first[g], d1 = k->group_first[g + 1];
        int w = 1;
        for (int d = d1 - 1; d >= d0; d--) { /* last descriptor of the group fastest */
            k->desc[d].group = g;
            k->desc[d].radix = w;
            w *= k->base.n_var[d];
        }
        k->group_state_stride[g] = k->base.state_stride[d1 - 1];
        build_group_rows(k, g, sumW, sumC);
    }
    free(sumW);
    free(sumC);
}

/* Start blocks (the same rule as the groups, with a fixed limit) and each
 * block's joint initial distribution with its guide table. */
static void build_start_blocks(scenmc__kernel *k)
{
    const int D = k->base.D;
    k->block_first = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    k->block_row = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    group_layout(k, SCENMC_START_BLOCK, &k->n_blocks, k->block_first, k->block_row);
    const int combos = k->block_row[k->n_blocks];
    k->blocks_are_groups = k->n_blocks == k->n_groups;
    for (int b = 0; b <= k->n_blocks && k->blocks_are_groups; b++)
        k->blocks_are_groups = k->block_first[b] == k->group_first[b];
    k->block_width = 0;
    for (int b = 0; b < k->n_blocks; b++)
        k->block_width = k->block_first[b + 1] - k->block_first[b] > k->block_width
                             ? k->block_first[b + 1] - k->block_first[b] : k->block_width;
    k->block_digit = scenmc__xcalloc((size_t)combos * (size_t)k->block_width, 1);
    k->start_cum = scenmc__xcalloc((size_t)combos, sizeof(double));
    k->start_guide = scenmc__xcalloc(4 * (size_t)combos, sizeof(int));
    for (int b = 0; b < k->n_blocks; b++) {
        int r0 = k->block_row[b], nr = k->block_row[b + 1] - r0, d0 = k->block_first[b];
        double cum = 0;
        for (int r = r0; r < r0 + nr; r++) {
            double pr = 1;
            int rest = r - r0;
            for (int d = k->block_first[b + 1] - 1; d >= d0; d--) { /* last descriptor fastest */
                int v = rest % k->base.n_var[d];
                rest /= k->base.n_var[d];
                k->block_digit[(size_t)r * (size_t)k->block_width + (size_t)(d - d0)] = (uint8_t)v;
                pr *= k->init_p[k->base.offset[d] + v];
            }
            k->start_cum[r] = cum += pr;
        }
        k->start_cum[r0 + nr - 1] = 2.0; /* absorb rounding: the last is always taken */
        scenmc__guide_build(k->start_cum + r0, k->start_guide + 4 * (size_t)r0, 4 * nr);
    }
}

/* K_in: the pairs within each row's group. */
static void build_pairs_within(scenmc__kernel *k)
{
    const int V = k->base.V, rows = k->group_row[k->n_groups], GW = k->group_width;
    k->K_in = scenmc__xcalloc((size_t)rows, sizeof(double));
    for (int r = 0; r < rows; r++) {
        int g = k->row_group[r], nd = k->group_first[g + 1] - k->group_first[g];
        const uint16_t *u = k->row_variant + (size_t)r * (size_t)GW;
        for (int a = 0; a < nd; a++)
            for (int b = a + 1; b < nd; b++)
                k->K_in[r] += k->base.C[(size_t)u[a] * (size_t)V + u[b]];
    }
}

/* K from the rows (see kernel.h): few groups (the engine's unrolled paths)
 * and small tables only; otherwise K_pair stays NULL. */
static void build_pair_tables(scenmc__kernel *k)
{
    const int V = k->base.V, G = k->n_groups, GW = k->group_width;
    size_t pair_size = 0;
    for (int g = 0; g < G; g++)
        for (int h = g + 1; h < G; h++)
            pair_size += (size_t)(k->group_row[g + 1] - k->group_row[g]) *
                         (size_t)(k->group_row[h + 1] - k->group_row[h]);
    if (G > SCENMC_MAX_TABLE_GROUPS || pair_size > ((size_t)1 << 16))
        return;
    build_pairs_within(k);
    k->K_pair = scenmc__xcalloc(pair_size ? pair_size : 1, sizeof(double));
    k->K_pair_base = scenmc__xcalloc((size_t)G * (size_t)G, sizeof(ptrdiff_t));
    k->group_rows = scenmc__xcalloc((size_t)G, sizeof(int));
    for (int g = 0; g < G; g++)
        k->group_rows[g] = k->group_row[g + 1] - k->group_row[g];
    size_t at = 0;
    for (int g = 0; g < G; g++)
        for (int h = g + 1; h < G; h++) {
            /* Entry (row_g, row_h) at K_pair_base + row_g * rows_h + row_h. */
            k->K_pair_base[g * G + h] = (ptrdiff_t)at - (ptrdiff_t)k->group_row[g] * k->group_rows[h] -
                                      k->group_row[h];
            /* Each group's pairs within itself folded into one pair table:
             * group g into (g, g + 1), the last group into (G - 2, G - 1). */
            const int fold_g = h == g + 1, fold_h = h == G - 1 && g == G - 2;
            int ng = k->group_first[g + 1] - k->group_first[g], nh = k->group_first[h + 1] - k->group_first[h];
            for (int rg = k->group_row[g]; rg < k->group_row[g + 1]; rg++)
                for (int rh = k->group_row[h]; rh < k->group_row[h + 1]; rh++, at++) {
                    const uint16_t *ug = k->row_variant + (size_t)rg * (size_t)GW;
                    const uint16_t *uh = k->row_variant + (size_t)rh * (size_t)GW;
                    double sum = 0;
                    for (int a = 0; a < ng; a++)
                        for (int b = 0; b < nh; b++)
                            sum += k->base.C[(size_t)ug[a] * (size_t)V + uh[b]];
                    k->K_pair[at] = sum + (fold_g ? k->K_in[rg] : 0) + (fold_h ? k->K_in[rh] : 0);
                }
        }
}

/* The packed engine's tables, when it can run the model (see kernel.h). */
static scenmc_status build_packed(scenmc__kernel *k, scenmc_error *err)
{
    const int D = k->base.D, G = k->n_groups, rows = k->group_row[G];
    const size_t W = (size_t)k->max_pw, row_bytes = (size_t)(D + 1) * W * sizeof(double);
    k->packed_bits = SCENMC_PACKED_BITS(G);
    k->packed = !k->field_mode && !k->log_domain && (W == 4 || W == 8) && G <= 3 && k->K_pair != NULL &&
                (size_t)rows * row_bytes < ((size_t)1 << k->packed_bits);
    if (!k->packed)
        return SCENMC_OK;
    /* The weights alone, row-major: a row's entries for every descriptor
     * lie together, so a lane whose rows stay put keeps its few lines in
     * the first-level cache (the same values as the table's). */
    k->row_bytes = (int)row_bytes;
    k->row_inverse = (uint64_t)((((uint64_t)1 << 32) + (uint64_t)k->row_bytes - 1) / (uint64_t)k->row_bytes);
    k->ptable = aligned_alloc(64, ((size_t)rows * (size_t)k->row_bytes + 63) & ~(size_t)63);
    if (!k->ptable)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the weight table");
    for (int r = 0; r < rows; r++)
        for (int i = 0; i <= D; i++)
            memcpy(k->ptable + ((size_t)r * (size_t)(D + 1) + (size_t)i) * W,
                   k->table + k->desc[i].blk + (size_t)r * 2 * W, W * sizeof(double));
    free(k->table); /* no other engine runs */
    k->table = NULL;
    k->unit = scenmc__xcalloc((size_t)D + 1, sizeof(uint64_t));
    for (int d = 0; d < D; d++)
        k->unit[d] = (uint64_t)k->desc[d].radix * (uint64_t)k->row_bytes << (k->packed_bits * k->desc[d].group);
    return SCENMC_OK;
}

/* Packed with up to two groups: the tally's year lookups per state of the
 * rows, from the same functions as the other engines'. */
static void build_state_info(scenmc__kernel *k)
{
    const int G = k->n_groups, rows = k->group_row[G], rows0 = k->group_row[1];
    k->info_rows = G == 2 ? rows - rows0 : 1;
    k->state_info = scenmc__xcalloc((size_t)rows0 * (size_t)k->info_rows, sizeof(uint32_t));
    for (int c0 = 0; c0 < rows0; c0++)
        for (int c1 = 0; c1 < k->info_rows; c1++) {
            const int rw[2] = {c0, rows0 + c1};
            const int sc = k->base.scen_table[k->row_scen[rw[0]] + (G == 2 ? k->row_scen[rw[1]] : 0)];
            const int bin = scenmc__consistency_bin(&k->base, scenmc__rows_consistency(k, rw, G));
            k->state_info[(size_t)c0 * (size_t)k->info_rows + (size_t)c1] = (uint32_t)sc | (uint32_t)bin << 16;
        }
}

scenmc_status scenmc__kernel_build_groups(scenmc__kernel *k, int group_limit, scenmc_error *err)
{
    choose_widths(k);
    choose_layout(k, group_limit);
    scenmc_status st = alloc_tables(k, err);
    if (st != SCENMC_OK)
        return st;
    build_rows(k);
    build_start_blocks(k);
    build_pair_tables(k);
    if ((st = build_packed(k, err)) != SCENMC_OK)
        return st;
    if (k->packed && k->n_groups <= 2)
        build_state_info(k);
    return SCENMC_OK;
}

void scenmc__guide_build(const double *cum, int *guide, int n_guide)
{
    for (int g = 0, j = 0; g < n_guide; g++) {
        double u = (g - 0.5) / n_guide;
        while (cum[j] < u)
            j++;
        guide[g] = j;
    }
}

void scenmc__kernel_free(scenmc__kernel *k)
{
    free(k->group_first);
    free(k->group_row);
    free(k->desc);
    free(k->pw);
    free(k->table);
    free(k->row_group);
    free(k->row_variant);
    free(k->row_scen);
    free(k->group_state_stride);
    free(k->K_in);
    free(k->K_pair);
    free(k->field_F);
    free(k->field_G);
    free(k->pair_base);
    free(k->ratio);
    free(k->dC);
    free(k->K_pair_base);
    free(k->unit);
    free(k->state_info);
    free(k->ptable);
    free(k->group_rows);
    free(k->init_p);
    free(k->block_first);
    free(k->block_row);
    free(k->block_digit);
    free(k->start_cum);
    free(k->start_guide);
    free(k->start);
    free(k->pois_cdf);
    free(k->pois_guide);
    free(k->desc_cum);
    free(k->desc_prob);
    scenmc__kernel_base_free(&k->base);
    memset(k, 0, sizeof *k);
}

void scenmc__kernel_heat_bath(const scenmc__kernel_base *k, const double *F, int i, double *prob)
{
    const double *f = F + k->offset[i];
    int n = k->n_var[i];
    double mx = f[0];
    for (int b = 1; b < n; b++)
        mx = f[b] > mx ? f[b] : mx;
    double total = 0;
    for (int b = 0; b < n; b++) {
        prob[b] = exp(f[b] - mx);
        total += prob[b];
    }
    for (int b = 0; b < n; b++)
        prob[b] /= total;
}

double scenmc__kernel_total_consistency(const scenmc__kernel_base *k, const int *s)
{
    double K = 0;
    for (int i = 0; i < k->D; i++) {
        const double *row = k->C + (size_t)(k->offset[i] + s[i]) * (size_t)k->V;
        for (int j = i + 1; j < k->D; j++)
            K += row[k->offset[j] + s[j]];
    }
    return K;
}
