/* scenmc export of a signposts file (cli/export_signposts.h). */
#include "cli/export_signposts.h"
#include "cli/export_kinds.h"

#include <stdio.h>

const char *const export_sp_names[EXPORT_SP_N] = {"signposts_mutual_information", "signposts_conditional",
                                                  "signposts_pairs", "signposts_target", "metadata"};

/* The pairs' standard errors: Monte Carlo only (exact pairs have none). */
static const double *pair_se(const scenmc_signposts *sp)
{
    return sp->method == SCENMC_MONTE_CARLO ? sp->pair_mi_se : NULL;
}

int export_sp_has(const scenmc_signposts *sp, int k)
{
    return k != EXPORT_SP_PAIRS || (sp->has_pairs && sp->pair_mi);
}

/* Monte Carlo files carry the information's standard error and bias. */
static int has_errors(const scenmc_signposts *sp)
{
    return sp->method == SCENMC_MONTE_CARLO && sp->mi_se && sp->mi_bias;
}

/* The target class k: its name, position and (a scenario's) label. */
static void key_target(csv *c, const scenmc_model *m, const scenmc_signposts *sp, int k)
{
    const char *label = !sp->binary && k < m->n_scenarios ? m->scenarios[k].label : NULL;
    export_key(c, sp->target_name[k], k + 1, label);
}

/* descriptor, year, bits, [stderr, bias], rank, defining, best: one row per
 * descriptor x year. */
static void sp_mi(csv *c, const scenmc_model *m, const scenmc_signposts *sp)
{
    int err = has_errors(sp);
    export_head_key(c, "descriptor"); csv_text(c, "year"); csv_text(c, "bits");
    if (err) {
        csv_text(c, "stderr"); csv_text(c, "bias");
    }
    csv_text(c, "rank"); csv_text(c, "defining"); csv_text(c, "best"); csv_end(c);
    for (int d = 0; d < sp->D; d++)
        for (int y = 0; y < sp->Y; y++) {
            size_t i = (size_t)d * (size_t)sp->Y + (size_t)y;
            export_key_desc(c, m, d); csv_int(c, sp->year_start + y); csv_double(c, sp->mi[i]);
            if (err) {
                csv_double(c, sp->mi_se[i]); csv_double(c, sp->mi_bias[i]);
            }
            csv_int(c, sp->rank[i]); csv_int(c, sp->defining[d]); csv_int(c, sp->best[y] == d);
            csv_end(c);
        }
}

/* year, descriptor, variant, target, probability (P(target | variant at
 * year)), joint (P(variant at year, target)). */
static void sp_conditional(csv *c, const scenmc_model *m, const scenmc_signposts *sp)
{
    size_t V = (size_t)sp->V, K = (size_t)sp->K;
    csv_text(c, "year"); export_head_var(c); export_head_key(c, "target"); csv_text(c, "probability");
    csv_text(c, "joint"); csv_end(c);
    for (size_t y = 0; y < (size_t)sp->Y; y++)
        for (size_t v = 0; v < V; v++)
            for (size_t k = 0; k < K; k++) {
                size_t i = (y * V + v) * K + k;
                csv_int(c, sp->year_start + (long)y); export_key_var(c, m, v);
                key_target(c, m, sp, (int)k); csv_double(c, sp->cond[i]); csv_double(c, sp->joint[i]);
                csv_end(c);
            }
}

/* year, descriptor, other_descriptor, bits, [stderr], best: every pair
 * d < e of a year (the diagonal is the single indicator's, in the table above). */
static void sp_pairs(csv *c, const scenmc_model *m, const scenmc_signposts *sp)
{
    const double *se = pair_se(sp);
    size_t D = (size_t)sp->D;
    csv_text(c, "year"); export_head_key(c, "descriptor"); export_head_key(c, "other_descriptor");
    csv_text(c, "bits");
    if (se)
        csv_text(c, "stderr");
    csv_text(c, "best"); csv_end(c);
    for (int y = 0; y < sp->Y; y++)
        for (int d = 0; d < sp->D; d++)
            for (int e = d + 1; e < sp->D; e++) {
                size_t i = ((size_t)y * D + (size_t)d) * D + (size_t)e;
                const int *b = &sp->best_pair[2 * y];
                csv_int(c, sp->year_start + y); export_key_desc(c, m, d); export_key_desc(c, m, e);
                csv_double(c, sp->pair_mi[i]);
                if (se)
                    csv_double(c, se[i]);
                csv_int(c, (b[0] == d && b[1] == e) || (b[0] == e && b[1] == d)); csv_end(c);
            }
}

/* target, probability (P(target class)); which scenarios make each class: metadata.csv. */
static void sp_target(csv *c, const scenmc_model *m, const scenmc_signposts *sp)
{
    export_head_key(c, "target"); csv_text(c, "probability"); csv_end(c);
    for (int k = 0; k < sp->K; k++) {
        key_target(c, m, sp, k); csv_double(c, sp->target_prob[k]); csv_end(c);
    }
}

static void sp_meta(csv *c, const results_src *s)
{
    const scenmc_signposts *sp = &s->sp;
    char key[512];
    export_params_meta(c, &s->info, s->m, &s->base);
    export_kv(c, "signposts_method", sp->method == SCENMC_EXACT ? "exact" : "monte-carlo");
    export_kv_int(c, "binary_target", sp->binary);
    export_kv_double(c, "target_entropy", sp->target_entropy);
    for (int a = 0; a < sp->S; a++) {
        snprintf(key, sizeof key, "target_class:%s", a < s->m->n_scenarios ? s->m->scenarios[a].name
                                                                             : "unclassified");
        export_kv(c, key, sp->target_name[sp->target_of[a]]);
    }
    export_kv_int(c, "has_pairs", sp->has_pairs);
    export_kv_int(c, "conditioned", sp->conditioned);
    if (sp->conditioned)
        export_kv_double(c, "log_evidence", sp->log_evidence);
    if (sp->method == SCENMC_MONTE_CARLO) {
        export_kv_u64(c, "n_trajectories", sp->n_trajectories);
        export_kv_double(c, "n_effective", sp->n_effective);
    }
    export_kv_double(c, "wall_seconds", sp->wall_seconds);
}

void export_sp_table(csv *c, const results_src *s, int k)
{
    switch (k) {
    case EXPORT_SP_MI: sp_mi(c, s->m, &s->sp); break;
    case EXPORT_SP_CONDITIONAL: sp_conditional(c, s->m, &s->sp); break;
    case EXPORT_SP_PAIRS: sp_pairs(c, s->m, &s->sp); break;
    case EXPORT_SP_TARGET: sp_target(c, s->m, &s->sp); break;
    default: sp_meta(c, s); break;
    }
}
