/* Task "followup" (issues 16, 19, 20).
 *
 * Derivative files: `scenmc sensitivity --method exact` writes one; the
 * reader (scenmc_derivatives_read), `scenmc export --csv` and `scenmc report`
 * must give back what the library's scenmc_exact_derivatives computes here,
 * in this process, for the same model and parameters; a file with standard
 * errors (the score method's layout, written through the library) keeps them.
 *
 * Signals: a command without hpc_cli's handlers (export, import,
 * export-model, merge) that a signal ends while its temporary exists leaves
 * no temporary and ends by that signal.
 *
 * Progress: sweep follows run's --progress/--no-progress/--quiet rule. */
#include "testutil.h"
#include "scenmc/derivative.h"
#include "scenmc/reader.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCENMC SCENMC_BINARY
#define BETA 0.9

static const char *path(const char *name)
{
    static char buf[16][512];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

/* The small test model at beta BETA, and its exact derivatives (library). */
static void reference(scenmc_model **m, scenmc_params *p, scenmc_derivatives *d)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_model_load(src_path("tests/data/good/small.yaml"), m, &err) != SCENMC_OK)
        fail_msg("small.yaml: %s", err.msg);
    scenmc_params_init(p, *m);
    p->beta = BETA;
    if (scenmc_exact_derivatives(*m, p, 2, 1, NULL, NULL, d, &err) != SCENMC_OK)
        fail_msg("exact derivatives: %s", err.msg);
}

/* The derivative file of the command line, once. */
static const char *derivative_file(void)
{
    static int done;
    const char *f = path("d.h5");
    if (!done && sh("%s sensitivity %s --method exact --beta %g --threads 2 -q -o %s", SCENMC,
                    src_path("tests/data/good/small.yaml"), BETA, f) != 0)
        fail_msg("scenmc sensitivity --method exact:\n%s", sh_out);
    done = 1;
    return f;
}

static void same_array(const double *a, const double *b, size_t n, const char *what)
{
    if (!a || !b)
        fail_msg("%s: %s", what, a ? "not read" : "not computed");
    for (size_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= 1e-12 * (1 + fabs(b[i])) || (isnan(a[i]) && isnan(b[i]))))
            fail_msg("%s[%zu]: read %.17g, library %.17g", what, i, a[i], b[i]);
}

static void same_params(const scenmc_derivatives *got, const scenmc_derivatives *want)
{
    assert_int_equal(got->n_param, want->n_param);
    for (int e = 0; e < want->n_param; e++) {
        const scenmc_dparam *a = &got->param[e], *b = &want->param[e];
        assert_string_equal(a->label, b->label);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->u, b->u);
        assert_int_equal(a->v, b->v);
        assert_int_equal(a->scored, b->scored);
        assert_true(a->value == b->value);
        assert_true(a->step == b->step);
    }
}

/* The reader gives back the library's derivatives, every table. */
static void test_reader_matches_library(void **state)
{
    (void)state;
    scenmc_model *m, *fm = NULL;
    scenmc_params p, fp;
    scenmc_derivatives want, got;
    reference(&m, &p, &want);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results_info info;
    memset(&info, 0, sizeof info);
    if (scenmc_derivatives_read(derivative_file(), &fm, &fp, &got, &info, &err) != SCENMC_OK)
        fail_msg("scenmc_derivatives_read: %s", err.msg);
    assert_string_equal(got.method, "exact");
    assert_int_equal(got.Y, want.Y);
    assert_int_equal(got.S, want.S);
    assert_int_equal(got.V, want.V);
    assert_true(fp.beta == BETA);
    same_params(&got, &want);
    size_t n = (size_t)want.n_param * (size_t)want.Y;
    same_array(got.scenario, want.scenario, n * (size_t)want.S, "dP_scenario");
    same_array(got.variant, want.variant, n * (size_t)want.V, "dP_variant");
    same_array(got.scenario_variant, want.scenario_variant, n * (size_t)want.S * (size_t)want.V,
               "dP_scenario_variant");
    assert_null(got.scenario_se);
    scenmc_derivatives_free(&got);
    scenmc_derivatives_free(&want);
    scenmc_results_info_free(&info);
    scenmc_params_free(&fp);
    scenmc_params_free(&p);
    scenmc_model_free(fm);
    scenmc_model_free(m);
}

/* The fields of one CSV line (RFC 4180 quotes), in place; their number. */
static int csv_fields(char *line, char **f, int max)
{
    int n = 0;
    char *r = line, *w = line;
    while (n < max) {
        f[n++] = w;
        if (*r == '"') {
            for (r++; *r && !(*r == '"' && r[1] != '"'); r++)
                *w++ = *r == '"' ? *++r : *r;
            if (*r == '"')
                r++;
        } else {
            while (*r && *r != ',' && *r != '\n')
                *w++ = *r++;
        }
        int more = *r == ',';
        *w++ = '\0';
        if (!more)
            break;
        r++;
    }
    return n;
}

static const char *scen(const scenmc_model *m, int s)
{
    return s < m->n_scenarios ? m->scenarios[s].name : "unclassified";
}

/* derivative.csv: one row per parameter x year x scenario, the library's values. */
static void test_export_matches_library(void **state)
{
    (void)state;
    scenmc_model *m;
    scenmc_params p;
    scenmc_derivatives d;
    reference(&m, &p, &d);
    if (sh("%s export %s --csv %s", SCENMC, derivative_file(), path("csv")) != 0)
        fail_msg("scenmc export:\n%s", sh_out);
    size_t len;
    char *text = slurp(path("csv/derivative.csv"), &len);
    assert_non_null(text);
    char *save = NULL, *line = strtok_r(text, "\n", &save), *f[16];
    assert_non_null(line);
    assert_int_equal(csv_fields(line, f, 16), 8);
    const char *head[] = {"parameter", "kind", "value", "step", "year", "scenario", "derivative",
                          "elasticity"};
    for (int i = 0; i < 8; i++)
        assert_string_equal(f[i], head[i]);
    size_t rows = 0, Y = (size_t)d.Y, S = (size_t)d.S;
    for (size_t e = 0; e < (size_t)d.n_param; e++)
        for (size_t y = 0; y < Y; y++)
            for (size_t s = 0; s < S; s++, rows++) {
                line = strtok_r(NULL, "\n", &save);
                if (!line)
                    fail_msg("derivative.csv ends after %zu rows", rows);
                assert_int_equal(csv_fields(line, f, 16), 8);
                const scenmc_dparam *q = &d.param[e];
                double x = d.scenario[(e * Y + y) * S + s];
                assert_string_equal(f[0], q->label);
                assert_string_equal(f[1], scenmc_dparam_kind_names[q->kind]);
                assert_true(strtod(f[2], NULL) == q->value);
                assert_true(strtod(f[3], NULL) == q->step);
                assert_int_equal(atol(f[4]), p.year_start + (long)y);
                assert_string_equal(f[5], scen(m, (int)s));
                assert_close(strtod(f[6], NULL), x, 1e-12 * (1 + fabs(x)));
                assert_close(strtod(f[7], NULL), x * q->step, 1e-12 * (1 + fabs(x)));
            }
    assert_null(strtok_r(NULL, "\n", &save));
    free(text);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The parameter of largest |elasticity| on P(final-year scenario), by the library. */
static int top_param(const scenmc_derivatives *d)
{
    size_t Y = (size_t)d->Y, S = (size_t)d->S;
    int best = 0;
    double size = -1;
    for (int e = 0; e < d->n_param; e++)
        for (size_t s = 0; s < S; s++) {
            double x = fabs(d->scenario[((size_t)e * Y + Y - 1) * S + s] * d->param[e].step);
            if (x > size)
                size = x, best = e;
        }
    return best;
}

/* The report's first row is the library's most influential parameter, with
 * its elasticities in percentage points. */
static void test_report_ranks_like_library(void **state)
{
    (void)state;
    scenmc_model *m;
    scenmc_params p;
    scenmc_derivatives d;
    reference(&m, &p, &d);
    if (sh("%s report %s --top 3", SCENMC, derivative_file()) != 0)
        fail_msg("scenmc report:\n%s", sh_out);
    int e = top_param(&d);
    size_t Y = (size_t)d.Y, S = (size_t)d.S;
    char row[512];
    int n = snprintf(row, sizeof row, "| %s | %g | %g |", d.param[e].label, d.param[e].value,
                     d.param[e].step);
    for (size_t s = 0; s < S; s++)
        n += snprintf(row + n, sizeof row - (size_t)n, " %+.2f pp |",
                      100 * d.scenario[((size_t)e * Y + Y - 1) * S + s] * d.param[e].step);
    const char *table = strstr(sh_out, "| --- |");
    assert_non_null(table);
    const char *first = strchr(table, '\n');
    assert_non_null(first);
    if (strncmp(first + 1, row, strlen(row)))
        fail_msg("expected the first row\n%s\nin\n%s", row, sh_out);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The score method's layout (stderr_* tables), written by the library with
 * known standard errors: read back, exported and reported with them. */
static void test_standard_errors_kept(void **state)
{
    (void)state;
    scenmc_model *m, *fm = NULL;
    scenmc_params p, fp;
    scenmc_derivatives d, got;
    reference(&m, &p, &d);
    snprintf(d.method, sizeof d.method, "score");
    d.n_trajectories = 1000;
    size_t n = (size_t)d.n_param * (size_t)d.Y * (size_t)d.S;
    d.scenario_se = calloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++)
        d.scenario_se[i] = 0.001 * (double)(i % 7 + 1);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_write_options opt;
    memset(&opt, 0, sizeof opt);
    opt.method = "derivative"; /* as scenmc sensitivity writes it */
    if (scenmc_derivatives_write(path("score.h5"), m, &p, &d, &opt, &err) != SCENMC_OK)
        fail_msg("scenmc_derivatives_write: %s", err.msg);
    if (scenmc_derivatives_read(path("score.h5"), &fm, &fp, &got, NULL, &err) != SCENMC_OK)
        fail_msg("scenmc_derivatives_read: %s", err.msg);
    assert_string_equal(got.method, "score");
    same_array(got.scenario_se, d.scenario_se, n, "stderr_scenario");
    if (sh("%s export %s --csv %s && head -1 %s", SCENMC, path("score.h5"), path("scsv"),
           path("scsv/derivative.csv")) != 0)
        fail_msg("scenmc export:\n%s", sh_out);
    assert_non_null(strstr(sh_out, ",derivative,elasticity,stderr"));
    if (sh("%s report %s --top 1", SCENMC, path("score.h5")) != 0)
        fail_msg("scenmc report:\n%s", sh_out);
    int e = top_param(&d);
    size_t i = ((size_t)e * (size_t)d.Y + (size_t)d.Y - 1) * (size_t)d.S;
    char cell[64];
    snprintf(cell, sizeof cell, "%+.2f ± %.2f pp", 100 * d.scenario[i] * d.param[e].step,
             100 * d.scenario_se[i] * d.param[e].step);
    if (!strstr(sh_out, cell))
        fail_msg("expected %s in\n%s", cell, sh_out);
    scenmc_derivatives_free(&got);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&fp);
    scenmc_params_free(&p);
    scenmc_model_free(fm);
    scenmc_model_free(m);
}

/* Runs cmd in the scratch folder with SCENMC_TEST_HOLD_TEMP=30:hold, sends
 * sig once a file whose name holds hold exists: the process must end by that
 * signal (status 128 + status_sig) and leave no temporary. */
static void signal_during_write(const char *cmd, const char *hold, const char *sig, int status)
{
    int rc = sh("cd %s && (SCENMC_TEST_HOLD_TEMP=30:%s %s 2>log & p=$!; i=0; while [ $i -lt 600 ] "
                "&& ! find . -name '*%s*.tmp-*' | grep -q .; do sleep 0.05; i=$((i+1)); done; "
                "kill -%s $p; wait $p; echo \"status=$?\"; cat log)",
                scratch_dir, hold, cmd, hold, sig);
    assert_int_equal(rc, 0);
    char want[32];
    snprintf(want, sizeof want, "status=%d", status);
    if (!strstr(sh_out, want))
        fail_msg("%s: expected the end by SIG%s (%s):\n%s", cmd, sig, want, sh_out);
    sh("cd %s && find . -name '*.tmp-*'", scratch_dir);
    if (sh_out && *sh_out)
        fail_msg("%s: temporaries left after SIG%s:\n%s", cmd, sig, sh_out);
}

static void test_signals_remove_temporaries(void **state)
{
    (void)state;
    const char *model = src_path("tests/data/good/small.yaml");
    if (sh("cd %s && %s run %s -n 2000 --seed 3 --threads 2 -q -o r.h5 && %s export-model %s "
           "--csv m.csv", scratch_dir, SCENMC, model, SCENMC, model) != 0)
        fail_msg("setup:\n%s", sh_out);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s export r.h5 --csv sig", SCENMC);
    signal_during_write(cmd, "scenario.csv", "TERM", 143);
    snprintf(cmd, sizeof cmd, "%s import m.csv -o imp.yaml", SCENMC);
    signal_during_write(cmd, "imp.yaml", "HUP", 129);
    snprintf(cmd, sizeof cmd, "%s export-model --scw x.scw", SCENMC); /* the built-in model */
    signal_during_write(cmd, "x.scw", "USR1", 138);
    snprintf(cmd, sizeof cmd, "%s merge r.h5 -o merged.h5", SCENMC);
    signal_during_write(cmd, "merged.h5", "TERM", 143);
}

/* The progress rule of run for sweep (docs/export.md): on a terminal (script
 * gives one) a bar by default, none with --quiet or --no-progress, a bar
 * with --quiet --progress; the table unless --quiet. */
static void test_sweep_progress_rule(void **state)
{
    (void)state;
    if (sh("command -v script") != 0) {
        printf("# SKIP: no script(1) for a terminal\n");
        return;
    }
    static const struct {
        const char *opts;
        int bar, table;
    } cases[] = {{"", 1, 1}, {"-q", 0, 0}, {"--quiet --progress", 1, 0}, {"--no-progress", 0, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (sh("script -qec '%s sweep %s --param beta=0.2,0.4 -n 300 --seed 5 --threads 1' /dev/null",
               SCENMC, cases[i].opts) != 0)
            fail_msg("sweep %s:\n%s", cases[i].opts, sh_out);
        int bar = strstr(sh_out, "sweep [") != NULL, table = strstr(sh_out, "Scenario probabilities") != NULL;
        if (bar != cases[i].bar || table != cases[i].table)
            fail_msg("sweep %s: expected %s and %s:\n%s", cases[i].opts, cases[i].bar ? "a bar" : "no bar",
                     cases[i].table ? "the table" : "no table", sh_out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_matches_library),
        cmocka_unit_test(test_export_matches_library),
        cmocka_unit_test(test_report_ranks_like_library),
        cmocka_unit_test(test_standard_errors_kept),
        cmocka_unit_test(test_signals_remove_temporaries),
        cmocka_unit_test(test_sweep_progress_rule),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
