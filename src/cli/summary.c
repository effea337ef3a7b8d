#include "summary.h"
#include "base/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void pad(FILE *f, const char *s, int width)
{
    fputs(s, f);
    for (int i = (int)scenmc__utf8_chars(s); i < width; i++)
        fputc(' ', f);
}

void summary_cell(FILE *f, const char *s, int width)
{
    int n = 0;
    for (; *s && n < width; n++) { /* whole UTF-8 characters only */
        fputc(*s++, f);
        while (((unsigned char)*s & 0xC0) == 0x80)
            fputc(*s++, f);
    }
    for (; n < width; n++)
        fputc(' ', f);
}

int summary_width(const char *name, int min, int max)
{
    size_t len = scenmc__utf8_chars(name);
    return len < (size_t)min ? min : len > (size_t)max ? max : (int)len;
}

static const char *scenario_name(const scenmc_results *r, int s)
{
    return s < r->model->n_scenarios ? r->model->scenarios[s].name : "unclassified";
}

void summary_scenarios(FILE *f, const scenmc_results *r)
{
    int S = r->n_scenarios, Y = r->n_years;
    int mc = r->method == SCENMC_MONTE_CARLO;
    const scenmc_table *t = &r->t[SCENMC_T_SCENARIO];
    int col = mc ? 20 : 16;
    if (S == 0) {
        fprintf(f, "(the model defines no scenarios: see the final-state table)\n");
        return;
    }
    fprintf(f, "Scenario probabilities%s\n", mc ? " (± standard error)" : " (exact)");
    pad(f, "year", 6);
    for (int s = 0; s < S; s++) {
        char name[64];
        snprintf(name, sizeof name, "%s", scenario_name(r, s));
        fputs("  ", f);
        pad(f, name, col);
    }
    fputc('\n', f);
    for (int y = 0; y < Y; y++) {
        fprintf(f, "%-6d", r->params.year_start + y);
        for (int s = 0; s < S; s++) {
            char cell[64];
            size_t i = (size_t)y * (size_t)S + (size_t)s;
            if (mc)
                snprintf(cell, sizeof cell, "%.4f ± %.4f", t->prob[i], t->stderr_[i]);
            else
                snprintf(cell, sizeof cell, "%.6f", t->prob[i]);
            fputs("  ", f);
            pad(f, cell, col);
        }
        fputc('\n', f);
    }
}

void summary_characteristics(FILE *f, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    int S = r->n_scenarios, V = m->n_variants, y = r->n_years - 1;
    const scenmc_table *sv = &r->t[SCENMC_T_SCENARIO_VARIANT], *sc = &r->t[SCENMC_T_SCENARIO];
    if (S == 0)
        return;
    fprintf(f, "\nCharacteristics in %d: per scenario, each descriptor's most likely variant and "
               "P(variant | scenario)\n", r->params.year_end);
    for (int s = 0; s < S; s++) {
        double ps = sc->prob[(size_t)y * S + s];
        if (!(ps > 0))
            continue;
        fprintf(f, "  %s (p = %.4f)\n", scenario_name(r, s), ps);
        for (int d = 0; d < m->n_descriptors; d++) {
            const scenmc_descriptor *D = &m->descriptors[d];
            int best = 0;
            double bp = -1;
            for (int b = 0; b < D->n_variants; b++) {
                double p = sv->prob[((size_t)y * S + s) * V + D->offset + b];
                if (p > bp) {
                    bp = p;
                    best = b;
                }
            }
            fprintf(f, "    %-4s ", D->id);
            pad(f, m->variant_name[D->offset + best], 34);
            fprintf(f, " %.3f\n", bp);
        }
    }
}

typedef struct {
    double p;
    uint64_t idx;
} ranked;

static int by_prob(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

void summary_top_states(FILE *f, const scenmc_results *r, int n)
{
    const scenmc_model *m = r->model;
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    size_t N = t->dims[0];
    if (N == 0) {
        fprintf(f, "\n(no final-state table: the product space has more than %u states)\n",
                SCENMC_FULL_STATE_LIMIT);
        return;
    }
    ranked *all = malloc(N * sizeof *all);
    if (!all)
        return;
    for (size_t i = 0; i < N; i++) {
        all[i].p = t->prob[i];
        all[i].idx = r->full_states ? i : r->top_state[i];
    }
    qsort(all, N, sizeof *all, by_prob);
    int *s = calloc((size_t)m->n_descriptors, sizeof(int));
    fprintf(f, "\nMost %s states in %d\n", r->method == SCENMC_EXACT ? "probable" : "frequent",
            r->params.year_end);
    for (int i = 0; i < n && (size_t)i < N && all[i].p > 0; i++) {
        scenmc_state_from_index(m, all[i].idx, s);
        int sc = scenmc_model_scenario_of(m, s);
        fprintf(f, "  %2d. p = %.5f  K = %-4g %s\n      ", i + 1, all[i].p,
                scenmc_model_total_consistency(m, s), scenario_name(r, sc));
        for (int d = 0; d < m->n_descriptors; d++)
            fprintf(f, "%s%s=%s", d ? ", " : "", m->descriptors[d].id,
                    m->variant_name[m->descriptors[d].offset + s[d]]);
        fputc('\n', f);
    }
    free(s);
    free(all);
}

void progress_init(progress *p, const char *what, int quiet)
{
    p->tty = isatty(fileno(stderr));
    p->quiet = quiet;
    p->last_print = 0;
    p->what = what;
}

int progress_cb(void *ctx, uint64_t done, uint64_t total, double seconds)
{
    progress *p = ctx;
    if (p->quiet)
        return 0;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    if (p->tty) {
        if (seconds - p->last_print < 0.2 && done < total)
            return 0;
        p->last_print = seconds;
        int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
        fprintf(stderr, "\r%s [", p->what);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %5.1f%%  %.3g/s  %.0fs left   ", 100.0 * (double)done / (double)total,
                rate, left);
        fflush(stderr);
    } else if (seconds - p->last_print >= 10 || (done == total && p->last_print > 0)) {
        p->last_print = seconds;
        fprintf(stderr, "%s: %llu of %llu (%.1f%%), %.3g/s, %.0f s elapsed, %.0f s left\n", p->what,
                (unsigned long long)done, (unsigned long long)total,
                100.0 * (double)done / (double)total, rate, seconds, left);
    }
    return 0;
}

void progress_end(progress *p)
{
    if (p->tty && !p->quiet)
        fputc('\n', stderr);
}
