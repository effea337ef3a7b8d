/* The command line's outputs for the researcher's own tools (issue 16): CSV for
 * spreadsheets (--excel, --order, --labels en, LF), consistent --csv/--json
 * with --results, report --json, and the probability of ending in CIB-consistent
 * states, each checked against a computation of its own here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "scenmc/reader.h"
#include "scenmc/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PY "/usr/bin/python3"

static int have_python(void)
{
    return access(PY, X_OK) == 0;
}


/* The shared files: a Monte Carlo run and the exact solution of the built-in model. */
static int files_setup(void **state)
{
    if (scratch_setup(state) != 0)
        return -1;
    if (sh("%s run -n 20000 --seed 7 -o %s --quiet", SCENMC_BINARY, scratch_path("mc.h5")) != 0)
        return -1;
    /* one thread: the same numbers bit for bit, at less than half the CPU of two */
    return sh("%s exact --threads 1 -o %s --quiet", SCENMC_BINARY, scratch_path("exact.h5")) != 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ an independent CIB */

/* IC(s) of a consistency-only model, straight from the definition: the most any
 * descriptor gains by switching, B_i(b|s) = sum over the other descriptors j of
 * C[s_j][b]. Written here, apart from src/cib, to check what scenmc reports. */
static double ic_by_hand(const scenmc_model *m, const int *s)
{
    size_t V = (size_t)m->n_variants;
    double ic = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *Di = &m->descriptors[i];
        double chosen = 0, best = -INFINITY;
        for (int b = 0; b < Di->n_variants; b++) {
            double B = 0;
            for (int j = 0; j < m->n_descriptors; j++)
                if (j != i)
                    B += m->consistency[(size_t)(m->descriptors[j].offset + s[j]) * V +
                                        (size_t)(Di->offset + b)];
            if (b == s[i])
                chosen = B;
            best = B > best ? B : best;
        }
        ic = best - chosen > ic ? best - chosen : ic;
    }
    return ic;
}

/* The sum of P(final state) over the states consistent by hand, and how many. */
static double consistent_sum(const scenmc_results *r, int *n_found)
{
    const scenmc_model *m = r->model;
    assert_null(m->cross_impact); /* ic_by_hand is the consistency-matrix case */
    assert_true(r->full_states);
    int *s = calloc((size_t)m->n_descriptors, sizeof(int));
    double sum = 0;
    *n_found = 0;
    for (uint64_t x = 0; x < r->n_states; x++) {
        scenmc_state_from_index(m, x, s);
        if (ic_by_hand(m, s) <= 1e-9) {
            sum += r->t[SCENMC_T_FINAL_STATE].prob[x];
            ++*n_found;
        }
    }
    free(s);
    return sum;
}

/* A number that python prints from a JSON file (expression on d). */
static double json_value(const char *file, const char *expr)
{
    if (sh(PY " -c 'import json; d = json.load(open(\"%s\")); print(repr(float(%s)))'", file,
           expr) != 0)
        fail_msg("%s: %s: %s", file, expr, sh_out);
    return strtod(sh_out, NULL);
}

/* The probability of ending in a consistent state: consistent --results and
 * report --json against the exact solver's final states summed here. */
static void test_consistent_mass_exact(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(scratch_path("exact.h5"), &m, &r);
    int n_found = 0;
    double want = consistent_sum(&r, &n_found);
    assert_true(n_found > 0);
    assert_true(want > 0.01 && want < 0.99); /* a case where a wrong set would show */

    assert_int_equal(sh("%s consistent --results %s --json %s", SCENMC_BINARY, scratch_path("exact.h5"),
                        scratch_path("c.json")), 0);
    assert_close(json_value(scratch_path("c.json"), "d[\"results\"][\"probability_all_found\"]"), want, 1e-12);
    assert_close(json_value(scratch_path("c.json"), "d[\"n_found\"]"), n_found, 0);
    assert_close(json_value(scratch_path("c.json"), "sum(s[\"probability\"] for s in d[\"states\"])"), want,
                 1e-12);
    /* Each listed state's probability is the exact solver's for that state. */
    assert_int_equal(sh(PY " -c 'import json; d = json.load(open(\"%s\"))\n"
                        "for s in d[\"states\"]: print(s[\"state\"], repr(s[\"probability\"]))'",
                        scratch_path("c.json")), 0);
    char *line = sh_out;
    for (int k = 0; k < n_found; k++) {
        char *end;
        uint64_t x = strtoull(line, &end, 10);
        double p = strtod(end, &line);
        assert_true(x < r.n_states);
        assert_true(p == r.t[SCENMC_T_FINAL_STATE].prob[x]);
    }
    assert_int_equal(sh("%s report %s --json > %s", SCENMC_BINARY, scratch_path("exact.h5"),
                        scratch_path("r.json")), 0);
    assert_close(json_value(scratch_path("r.json"), "d[\"cib_consistent\"][\"probability\"]"), want, 1e-12);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* Monte Carlo: the same sum from the counts, and within 4 standard errors of
 * the exact value (an independent computation of the same quantity). */
static void test_consistent_mass_mc(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    scenmc_model *m = NULL, *me = NULL;
    scenmc_results r, e;
    read_or_fail(scratch_path("mc.h5"), &m, &r);
    read_or_fail(scratch_path("exact.h5"), &me, &e);
    int n_found = 0, n_exact = 0;
    double want = consistent_sum(&r, &n_found), exact = consistent_sum(&e, &n_exact);
    assert_int_equal(sh("%s consistent --results %s --json %s", SCENMC_BINARY, scratch_path("mc.h5"),
                        scratch_path("m.json")), 0);
    double got = json_value(scratch_path("m.json"), "d[\"results\"][\"probability_all_found\"]");
    double se = json_value(scratch_path("m.json"), "d[\"results\"][\"stderr_all_found\"]");
    assert_close(got, want, 1e-12);
    assert_close(se, sqrt(want * (1 - want) / (double)r.n_trajectories), 1e-12);
    if (fabs(got - exact) > 4 * se)
        fail_msg("Monte Carlo %.6f ± %.6f, exact %.6f", got, se, exact);
    /* The text says so too. */
    assert_int_equal(sh("%s consistent --results %s", SCENMC_BINARY, scratch_path("mc.h5")), 0);
    assert_out_has("in one of the");
    assert_out_has("20000 trajectories");
    scenmc_results_free(&r);
    scenmc_results_free(&e);
    scenmc_model_free(m);
    scenmc_model_free(me);
}

/* consistent --csv: one row per consistent state, with the exact probability. */
static void test_consistent_csv(void **state)
{
    (void)state;
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(scratch_path("exact.h5"), &m, &r);
    assert_int_equal(sh("mkdir -p %s && %s consistent --results %s --csv %s", scratch_path("cdir"),
                        SCENMC_BINARY, scratch_path("exact.h5"), scratch_path("cdir")), 0);
    size_t len = 0;
    char *text = slurp(scratch_path("cdir/consistent.csv"), &len);
    assert_non_null(text);
    assert_null(strchr(text, '\r'));
    assert_true(!strncmp(text, "rank,state,IK,", 14));
    free(text);
    if (!have_python())
        skip();
    assert_int_equal(sh(PY " -c 'import csv\nfor w in csv.DictReader(open(\"%s\")): "
                        "print(w[\"state\"], repr(float(w[\"probability\"])))'",
                        scratch_path("cdir/consistent.csv")), 0);
    int rows = 0, *s = calloc((size_t)m->n_descriptors, sizeof(int));
    for (char *line = sh_out, *end; *line; line = end, rows++) {
        uint64_t x = strtoull(line, &end, 10);
        double p = strtod(end, &end);
        while (*end == '\n')
            end++;
        assert_true(x < r.n_states);
        scenmc_state_from_index(m, x, s);
        assert_true(ic_by_hand(m, s) <= 1e-9);
        assert_true(p == r.t[SCENMC_T_FINAL_STATE].prob[x]);
    }
    int n_found = 0;
    consistent_sum(&r, &n_found);
    assert_int_equal(rows, n_found);
    /* Again: the file is there, so status 2 without --force. */
    assert_int_equal(sh("%s consistent --results %s --csv %s", SCENMC_BINARY, scratch_path("exact.h5"),
                        scratch_path("cdir")), 2);
    assert_out_has("already exists");
    free(s);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* --results with another model's MODEL is refused. */
static void test_consistent_other_model(void **state)
{
    (void)state;
    FILE *f = fopen(scratch_path("small.yaml"), "w");
    fputs(test_small_model, f);
    fclose(f);
    assert_int_equal(sh("%s consistent %s --results %s", SCENMC_BINARY, scratch_path("small.yaml"),
                        scratch_path("exact.h5")), 2);
    assert_out_has("another model");
    assert_int_equal(sh("%s consistent --top 3 --results %s", SCENMC_BINARY, scratch_path("exact.h5")), 2);
}

/* ------------------------------------------------------------------ export */

/* --excel reads back with ';' and a decimal comma to the plain export's numbers;
 * both have LF line ends, only the Excel one a byte-order mark. */
static void test_export_excel(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    assert_int_equal(sh("%s export %s --csv %s -q", SCENMC_BINARY, scratch_path("mc.h5"), scratch_path("plain")), 0);
    assert_int_equal(sh("%s export %s --csv %s -q --excel", SCENMC_BINARY, scratch_path("mc.h5"),
                        scratch_path("excel")), 0);
    if (sh(PY " %s %s %s", src_path("tests/cliout/check_excel.py"), scratch_path("plain"), scratch_path("excel")))
        fail_msg("%s", sh_out);
    /* Exists: status 2, as in every command. */
    assert_int_equal(sh("%s export %s --csv %s", SCENMC_BINARY, scratch_path("mc.h5"), scratch_path("plain")), 2);
    assert_out_has("already exists; use --force");
}

/* --order and --labels en: the model's order and English labels, from info --json. */
static void test_export_order_labels(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    assert_int_equal(sh("%s export %s --csv %s -q --order --labels en", SCENMC_BINARY,
                        scratch_path("exact.h5"), scratch_path("ol")), 0);
    assert_int_equal(sh("%s info --json > %s", SCENMC_BINARY, scratch_path("info.json")), 0);
    int rc = sh(PY " %s %s %s", src_path("tests/cliout/check_order_labels.py"), scratch_path("info.json"),
                scratch_path("ol"));
    if (rc)
        fail_msg("%s", sh_out);
    assert_int_equal(sh("%s export %s --csv %s --labels sv", SCENMC_BINARY, scratch_path("exact.h5"),
                        scratch_path("ol2")), 2);
}

/* ------------------------------------------------------------------ report --json */

/* report --json is valid JSON whose scenario table is the file's, as the reader gives it. */
static void test_report_json(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    assert_int_equal(sh("%s report %s --json > %s", SCENMC_BINARY, scratch_path("mc.h5"), scratch_path("mc.json")),
                     0);
    assert_int_equal(sh(PY " -m json.tool %s > /dev/null", scratch_path("mc.json")), 0);
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(scratch_path("mc.h5"), &m, &r);
    int S = r.n_scenarios;
    for (int y = 0; y < r.n_years; y += 5)
        for (int s = 0; s < S; s++) {
            char expr[128];
            size_t i = (size_t)y * (size_t)S + (size_t)s;
            snprintf(expr, sizeof expr, "d[\"scenario_probability\"][%d][%d]", y, s);
            assert_true(json_value(scratch_path("mc.json"), expr) == r.t[SCENMC_T_SCENARIO].prob[i]);
            snprintf(expr, sizeof expr, "d[\"scenario_stderr\"][%d][%d]", y, s);
            assert_true(json_value(scratch_path("mc.json"), expr) == r.t[SCENMC_T_SCENARIO].stderr_[i]);
        }
    assert_close(json_value(scratch_path("mc.json"), "d[\"n_trajectories\"]"), 20000, 0);
    assert_int_equal(sh("%s report %s --format json | " PY " -m json.tool > /dev/null",
                        SCENMC_BINARY, scratch_path("exact.h5")), 0);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------ small things */

/* 'scenmc help CMD' is CMD's --help, for every command. */
static void test_help_command(void **state)
{
    (void)state;
    static const char *const cmds[] = {"run", "exact", "consistent", "sweep", "sensitivity",
                                       "validate", "info", "import", "export-model", "export",
                                       "report", "merge"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        assert_int_equal(sh("%s help %s > %s", SCENMC_BINARY, cmds[i], scratch_path("a.txt")), 0);
        assert_int_equal(sh("%s %s --help > %s", SCENMC_BINARY, cmds[i], scratch_path("b.txt")), 0);
        assert_int_equal(sh("cmp %s %s", scratch_path("a.txt"), scratch_path("b.txt")), 0);
    }
    assert_int_equal(sh("%s help no-such", SCENMC_BINARY), 2);
    /* One default for -n. */
    assert_int_equal(sh("%s run --help", SCENMC_BINARY), 0);
    assert_null(strstr(sh_out, "the model's, 1000000"));
}

/* The signals line: not in a batch log of a plain -o run; there with --checkpoint.
 * --quiet: no table; --no-progress: the table. */
static void test_run_quiet_signals(void **state)
{
    (void)state;
    assert_int_equal(sh("%s run -n 2000 -o %s 2>&1 < /dev/null | cat", SCENMC_BINARY,
                        scratch_path("s1.h5")), 0);
    assert_null(strstr(sh_out, "a signal"));
    assert_out_has("Throughput");
    assert_int_equal(sh("%s run -n 2000 -o %s --checkpoint %s 2>&1 | cat", SCENMC_BINARY,
                        scratch_path("s2.h5"), scratch_path("s2.ckpt")), 0);
    assert_out_has("stops the run with a checkpoint");
    assert_int_equal(sh("%s run -n 2000 --quiet --progress 2>&1 | cat", SCENMC_BINARY), 0);
    assert_null(strstr(sh_out, "Throughput"));
    assert_int_equal(sh("%s run -n 2000 --no-progress 2>&1 | cat", SCENMC_BINARY), 0);
    assert_out_has("Throughput");
}

/* ------------------------------------------------------------------ ensembles, sweeps, sensitivity */

/* The report and export of an ensemble: the members' quantiles as numpy computes
 * them from /ensemble's per-member table. */
static void test_ensemble_report_export(void **state)
{
    (void)state;
    if (!have_python() || sh(PY " -c 'import h5py, numpy'") != 0)
        skip();
    assert_int_equal(sh("%s run -n 6000 --ensemble 12 --judgement-sd 0.7 --seed 3 -o %s --quiet",
                        SCENMC_BINARY, scratch_path("ens.h5")), 0);
    assert_int_equal(sh("%s report %s > %s", SCENMC_BINARY, scratch_path("ens.h5"), scratch_path("ens.md")), 0);
    assert_int_equal(sh("%s export %s --csv %s -q", SCENMC_BINARY, scratch_path("ens.h5"), scratch_path("ens")), 0);
    if (sh(PY " %s %s %s %s", src_path("tests/cliout/check_ensemble.py"), scratch_path("ens.h5"),
           scratch_path("ens.md"), scratch_path("ens")))
        fail_msg("%s", sh_out);
    assert_int_equal(sh("%s report %s --json | " PY " -c 'import json, sys; "
                        "e = json.load(sys.stdin)[\"ensemble\"]; print(e[\"n_members\"])'",
                        SCENMC_BINARY, scratch_path("ens.h5")), 0);
    assert_int_equal(atoi(sh_out), 12);
}

/* A CSV file of simple fields (no quotes), as rows of fields. */
static int csv_rows(const char *path, char ***cells, int *ncol)
{
    size_t len = 0;
    char *text = slurp(path, &len);
    assert_non_null(text);
    int n = 0, cap = 0;
    *cells = NULL;
    *ncol = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), n++) {
        int c = 0;
        for (char *p = line;; c++) {
            if (n * 64 + c >= cap) {
                cap = 2 * cap + 64 * 64;
                *cells = realloc(*cells, (size_t)cap * sizeof(char *));
            }
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            (*cells)[n * 64 + c] = strdup(p);
            if (!comma)
                break;
            p = comma + 1;
        }
        assert_true(c + 1 <= 64);
        if (!*ncol)
            *ncol = c + 1;
        assert_int_equal(c + 1, *ncol);
    }
    free(text);
    return n;
}

static void free_rows(char **cells, int n, int ncol)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c < ncol; c++)
            free(cells[r * 64 + c]);
    free(cells);
}

/* export and report of a sweep: one row per point x year x scenario with the
 * parameter values, equal to the tables the reader API gives. */
static void test_sweep_export_report(void **state)
{
    (void)state;
    const char *file = src_path("tests/data/v1/sweep.h5");
    assert_int_equal(sh("%s export %s --csv %s -q", SCENMC_BINARY, file, scratch_path("sw")), 0);
    scenmc_model *m = NULL;
    scenmc_sweep_data sw;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sweep_read(file, &m, &sw, NULL, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    char **cell;
    int ncol, n = csv_rows(scratch_path("sw/sweep_scenario.csv"), &cell, &ncol);
    const scenmc_results *r0 = &sw.points[0];
    int Y = r0->n_years, S = r0->n_scenarios, K = sw.n_params;
    assert_int_equal(n - 1, sw.n_points * Y * S);
    assert_string_equal(cell[0], "point");
    assert_string_equal(cell[1], sw.param_names[0]);
    for (int i = 1; i < n; i++) {
        char **w = &cell[i * 64];
        int pt = atoi(w[0]), y = atoi(w[1 + K]) - r0->params.year_start;
        const scenmc_results *r = &sw.points[pt];
        int s = 0;
        while (s < S && strcmp(w[2 + K], s < m->n_scenarios ? m->scenarios[s].name : "unclassified"))
            s++;
        assert_true(s < S && y >= 0 && y < Y);
        assert_true(strtod(w[1], NULL) == sw.values[(size_t)pt * (size_t)K]);
        assert_true(strtod(w[ncol - 2], NULL) == r->t[SCENMC_T_SCENARIO].prob[(size_t)y * (size_t)S + (size_t)s]);
    }
    free_rows(cell, n, ncol);
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, file), 0);
    assert_out_has("## Sweep: 3 points");
    assert_out_has("| 2 | 1 |");
    assert_int_equal(sh("%s report %s --json", SCENMC_BINARY, file), 2);
    scenmc_sweep_data_free(&sw);
    scenmc_model_free(m);
}

/* export of a sensitivity file: the effects and their standard errors as read. */
static void test_sensitivity_export_report(void **state)
{
    (void)state;
    const char *file = src_path("tests/data/v1/sensitivity.h5");
    assert_int_equal(sh("%s export %s --csv %s -q", SCENMC_BINARY, file, scratch_path("se")), 0);
    scenmc_model *m = NULL;
    scenmc_params base;
    scenmc_sensitivity_result sr;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sensitivity_read(file, &m, &base, &sr, NULL, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    char **cell;
    int ncol, n = csv_rows(scratch_path("se/sensitivity.csv"), &cell, &ncol);
    assert_int_equal(n - 1, sr.n_cells * sr.n_scenarios);
    for (int i = 1; i < n; i++) {
        char **w = &cell[i * 64];
        size_t k = (size_t)atoi(w[0]), j = (size_t)(i - 1) % (size_t)sr.n_scenarios;
        assert_string_equal(w[2], m->variant_name[sr.u[k]]);
        assert_string_equal(w[4], m->variant_name[sr.v[k]]);
        assert_true(strtod(w[ncol - 2], NULL) == sr.effect[k * (size_t)sr.n_scenarios + j]);
        assert_true(strtod(w[ncol - 1], NULL) == sr.stderr_[k * (size_t)sr.n_scenarios + j]);
    }
    free_rows(cell, n, ncol);
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, file), 0);
    assert_out_has("## Sensitivity to each consistency score");
    scenmc_sensitivity_free(&sr);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* The tutorial's Python (pandas) and R routes, on an export with --order. */
static void test_tutorial_routes(void **state)
{
    (void)state;
    assert_int_equal(sh("%s export %s --csv %s -q --order --labels en", SCENMC_BINARY, scratch_path("mc.h5"),
                        scratch_path("tables")), 0);
    if (have_python() && sh(PY " -c 'import pandas'") == 0 &&
        sh(PY " %s %s", src_path("tests/cliout/tutorial_python.py"), scratch_path("tables")) != 0)
        fail_msg("%s", sh_out);
    if (access("/usr/bin/Rscript", X_OK) == 0 &&
        sh("/usr/bin/Rscript %s %s", src_path("tests/cliout/tutorial_r.R"), scratch_path("tables")) != 0)
        fail_msg("%s", sh_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consistent_mass_exact),
        cmocka_unit_test(test_consistent_mass_mc),
        cmocka_unit_test(test_consistent_csv),
        cmocka_unit_test(test_consistent_other_model),
        cmocka_unit_test(test_export_excel),
        cmocka_unit_test(test_export_order_labels),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_help_command),
        cmocka_unit_test(test_run_quiet_signals),
        cmocka_unit_test(test_ensemble_report_export),
        cmocka_unit_test(test_sweep_export_report),
        cmocka_unit_test(test_sensitivity_export_report),
        cmocka_unit_test(test_tutorial_routes),
    };
    return cmocka_run_group_tests(tests, files_setup, scratch_teardown);
}
