/* scenmc consistent: CIB consistency (consistent states, top states by total
 * consistency, basins of global succession). The science is in src/cib.c. */
#include "cli.h"
#include "cli/consistent_out.h"
#include "base/text.h"
#include "base/util.h"
#include "scenmc/interop.h"
#include "scenmc/cib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMD "consistent"

static const char head[] =
    "usage: scenmc consistent [MODEL] [--max-ic K] [--count] [--sweep] [--limit N]\n"
    "                         [--matrix consistency|cross] [--threads T]\n"
    "       scenmc consistent [MODEL] --top N [--min-pair T]\n"
    "       scenmc consistent [MODEL] --basins [--starts M] [--seed S] [--limit N]\n"
    "       scenmc consistent MODEL --compare SOLUTIONS.sl\n"
    "       scenmc consistent [MODEL] --results FILE.h5 [--csv FILE|DIR] [--json FILE]\n\n"
    "Consistency in the sense of cross-impact balance analysis (CIB; see\n"
    "docs/consistent.md). The impact balance of variant b of descriptor i in a\n"
    "state s sums what the chosen variants impact on b:\n"
    "    B_i(b|s) = sum_j M[s_j][b]\n"
    "with M the model's cross-impact matrix (rows: source; the sum includes\n"
    "the descriptor's own, self-impact, as ScenarioWizard counts it) or, for a\n"
    "model without one, its consistency matrix (the sum is then over the other\n"
    "descriptors). The inconsistency IC(s) is the most any descriptor would gain\n"
    "by switching variant; s is consistent when IC = 0 (ties allowed, 1e-9).\n"
    "Without MODEL, the built-in Västernorrland model.\n\n"
    "Consistent states (the default):\n";
enum { K_MAX_IC = CLI_KEY_FIRST, K_COUNT, K_SWEEP, K_LIMIT, K_COMPARE, K_TOP, K_MIN_PAIR, K_BASINS,
       K_STARTS, K_SEED, K_MATRIX, K_CSV, K_JSON, K_RESULTS, K_EXCEL };
static const cli_option opt_table[] = {
    {"max-ic", K_MAX_IC, 1,
     "  --max-ic K     list every state with IC <= K instead (default 0)\n"},
    {"count", K_COUNT, 0,
     "  --count        print only the number of states found\n"},
    {"sweep", K_SWEEP, 0,
     "  --sweep        compute the IC of every state instead of the pruned search,\n"
     "                 and print how the states are distributed over IC\n"},
    {"limit", K_LIMIT, 1,
     "  --limit N      list at most N states (default 1000; 0: all), those of\n"
     "                 lowest state number; the count is always complete\n"},
    CLI_HELP(
        "  Each state shows its variants, its scenario, total consistency K(s) (from\n"
        "  the consistency matrix), IC, and each descriptor's margin: B of the\n"
        "  chosen variant minus the best other one (negative: it would switch).\n"
        "  With a cross-impact matrix also the total impact score, sum_i B_i(s_i|s).\n"
        "  States are ordered by IC, then by K (or the total impact score) descending.\n\n"
        "Tables, and the dynamics' probability of each state (with the list above):\n"),
    {"results", K_RESULTS, 1,
     "  --results FILE.h5  beside each state, the probability that the dynamics end in\n"
     "                 it in the file's final year (from scenmc run, with its standard\n"
     "                 error, or scenmc exact), and in all the states found together;\n"
     "                 the model is the file's (a MODEL given must be the same model)\n"},
    {"csv", K_CSV, 1,
     "  --csv FILE|DIR the listed states as a table: rank, state, one column per\n"
     "                 descriptor (its variant), scenario, K, IC, [impact_score],\n"
     "                 [probability, stderr], margin_ID per descriptor (DIR: the file\n"
     "                 DIR/consistent.csv; '-': standard output, no text)\n"},
    {"json", K_JSON, 1,
     "  --json FILE    the same as JSON (docs/export.md; '-': standard output)\n"},
    {"excel", K_EXCEL, 0,
     "  --excel        the CSV for comma-decimal spreadsheets: ';', decimal comma, BOM\n"},
    {"force", CLI_K_FORCE, 0,
     "  --force        overwrite the --csv or --json file\n\n"},
    CLI_HELP("Comparison with ScenarioWizard:\n"),
    {"compare", K_COMPARE, 1,
     "  --compare FILE.sl  says whether scenmc finds the same consistent scenarios as\n"
     "                 a ScenarioWizard solution list (which listed ones it finds too,\n"
     "                 which it finds inconsistent, which consistent states the list\n"
     "                 lacks); exit status 0 when the sets are equal, 1 when not\n\n"},
    CLI_HELP(
        "Top states by total consistency (von Reibnitz's consistency analysis):\n"),
    {"top", K_TOP, 1,
     "  --top N        the N states of highest K(s) = sum of the consistency scores\n"
     "                 of all pairs of chosen variants (needs a consistency matrix)\n"},
    {"min-pair", K_MIN_PAIR, 1,
     "  --min-pair T   only states where no scored pair of chosen variants is\n"
     "                 below T (e.g. --min-pair -2 excludes every -3 pairing)\n\n"},
    CLI_HELP(
        "Basins of attraction of CIB's global succession (every descriptor moves to\n"
        "its best variant at once, keeping its variant unless strictly beaten, ties\n"
        "to the lowest variant; repeated until a consistent state or a cycle):\n"),
    {"basins", K_BASINS, 0,
     "  --basins       start from every state (exact basin sizes; needs 4 bytes a\n"
     "                 state, at most 4 GiB)\n"},
    {"starts", K_STARTS, 1,
     "  --starts M     start from M random states instead, with Wilson 95%\n"
     "                 confidence intervals for the basin shares\n"},
    {"seed", K_SEED, 1,
     "  --seed S       seed of the random starts (default: the model's seed)\n"},
    CLI_HELP(
        "  Listed by basin size; --limit N bounds the consistent states and the\n"
        "  cycles listed (default 1000 each; 0: all).\n\n"
        "Common:\n"),
    {"matrix", K_MATRIX, 1,
     "  --matrix consistency|cross   which matrix gives the balances (default:\n"
     "                 cross when the model has a cross-impact matrix)\n"},
    {"threads", CLI_K_THREADS, 1,
     "  --threads T    threads (default: OpenMP's, e.g. OMP_NUM_THREADS)\n"},
    {"help", 'h', 0,
     "  -h, --help     this text\n\n"},
    CLI_HELP(
        "Exit status: 0 ok, 1 runtime failure, 2 bad model or arguments.\n"),
    CLI_END,
};
static const cli_command command = {CMD, head, NULL, opt_table};

typedef struct {
    const char *path;
    double max_ic;
    int have_max_ic, count, sweep, have_limit, basins, have_top, have_min_pair, have_starts,
        have_seed;
    uint64_t limit, top, starts, seed;
    double min_pair;
    int use_cross;
    int threads;
    const char *csv, *json, *results;
    int excel, force;
} options;

/* ------------------------------------------------------------- printing */

static void print_padded(const char *s, int width)
{
    fputs(s, stdout);
    for (int k = (int)scenmc__utf8_chars(s); k < width; k++)
        putchar(' ');
}

static void print_code(const scenmc_model *m, const int *s)
{
    putchar('[');
    for (int i = 0; i < m->n_descriptors; i++)
        printf("%s%d", i ? " " : "", s[i] + 1);
    putchar(']');
}

static const char *scenario_name(const scenmc_model *m, const int *s)
{
    int k = scenmc_model_scenario_of(m, s);
    return k < m->n_scenarios ? m->scenarios[k].name : "unclassified";
}

typedef struct {
    int id_w, var_w;
} layout;

static layout layout_of(const scenmc_model *m)
{
    layout L = {2, 7};
    for (int i = 0; i < m->n_descriptors; i++) {
        int w = (int)scenmc__utf8_chars(m->descriptors[i].id);
        L.id_w = w > L.id_w ? w : L.id_w;
    }
    for (int v = 0; v < m->n_variants; v++) {
        int w = (int)scenmc__utf8_chars(m->variant_name[v]);
        L.var_w = w > L.var_w ? w : L.var_w;
    }
    return L;
}

/* The table of one state: each descriptor's variant and margin. */
static void print_state_table(const scenmc_model *m, const layout *L, const int *s,
                              const double *margins)
{
    printf("      ");
    print_padded("id", L->id_w);
    printf("  ");
    print_padded("variant", L->var_w);
    printf("  margin\n");
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *D = &m->descriptors[i];
        printf("      ");
        print_padded(D->id, L->id_w);
        printf("  ");
        print_padded(m->variant_name[D->offset + s[i]], L->var_w);
        if (fabs(margins[i]) <= SCENMC_CIB_TOL)
            printf("  0 (tie)\n");
        else
            printf("  %+g\n", margins[i]);
    }
}

typedef cons_row row;

/* Evaluates state `index`: fills s, margins and the row's figures. */
static int evaluate(const scenmc_model *m, int use_cross, uint64_t index, int *s, double *margins,
                    row *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_cib_state_decode(m, index, s);
    r->index = index;
    if (scenmc_cib_inconsistency(m, s, use_cross, &r->ic, margins, &r->tis, &err) != SCENMC_OK) {
        cli_print_error(CMD, &err);
        return 0;
    }
    r->k = scenmc_model_total_consistency(m, s);
    return 1;
}

static int has_consistency(const scenmc_model *m)
{
    size_t V = (size_t)m->n_variants;
    for (size_t u = 0; u < V * V; u++)
        if (m->scored[u])
            return 1;
    return 0;
}

static int show_k; /* the model scores consistency: print K(s) */

/* With --results: the probability of ending in the state being printed. */
static const char *row_p;

/* "K 12  IC 0  [1 2 1]  scenario"; K only when the model scores consistency. */
static void print_row_head(const scenmc_model *m, const row *r, const int *s, int uses_cross)
{
    if (row_p) {
        fputs(row_p, stdout);
        fputs("  ", stdout);
    }
    if (show_k)
        printf("K %g  ", r->k);
    printf("IC %g", r->ic);
    if (uses_cross)
        printf("  impact score %g", r->tis);
    printf("  ");
    print_code(m, s);
    printf("  %s\n", scenario_name(m, s));
}

static void print_header(const scenmc_model *m, int uses_cross)
{
    uint64_t n = scenmc_model_state_count(m);
    printf("%s (%s)\n", m->name, m->path);
    printf("matrix: %s; %d descriptors, %llu states\n",
           uses_cross ? "cross impact (CIB, self-impacts counted)" : "consistency",
           m->n_descriptors, (unsigned long long)n);
}

/* ------------------------------------------------------------- the modes */

static int sort_uses_cross;

static int cmp_rows(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->ic != b->ic)
        return a->ic < b->ic ? -1 : 1;
    double ka = sort_uses_cross ? a->tis : a->k, kb = sort_uses_cross ? b->tis : b->k;
    if (ka != kb)
        return ka > kb ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void print_found(const options *o, const scenmc_cib_list *l)
{
    if (o->max_ic == 0)
        printf("%llu consistent state%s (IC = 0)", (unsigned long long)l->n_found,
               l->n_found == 1 ? "" : "s");
    else
        printf("%llu state%s with IC <= %g", (unsigned long long)l->n_found,
               l->n_found == 1 ? "" : "s", o->max_ic);
    printf("; %s visited %llu nodes in %.3f s\n", o->sweep ? "sweep" : "pruned search",
           (unsigned long long)l->n_visited, l->seconds);
    if (!l->have_hist)
        return;
    printf("\nIC of all %llu states:\n", (unsigned long long)l->n_states);
    for (int k = 0; k < SCENMC_CIB_HIST_BINS; k++) {
        if (!l->ic_hist[k])
            continue;
        if (k == 0)
            printf("  IC = 0        ");
        else if (k < SCENMC_CIB_HIST_BINS - 1)
            printf("  %2d < IC <= %-2d", k - 1, k);
        else
            printf("  IC > %-9d", k - 1);
        printf("  %12llu  %6.2f%%\n", (unsigned long long)l->ic_hist[k],
               100.0 * (double)l->ic_hist[k] / (double)l->n_states);
    }
}

/* The mass line of --results: how much probability ends in the states found. */
static void print_mass(const cons_table *t, const char *file, uint64_t summed)
{
    const final_mass *fm = t->fm;
    if (!fm->available) {
        printf("\n%s has no final-state table: no probabilities per state\n", file);
        return;
    }
    printf("\nP(ending in %d in one of the %llu state%s found) = ", t->r->params.year_end,
           (unsigned long long)summed, summed == 1 ? "" : "s");
    if (fm->mc)
        printf("%.6f ± %.6f (%s, %llu trajectories)", fm->total, fm->total_se, file,
               (unsigned long long)t->r->n_trajectories);
    else
        printf("%.6f (%s, exact)", fm->total, file);
    printf("%s\n", fm->complete ? "" : "; at least: only the top-state table is in the file");
    if (summed < t->n_found)
        printf("(the sum covers the first %llu of the %llu states found)\n",
               (unsigned long long)summed, (unsigned long long)t->n_found);
}

static void print_rows(const cons_table *t, int *s)
{
    const scenmc_model *m = t->m;
    layout L = layout_of(m);
    char pbuf[64];
    for (size_t k = 0; k < t->n; k++) {
        scenmc_state_from_index(m, t->rows[k].index, s);
        if (t->results && t->fm->available) {
            if (t->fm->mc)
                snprintf(pbuf, sizeof pbuf, "P %.4f ± %.4f", t->p[k], t->se[k]);
            else
                snprintf(pbuf, sizeof pbuf, "P %.6f", t->p[k]);
            row_p = pbuf;
        }
        printf("\n#%llu  ", (unsigned long long)(k + 1));
        print_row_head(m, &t->rows[k], s, t->uses_cross);
        print_state_table(m, &L, s, t->margins + k * (size_t)m->n_descriptors);
        row_p = NULL;
    }
    if (t->n < t->n_found)
        printf("\n(%llu more not listed: the list holds the %zu of lowest state number; "
               "--limit N lists more, --count only counts)\n",
               (unsigned long long)(t->n_found - t->n), t->n);
}

/* The CSV and JSON files asked for; 0 or an exit code. */
static int write_tables(const cons_table *t, const options *o)
{
    int rc = 0;
    size_t len = 0;
    if (o->csv) {
        char *text = consistent_csv(t, o->excel ? &csv_excel : &csv_plain, &len);
        rc = text ? consistent_write(o->csv, "csv", text, len, o->force) : 1;
        free(text);
    }
    if (o->json && !rc) {
        char *text = consistent_json(t, &len);
        rc = text ? consistent_write(o->json, "json", text, len, o->force) : 1;
        free(text);
    }
    return rc;
}

/* The listed rows (the first `listed` states by index), evaluated and sorted. */
static int list_rows(const scenmc_model *m, const options *o, const scenmc_cib_list *l,
                     size_t listed, row *rows, double *margins, int *s)
{
    int D = m->n_descriptors;
    for (size_t k = 0; k < listed; k++)
        if (!evaluate(m, o->use_cross, l->index[k], s, margins, &rows[k]))
            return 0;
    sort_uses_cross = l->uses_cross;
    qsort(rows, listed, sizeof *rows, cmp_rows);
    for (size_t k = 0; k < listed; k++)
        evaluate(m, o->use_cross, rows[k].index, s, margins + k * (size_t)D, &rows[k]);
    return 1;
}

static int run_list(const scenmc_model *m, const options *o, const scenmc_results *r)
{
    uint64_t limit = o->have_limit ? (o->limit ? o->limit : UINT64_MAX) : 1000;
    scenmc_cib_options co;
    scenmc_cib_options_init(&co);
    co.use_cross = o->use_cross;
    co.max_ic = o->max_ic;
    co.method = o->sweep ? SCENMC_CIB_SWEEP : SCENMC_CIB_PRUNE;
    co.threads = o->threads;
    /* --results sums over every state found (up to 2^24 of them), not only those listed. */
    co.max_stored = o->count ? 0 : r && limit < (1u << 24) ? (1u << 24) : limit;
    scenmc_cib_list l;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_cib_enumerate(m, &co, &l, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        return cli_exit_code(st) ? cli_exit_code(st) : 1;
    }
    if (o->count) {
        printf("%llu\n", (unsigned long long)l.n_found);
        scenmc_cib_list_free(&l);
        return 0;
    }
    int D = m->n_descriptors, text = !(o->csv && !strcmp(o->csv, "-")) &&
                                     !(o->json && !strcmp(o->json, "-"));
    size_t listed = (size_t)(l.n_stored < limit ? l.n_stored : limit);
    int *s = scenmc__xcalloc((size_t)D + 1, sizeof *s);
    double *margins = scenmc__xcalloc(listed * (size_t)D + 1, sizeof *margins);
    row *rows = scenmc__xcalloc(listed + 1, sizeof *rows);
    double *p = scenmc__xcalloc(listed + 1, sizeof *p), *se = scenmc__xcalloc(listed + 1, sizeof *se);
    final_mass fm = {0};
    cons_table t = {m, l.uses_cross, show_k, o->max_ic, l.n_states, l.n_found, listed, rows, margins,
                    r ? o->results : NULL, r, p, se, &fm};
    int ok = list_rows(m, o, &l, listed, rows, margins, s), rc = ok ? 0 : 1;
    if (ok && r) {
        uint64_t *idx = scenmc__xcalloc(listed + 1, sizeof *idx);
        for (size_t k = 0; k < listed; k++)
            idx[k] = rows[k].index;
        final_mass_of(r, idx, listed, p, se, &fm); /* each listed state */
        free(idx);
        double *ps = scenmc__xcalloc(l.n_stored + 1, sizeof *ps);
        double *ss = scenmc__xcalloc(l.n_stored + 1, sizeof *ss);
        final_mass_of(r, l.index, (size_t)l.n_stored, ps, ss, &fm); /* all found */
        free(ps);
        free(ss);
    }
    if (ok && text) {
        print_header(m, l.uses_cross);
        print_found(o, &l);
        if (r)
            print_mass(&t, o->results, l.n_stored);
        print_rows(&t, s);
    }
    if (ok)
        rc = write_tables(&t, o);
    free(s);
    free(margins);
    free(rows);
    free(p);
    free(se);
    scenmc_cib_list_free(&l);
    return rc;
}

static int run_top(const scenmc_model *m, const options *o)
{
    if (!show_k) {
        fprintf(stderr, "scenmc %s: %s has no consistency matrix, so K(s) = 0 for every state; "
                "expected a model with 'consistency' for --top\n", CMD, m->path);
        return EXIT_USAGE;
    }
    scenmc_cib_top_options to;
    scenmc_cib_top_options_init(&to);
    to.n = o->top;
    to.use_min_pair = o->have_min_pair;
    to.min_pair = o->min_pair;
    to.threads = o->threads;
    scenmc_cib_top_result r;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_cib_top(m, &to, &r, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        return cli_exit_code(st) ? cli_exit_code(st) : 1;
    }
    int uses_cross = scenmc_cib_uses_cross(m, o->use_cross);
    print_header(m, uses_cross);
    printf("top %llu state%s by total consistency K(s)", (unsigned long long)r.n,
           r.n == 1 ? "" : "s");
    if (o->have_min_pair)
        printf(", no scored pair below %g", o->min_pair);
    printf("; branch and bound visited %llu nodes in %.3f s\n", (unsigned long long)r.n_visited,
           r.seconds);
    if (r.n < o->top)
        printf("(only %llu state%s qualify)\n", (unsigned long long)r.n, r.n == 1 ? "" : "s");
    int D = m->n_descriptors;
    int *s = malloc((size_t)D * sizeof *s + 1);
    double *margins = malloc((size_t)D * sizeof *margins + 1);
    int ok = s && margins;
    layout L = layout_of(m);
    for (uint64_t k = 0; k < r.n && ok; k++) {
        row rw;
        ok = evaluate(m, o->use_cross, r.index[k], s, margins, &rw);
        if (!ok)
            break;
        printf("\n#%llu  ", (unsigned long long)(k + 1));
        print_row_head(m, &rw, s, uses_cross);
        print_state_table(m, &L, s, margins);
    }
    free(s);
    free(margins);
    scenmc_cib_top_free(&r);
    return ok ? 0 : 1;
}

static int cmp_basin(const void *pa, const void *pb)
{
    const scenmc_cib_attractor *a = pa, *b = pb;
    if (a->basin != b->basin)
        return a->basin > b->basin ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void print_share(uint64_t k, uint64_t n, int exact)
{
    printf("%.2f%%", 100.0 * (double)k / (double)n);
    if (!exact) {
        double lo, hi;
        scenmc_cib_wilson(k, n, 1.959964, &lo, &hi);
        printf(" [95%% CI %.2f%%, %.2f%%]", 100 * lo, 100 * hi);
    }
}

static int run_basins(const scenmc_model *m, const options *o)
{
    scenmc_cib_basin_options bo;
    scenmc_cib_basin_options_init(&bo);
    bo.use_cross = o->use_cross;
    bo.threads = o->threads;
    bo.starts = o->have_starts ? o->starts : 0;
    bo.seed = o->have_seed ? o->seed : m->seed;
    scenmc_cib_basin_result b;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_cib_basins(m, &bo, &b, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        return cli_exit_code(st) ? cli_exit_code(st) : 1;
    }
    print_header(m, b.uses_cross);
    if (b.exact)
        printf("global succession from every one of the %llu states, in %.3f s\n",
               (unsigned long long)b.n_starts, b.seconds);
    else
        printf("global succession from %llu random starts (seed %llu), in %.3f s; longest "
               "way to the attractor %llu steps\n", (unsigned long long)b.n_starts,
               (unsigned long long)bo.seed, b.seconds, (unsigned long long)b.max_transient);
    printf("%llu consistent state%s %s; %llu cycle%s, reached from %llu starts (",
           (unsigned long long)b.n_fixed, b.n_fixed == 1 ? "" : "s",
           b.exact ? "in all" : "reached", (unsigned long long)b.n_cycles,
           b.n_cycles == 1 ? "" : "s", (unsigned long long)b.in_cycles);
    print_share(b.in_cycles, b.n_starts, b.exact);
    printf(")\n");

    uint64_t limit = o->have_limit ? (o->limit ? o->limit : UINT64_MAX) : 1000;
    qsort(b.attractors, b.n_fixed, sizeof *b.attractors, cmp_basin);
    qsort(b.attractors + b.n_fixed, b.n_cycles, sizeof *b.attractors, cmp_basin);
    int D = m->n_descriptors;
    int *s = malloc((size_t)D * sizeof *s + 1);
    double *margins = malloc((size_t)D * sizeof *margins + 1);
    int ok = s && margins;
    layout L = layout_of(m);
    if (b.n_fixed)
        printf("\nconsistent states by basin size:\n");
    for (uint64_t k = 0; k < b.n_fixed && k < limit && ok; k++) {
        const scenmc_cib_attractor *a = &b.attractors[k];
        row rw;
        ok = evaluate(m, o->use_cross, a->index, s, margins, &rw);
        if (!ok)
            break;
        printf("\n#%llu  basin %llu (", (unsigned long long)(k + 1), (unsigned long long)a->basin);
        print_share(a->basin, b.n_starts, b.exact);
        printf(")  ");
        print_row_head(m, &rw, s, b.uses_cross);
        print_state_table(m, &L, s, margins);
    }
    if (b.n_fixed > limit)
        printf("\n(%llu more consistent states not listed; --limit N lists more)\n",
               (unsigned long long)(b.n_fixed - limit));
    if (b.n_cycles && ok) {
        printf("\ncycles by basin size (each named by its lowest-numbered state):\n");
        for (uint64_t k = 0; k < b.n_cycles && k < limit; k++) {
            const scenmc_cib_attractor *a = &b.attractors[b.n_fixed + k];
            scenmc_cib_state_decode(m, a->index, s);
            printf("  length %llu, basin %llu (", (unsigned long long)a->cycle_length,
                   (unsigned long long)a->basin);
            print_share(a->basin, b.n_starts, b.exact);
            printf("), through ");
            print_code(m, s);
            printf("\n");
        }
        if (b.n_cycles > limit)
            printf("  (%llu more cycles not listed)\n", (unsigned long long)(b.n_cycles - limit));
    }
    free(s);
    free(margins);
    scenmc_cib_basins_free(&b);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------- arguments */

/* --compare: scenmc's consistent set against a ScenarioWizard solution list. */
static int run_compare(const scenmc_model *m, const char *sl)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    char *report = NULL;
    int same = 0;
    scenmc_status st = scenmc_sl_compare(m, sl, &report, &same, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        free(report);
        return cli_exit_code(st);
    }
    fputs(report, stdout);
    printf("%s\n", same ? "same consistent scenarios as the solution list"
                        : "the consistent scenarios differ from the solution list");
    free(report);
    return same ? 0 : 1;
}

/* One option into o (and *compare); 0, or EXIT_USAGE after saying why. */
static int take_option(const cli_arg *a, options *o, const char **compare)
{
    const char *v = a->value;
    long t;
    switch (a->key) {
    case K_COMPARE: *compare = v; return 0;
    case K_MAX_IC:
        if (!cli_parse_double(CMD, "--max-ic", v, &o->max_ic))
            return EXIT_USAGE;
        if (o->max_ic < 0)
            return cli_usage_error(CMD, "--max-ic '%s': expected a number >= 0", v);
        o->have_max_ic = 1;
        return 0;
    case K_TOP:
        if (!cli_parse_u64(CMD, "--top", v, 1, &o->top))
            return EXIT_USAGE;
        if (o->top > SCENMC_CIB_MAX_TOP)
            return cli_usage_error(CMD, "--top '%s': expected at most %u", v, SCENMC_CIB_MAX_TOP);
        o->have_top = 1;
        return 0;
    case K_MIN_PAIR:
        o->have_min_pair = 1;
        return cli_parse_double(CMD, "--min-pair", v, &o->min_pair) ? 0 : EXIT_USAGE;
    case K_STARTS:
        o->have_starts = 1;
        return cli_parse_u64(CMD, "--starts", v, 1, &o->starts) ? 0 : EXIT_USAGE;
    case K_SEED:
        o->have_seed = 1;
        return cli_parse_u64(CMD, "--seed", v, 0, &o->seed) ? 0 : EXIT_USAGE;
    case K_LIMIT:
        o->have_limit = 1;
        return cli_parse_u64(CMD, "--limit", v, 0, &o->limit) ? 0 : EXIT_USAGE;
    case CLI_K_THREADS:
        if (!cli_parse_int(CMD, "--threads", v, 1, 1024, &t))
            return EXIT_USAGE;
        o->threads = (int)t;
        return 0;
    case K_MATRIX:
        if (!strcmp(v, "consistency"))
            o->use_cross = SCENMC_CIB_CONSISTENCY;
        else if (!strcmp(v, "cross"))
            o->use_cross = SCENMC_CIB_CROSS;
        else
            return cli_usage_error(CMD, "--matrix '%s': expected 'consistency' or 'cross'", v);
        return 0;
    case K_CSV: o->csv = v; return 0;
    case K_JSON: o->json = v; return 0;
    case K_RESULTS: o->results = v; return 0;
    case K_EXCEL: o->excel = 1; return 0;
    case CLI_K_FORCE: o->force = 1; return 0;
    case K_BASINS: o->basins = 1; return 0;
    case K_COUNT: o->count = 1; return 0;
    case K_SWEEP: o->sweep = 1; return 0;
    }
    return 0;
}

/* The options that do not combine; 0, or EXIT_USAGE after saying why. */
static int check_options(const options *o, const char *compare)
{
    if (compare && (o->have_top || o->basins || o->count || o->sweep || o->have_max_ic))
        return cli_usage_error(CMD, "--compare compares the consistent set; expected it alone");
    if (o->have_top && o->basins)
        return cli_usage_error(CMD, "--top and --basins are different analyses; expected one");
    if ((o->have_top || o->basins) && (o->have_max_ic || o->count || o->sweep))
        return cli_usage_error(CMD, "--max-ic, --count and --sweep list consistent states; "
                               "expected them without --%s", o->have_top ? "top" : "basins");
    if (o->have_min_pair && !o->have_top)
        return cli_usage_error(CMD, "--min-pair filters --top; expected --top N with it");
    if ((o->have_starts || o->have_seed) && !o->basins)
        return cli_usage_error(CMD, "--%s applies to --basins; expected --basins with it",
                               o->have_starts ? "starts" : "seed");
    if (o->have_top && o->have_limit)
        return cli_usage_error(CMD, "--limit does not apply to --top (N is the number listed)");
    if (o->count && o->have_limit)
        return cli_usage_error(CMD, "--count lists nothing; expected no --limit with it");
    if ((o->csv || o->json || o->results) && (compare || o->have_top || o->basins || o->count))
        return cli_usage_error(CMD, "--%s applies to the list of consistent states; expected it "
                               "without --compare, --top, --basins and --count",
                               o->csv ? "csv" : o->json ? "json" : "results");
    if (o->csv && o->json && !strcmp(o->csv, "-") && !strcmp(o->json, "-"))
        return cli_usage_error(CMD, "--csv - and --json - both write to standard output; "
                               "expected one");
    if (o->excel && !o->csv)
        return cli_usage_error(CMD, "--excel formats the --csv file; expected --csv with it");

    return 0;
}

/* The model: MODEL, or without one the results file's (--results), or the
 * built-in one. With --results, the file is read into r and a MODEL given
 * must be the file's model. NULL after saying why (*rc set). */
static scenmc_model *load_inputs(const options *o, scenmc_model **fm, scenmc_results *r,
                                 int *have_r, int *rc)
{
    *have_r = 0;
    if (o->results) {
        scenmc_results_info info;
        if ((*rc = cli_read_results(CMD, o->results, fm, r, &info)) != 0)
            return NULL;
        scenmc_results_info_free(&info);
        *have_r = 1;
        if (!o->path)
            return *fm;
    }
    scenmc_model *m = cli_load_model(CMD, o->path, rc);
    if (m && *have_r && memcmp(m->sha256, (*fm)->sha256, sizeof m->sha256) != 0) {
        fprintf(stderr, "scenmc %s: %s was computed from another model than %s (their SHA-256 "
                "differ); expected the model of the results file, or no MODEL\n", CMD, o->results,
                m->path);
        scenmc_model_free(m);
        *rc = EXIT_USAGE;
        return NULL;
    }
    return m;
}

/* The checks of the loaded model; 0 or EXIT_USAGE. */
static int check_model(const scenmc_model *m, const options *o)
{
    if (o->use_cross == SCENMC_CIB_CROSS && !m->cross_impact) {
        fprintf(stderr, "scenmc %s: %s has no cross-impact matrix; expected one with "
                "--matrix cross\n", CMD, m->path);
        return EXIT_USAGE;
    }
    if (!scenmc_model_state_count(m)) {
        fprintf(stderr, "scenmc %s: %s has more than 2^64 states (%d descriptors); expected a "
                "state space that can be numbered in 64 bits\n", CMD, m->path, m->n_descriptors);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_consistent(int argc, char **argv)
{
    const char *compare = NULL;
    options o;
    memset(&o, 0, sizeof o);
    o.use_cross = SCENMC_CIB_AUTO;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    for (int k = 0; k < a.n_opts && !rc; k++)
        rc = take_option(&a.opts[k], &o, &compare);
    o.path = a.n_pos ? a.pos[0] : NULL;
    if (!rc)
        rc = cli_too_many(CMD, &a, 1);
    cli_args_free(&a);
    if (!rc)
        rc = check_options(&o, compare);
    if (rc)
        return rc;
    scenmc_model *file_model = NULL;
    scenmc_results r;
    int have_r = 0;
    scenmc_model *m = load_inputs(&o, &file_model, &r, &have_r, &rc);
    if (m)
        rc = check_model(m, &o);
    if (m && !rc) {
        show_k = has_consistency(m);
        if (compare)
            rc = run_compare(m, compare);
        else if (o.have_top)
            rc = run_top(m, &o);
        else if (o.basins)
            rc = run_basins(m, &o);
        else
            rc = run_list(m, &o, have_r ? &r : NULL);
    }
    if (have_r)
        scenmc_results_free(&r);
    if (m != file_model)
        scenmc_model_free(m);
    scenmc_model_free(file_model);
    return rc;
}
