/* Changes over time in model files and sweeps (task schedio, issue 18): the
 * loader's trends:, interventions: and shocks: sections, their errors
 * (file:line and what was expected), the writer's round trip, params_init's
 * copy, scenmc info, and the sweep parameters trend.K.scale,
 * intervene.K.year and shock.K.hazard. Expected values are the command-line
 * forms' (scenmc_schedule_add_*) or worked out by hand here. */
#include "testutil.h"

#include "model/yaml_write.h"
#include "scenmc/schedule.h"
#include "scenmc/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default model with `extra` appended; *first_line is the line of its
 * first line in the whole text. */
static char *with_sections(const char *extra, int *first_line)
{
    size_t len;
    const char *base = scenmc_default_model_text(&len);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += base[i] == '\n';
    if (first_line)
        *first_line = lines + 1 + (len && base[len - 1] != '\n');
    size_t n = len + strlen(extra) + 2;
    char *t = malloc(n);
    snprintf(t, n, "%.*s%s%s", (int)len, base, len && base[len - 1] != '\n' ? "\n" : "", extra);
    return t;
}

static const char sections[] = "trends:\n"                                            /* +0 */
                               "  - {name: data pressure, variant: DA=Datamonopol, bias: {2020: 0, 2030: 2}}\n"
                               "  - name: public push\n"                              /* +2 */
                               "    variant: FI=Offentligt\n"
                               "    years: 2023-2026\n"
                               "    bias: 1.5\n"
                               "  - {name: steady, variant: DA=Datamonopol, bias: 0.25}\n" /* +6 */
                               "interventions:\n"
                               "  - {name: public financing, variant: FI=Offentligt, years: 2023}\n" /* +8 */
                               "  - {name: short, variant: FI=Offentligt, years: 2025-2026}\n"
                               "shocks:\n"
                               "  - {name: pandemic, variant: DA=Datamonopol, years: 2022-2030, hazard: 0.1}\n"
                               "  - {name: any time, variant: DA=Datamonopol, hazard: 0.05}\n"; /* +12 */

static scenmc_model *load_text(const char *text, scenmc_error *err)
{
    scenmc_model *m = NULL;
    scenmc_error_clear(err);
    scenmc_model_parse(text, strlen(text), "m.yaml", &m, err);
    return m;
}

static scenmc_model *load_sections(int *first_line)
{
    char *t = with_sections(sections, first_line);
    scenmc_error err;
    scenmc_model *m = load_text(t, &err);
    if (!m)
        fail_msg("%s", err.msg);
    free(t);
    return m;
}

static void assert_same_change(const scenmc_change *a, const scenmc_change *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->descriptor, b->descriptor);
    assert_int_equal(a->variant, b->variant);
    assert_int_equal(a->first, b->first);
    assert_int_equal(a->last, b->last);
    assert_int_equal(a->n_knots, b->n_knots);
    for (int k = 0; k < a->n_knots; k++) {
        assert_int_equal(a->knot_year[k], b->knot_year[k]);
        assert_true(a->knot_value[k] == b->knot_value[k]);
    }
    assert_true(a->value == b->value);
}

/* Every entry loads as the command-line form that says the same. */
static void test_sections_load(void **state)
{
    (void)state;
    int at;
    scenmc_model *m = load_sections(&at);
    assert_non_null(m->schedule);
    assert_int_equal(m->schedule->n, 7);
    scenmc_schedule cli;
    scenmc_schedule_init(&cli);
    scenmc_error err;
    scenmc_error_clear(&err);
    const int end = m->year_end; /* 2030 */
    assert_int_equal(scenmc_schedule_add_trend(&cli, m, "DA=Datamonopol:2020=0,2030=2", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_push(&cli, m, "2023-2026:FI=Offentligt:1.5", end, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_trend(&cli, m, "DA=Datamonopol:2020=0.25", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_intervention(&cli, m, "2023:FI=Offentligt", end, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_intervention(&cli, m, "2025-2026:FI=Offentligt", end, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(&cli, m, "2022-2030:DA=Datamonopol@0.1", end, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(&cli, m, "2020-2030:DA=Datamonopol@0.05", end, &err), SCENMC_OK);
    assert_int_equal(cli.n, 7);
    for (int i = 0; i < 7; i++)
        assert_same_change(&m->schedule->ch[i], &cli.ch[i]);
    /* And so acts the same in every year. */
    for (int y = 2015; y <= 2035; y++) {
        for (int u = 0; u < m->n_variants; u++)
            assert_true(scenmc_schedule_bias(m->schedule, m, y, u) == scenmc_schedule_bias(&cli, m, y, u));
        for (int d = 0; d < m->n_descriptors; d++)
            assert_int_equal(scenmc_schedule_held(m->schedule, y, d), scenmc_schedule_held(&cli, y, d));
    }
    /* Hand-worked values: 0.6 + 0.25 in 2023; the push 1.5 in 2023-2026 only. */
    int da = scenmc_model_find_descriptor(m, "DA"), fi = scenmc_model_find_descriptor(m, "FI");
    int u_da = m->descriptors[da].offset + scenmc_model_find_variant(m, da, "Datamonopol");
    int b_fi = scenmc_model_find_variant(m, fi, "Offentligt"), u_fi = m->descriptors[fi].offset + b_fi;
    assert_close(scenmc_schedule_bias(m->schedule, m, 2023, u_da), 0.85, 1e-15);
    assert_close(scenmc_schedule_bias(m->schedule, m, 2022, u_fi), 0, 0);
    assert_close(scenmc_schedule_bias(m->schedule, m, 2026, u_fi), 1.5, 0);
    assert_close(scenmc_schedule_bias(m->schedule, m, 2027, u_fi), 0, 0);
    assert_int_equal(scenmc_schedule_held(m->schedule, 2022, fi), -1);
    assert_int_equal(scenmc_schedule_held(m->schedule, 2030, fi), b_fi);
    assert_close(scenmc_schedule_hazard(m->schedule, 2021, da, u_da - m->descriptors[da].offset), 0.05, 1e-15);
    assert_close(scenmc_schedule_hazard(m->schedule, 2022, da, u_da - m->descriptors[da].offset), 0.15, 1e-15);
    /* Names and where each was given. */
    const char *names[] = {"data pressure", "public push", "steady", "public financing", "short", "pandemic",
                           "any time"};
    const int offs[] = {1, 2, 6, 8, 9, 11, 12};
    for (int i = 0; i < 7; i++) {
        char where[64];
        snprintf(where, sizeof where, "m.yaml:%d", at + offs[i]);
        assert_string_equal(m->schedule->ch[i].name, names[i]);
        assert_string_equal(m->schedule->ch[i].where, where);
    }
    scenmc_schedule_free(&cli);
    scenmc_model_free(m);
}

/* A model without the sections has no schedule, and its params none. */
static void test_no_sections(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    assert_null(m->schedule);
    scenmc_params p;
    scenmc_params_init(&p, m);
    assert_null(p.schedule);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* params_init copies the file's changes; the command line's come after. */
static void test_params_init_copies(void **state)
{
    (void)state;
    scenmc_model *m = load_sections(NULL);
    scenmc_params p;
    scenmc_params_init(&p, m);
    assert_non_null(p.schedule);
    assert_ptr_not_equal(p.schedule, m->schedule);
    assert_int_equal(p.schedule->n, m->schedule->n);
    for (int i = 0; i < m->schedule->n; i++) {
        assert_same_change(&p.schedule->ch[i], &m->schedule->ch[i]);
        assert_string_equal(p.schedule->ch[i].name, m->schedule->ch[i].name);
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_shock(p.schedule, m, "2024:DA=1@0.3", p.year_end, &err), SCENMC_OK);
    assert_int_equal(p.schedule->n, m->schedule->n + 1);
    assert_int_equal(m->schedule->n, 7); /* the model's own is untouched */
    assert_true(p.schedule->ch[7].value == 0.3);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The writer's YAML loads back to the same changes (a push as a push). */
static void test_write_round_trip(void **state)
{
    (void)state;
    scenmc_model *m = load_sections(NULL);
    char *yaml = NULL;
    size_t len = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc__model_to_yaml(m, NULL, &yaml, &len, &err), SCENMC_OK);
    assert_non_null(strstr(yaml, "\ntrends:\n"));
    assert_non_null(strstr(yaml, "    years: 2023-2026\n    bias: 1.5\n"));
    scenmc_model *back = NULL;
    scenmc_error_clear(&err);
    if (scenmc_model_parse(yaml, len, "back.yaml", &back, &err) != SCENMC_OK)
        fail_msg("%s\n%s", err.msg, yaml);
    assert_int_equal(back->schedule->n, m->schedule->n);
    for (int i = 0; i < m->schedule->n; i++) {
        assert_same_change(&back->schedule->ch[i], &m->schedule->ch[i]);
        assert_string_equal(back->schedule->ch[i].name, m->schedule->ch[i].name);
    }
    /* The text differs, so does the SHA-256; the model without changes writes none. */
    assert_memory_not_equal(back->sha256, m->sha256, 32);
    free(yaml);
    scenmc_model_free(back);
    scenmc_model_free(m);
    m = default_model();
    assert_int_equal(scenmc__model_to_yaml(m, NULL, &yaml, &len, &err), SCENMC_OK);
    assert_null(strstr(yaml, "trends:"));
    assert_null(strstr(yaml, "shocks:"));
    free(yaml);
    scenmc_model_free(m);
}

/* Each bad entry is refused with m.yaml:LINE:COLUMN and what was expected. */
static void test_errors_name_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *expect;
    } cases[] = {
        {"trends:\n  - {name: a, variant: XX=Datamonopol, bias: 1}\n", "unknown descriptor 'XX'"},
        {"trends:\n  - {name: a, variant: DA=Nope, bias: 1}\n", "unknown variant 'Nope' of DA"},
        {"trends:\n  - {name: a, variant: DA, bias: 1}\n", "expected ID=VARIANT"},
        {"trends:\n  - {name: a, variant: DA=Datamonopol, bias: {2025: 1, 2021: 0}}\n", "not increasing"},
        {"trends:\n  - {name: a, variant: DA=Datamonopol, years: 2023, bias: {2025: 1}}\n", "years and a bias per year"},
        {"trends:\n  - {name: a, variant: DA=Datamonopol}\n", "has no 'bias'"},
        {"trends:\n  - {name: a, variant: DA=Datamonopol, bias: x}\n", "expected a number"},
        {"trends:\n  - {variant: DA=Datamonopol, bias: 1}\n", "has no 'name'"},
        {"interventions:\n  - {name: a, variant: FI=Offentligt}\n", "has no 'years'"},
        {"interventions:\n  - {name: a, variant: FI=Offentligt, years: 2026-2023}\n", "first year at most"},
        {"interventions:\n  - {name: a, variant: FI=Offentligt, years: soon}\n", "expected YEAR"},
        {"interventions:\n  - {name: a, variant: FI=Offentligt, year: 2023}\n", "unknown key 'year'"},
        {"shocks:\n  - {name: a, variant: DA=Datamonopol, hazard: -0.1}\n", "expected a number >= 0"},
        {"shocks:\n  - {name: a, variant: DA=Datamonopol, years: 2022}\n", "has no 'hazard'"},
        {"shocks: {name: a}\n", "expected a list"},
        {"shocks:\n  - {name: a, variant: DA=Datamonopol, hazard: 1}\n  - {name: a, variant: DA=Datamonopol, "
         "hazard: 2}\n", "is used before (m.yaml:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int at;
        char *t = with_sections(cases[i].text, &at);
        scenmc_error err;
        scenmc_model *m = load_text(t, &err);
        free(t);
        if (m)
            fail_msg("case %zu loaded: %s", i, cases[i].text);
        int line = strstr(cases[i].expect, "used before") ? at + 2 : strstr(cases[i].text, "shocks: {") ? at : at + 1;
        char where[64];
        snprintf(where, sizeof where, "m.yaml:%d:", line);
        if (!strstr(err.msg, where) || !strstr(err.msg, cases[i].expect))
            fail_msg("case %zu: expected '%s' and '%s' in: %s", i, where, cases[i].expect, err.msg);
    }
}

/* ---------------------------------------------------------------- sweeps */

static void parse_or_fail(const scenmc_model *m, const char *arg, scenmc_sweep_param *q)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sweep_param_parse(m, arg, q, &err) != SCENMC_OK)
        fail_msg("%s: %s", arg, err.msg);
}

/* trend.K.scale multiplies every knot, intervene.K.year moves the first
 * year, shock.K.hazard sets the hazard; K counts the file's changes first. */
static void test_sweep_params_apply(void **state)
{
    (void)state;
    scenmc_model *m = load_sections(NULL);
    scenmc_params base;
    scenmc_params_init(&base, m);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_shock(base.schedule, m, "2025:FI=1@0.2", base.year_end, &err), SCENMC_OK);
    scenmc_sweep_param q[3];
    parse_or_fail(m, "trend.2.scale=0,2", &q[0]);
    parse_or_fail(m, "intervene.2.year=2021:2026:1", &q[1]);
    parse_or_fail(m, "shock.3.hazard=0,0.5", &q[2]);
    assert_int_equal(q[0].kind, SCENMC_SWEEP_TREND_SCALE);
    assert_int_equal(q[1].n_values, 6);
    double point[3] = {2, 2024, 0.5};
    scenmc_params p;
    scenmc_params_copy(&p, &base);
    assert_int_equal(scenmc_sweep_apply(m, q, 3, point, &p, &err), SCENMC_OK);
    /* Trend 2 is the push: 1.5 -> 3 in its years, 0 outside. */
    const scenmc_change *t = &p.schedule->ch[1];
    assert_true(t->knot_value[0] == 0 && t->knot_value[1] == 3 && t->knot_value[2] == 3 && t->knot_value[3] == 0);
    assert_true(p.schedule->ch[0].knot_value[1] == 2); /* trend 1 unchanged */
    assert_int_equal(p.schedule->ch[4].first, 2024);    /* intervention 2 ("short") */
    assert_int_equal(p.schedule->ch[4].last, 2026);
    assert_int_equal(p.schedule->ch[3].first, 2023);
    assert_true(p.schedule->ch[7].value == 0.5); /* shock 3: the command line's */
    assert_true(p.schedule->ch[5].value == 0.1);
    assert_true(base.schedule->ch[1].knot_value[1] == 1.5); /* the base is a copy's source only */
    scenmc_params_free(&p);
    /* A first year after the last, a K beyond the changes: refused by name. */
    double late[3] = {1, 2027, 0};
    scenmc_params_copy(&p, &base);
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_sweep_apply(m, q, 3, late, &p, &err), SCENMC_OK);
    assert_non_null(strstr(err.msg, "after the intervention's last year 2026"));
    scenmc_params_free(&p);
    scenmc_sweep_param far;
    parse_or_fail(m, "shock.4.hazard=1", &far);
    scenmc_params_copy(&p, &base);
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_sweep_apply(m, &far, 1, point, &p, &err), SCENMC_OK);
    assert_non_null(strstr(err.msg, "there are 3 shocks"));
    scenmc_params_free(&p);
    scenmc_sweep_param_free(&far);
    for (int j = 0; j < 3; j++)
        scenmc_sweep_param_free(&q[j]);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

static void test_sweep_param_names(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    static const char *bad[] = {"trend.0.scale=1", "trend.1.bias=1", "trend.x.scale=1", "shock.1.hazard=-1",
                                "intervene.1.year=2023.5", "trend.1.scale.x=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scenmc_sweep_param q;
        scenmc_error err;
        scenmc_error_clear(&err);
        if (scenmc_sweep_param_parse(m, bad[i], &q, &err) == SCENMC_OK)
            fail_msg("%s was accepted", bad[i]);
    }
    /* The same change twice is refused by the design. */
    scenmc_sweep_param q[2];
    parse_or_fail(m, "shock.1.hazard=0,1", &q[0]);
    parse_or_fail(m, "shock.1.hazard=2", &q[1]);
    double *v = NULL;
    int n = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_sweep_design(q, 2, 0, 1, &v, &n, &err), SCENMC_OK);
    free(v);
    scenmc_sweep_param_free(&q[0]);
    scenmc_sweep_param_free(&q[1]);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- results files */

/* A run of the model with the sections, made without its changes (no engine
 * simulates them yet), then given the model's changes and one of the command
 * line's: the file records what params.schedule says, and reads back to it. */
static void test_results_round_trip(void **state)
{
    (void)state;
    scenmc_model *m = load_sections(NULL);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_schedule_free(p.schedule);
    free(p.schedule);
    p.schedule = NULL;
    p.n_trajectories = 2000;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 1};
    scenmc_results r;
    if (scenmc_run(m, &p, &opt, &r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    char plain[512], path[512];
    snprintf(plain, sizeof plain, "%s/plain.h5", scratch_dir);
    snprintf(path, sizeof path, "%s/sched.h5", scratch_dir);
    scenmc_write_options wo = {.command_line = "test_schedio", .force = 1};
    assert_int_equal(scenmc_output_write(plain, &r, &wo, &err), SCENMC_OK);
    scenmc_schedule *s = malloc(sizeof *s);
    scenmc_schedule_copy(s, m->schedule);
    assert_int_equal(scenmc_schedule_add_shock(s, m, "2024-2026:FI=2@0.3", p.year_end, &err), SCENMC_OK);
    r.params.schedule = s;
    assert_int_equal(scenmc_output_write(path, &r, &wo, &err), SCENMC_OK);
    scenmc_model *m2;
    scenmc_results back;
    read_or_fail(path, &m2, &back);
    assert_non_null(back.params.schedule);
    assert_int_equal(back.params.schedule->n, 8);
    for (int i = 0; i < 8; i++) {
        const scenmc_change *a = &back.params.schedule->ch[i], *b = &s->ch[i];
        assert_same_change(a, b);
        assert_true((a->name == NULL) == (b->name == NULL));
        if (a->name)
            assert_string_equal(a->name, b->name);
        assert_string_equal(a->where, b->where);
    }
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    /* Without changes: no group, and none read back (not even the model's own). */
    read_or_fail(plain, &m2, &back);
    assert_null(back.params.schedule);
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    assert_int_equal(sh("/usr/bin/python3 -c 'import h5py,sys; print(\"schedule\" in h5py.File(sys.argv[1]))' %s",
                        plain), 0);
    assert_non_null(strstr(sh_out, "False"));
    /* netCDF-4: named dimensions and coordinates, as the rest of the file. */
    assert_int_equal(sh("/usr/bin/python3 -c 'import xarray as xr,sys; d=xr.open_dataset(sys.argv[1], "
                        "group=\"schedule\", engine=\"netcdf4\"); print(dict(d.sizes), list(d.kind.values), "
                        "float(d.hazard[7]), int(d.knot_change[4]))' %s", path), 0);
    assert_non_null(strstr(sh_out, "{'change': 8, 'knot': 7}"));
    assert_non_null(strstr(sh_out, "'trend', 'trend', 'trend', 'intervention', 'intervention', 'shock', 'shock', "
                                   "'shock'] 0.3 1"));
    /* The report lists the changes; the export's metadata has them. */
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, path), 0);
    assert_non_null(strstr(sh_out, "Changes over time"));
    assert_non_null(strstr(sh_out, "events at 0.3 per year set FI to"));
    assert_non_null(strstr(sh_out, "bias 1.5 on FI = Offentligt from the start of 2023 to the end of 2026"));
    /* a hold to the last year: no dynamics run after it (docs/model.md 12.2) */
    assert_non_null(strstr(sh_out, "FI held at Offentligt from 2023 to the end of the run (2030)"));
    assert_non_null(strstr(sh_out, "FI held at Offentligt from the start of 2025 to the end of 2026"));
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, plain), 0);
    assert_null(strstr(sh_out, "Changes over time"));
    assert_int_equal(sh("cd %s && %s export sched.h5 --csv csv && grep '^change:' csv/metadata.csv", scratch_dir,
                        SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "change:8:hazard,0.3\n"));
    assert_non_null(strstr(sh_out, "change:1:knots,2020=0;2030=2\n"));
    assert_non_null(strstr(sh_out, "change:4:variant,FI=Offentligt\n"));
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- the command line */

static void test_info_lists_changes(void **state)
{
    (void)state;
    char *t = with_sections(sections, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/changes.yaml", scratch_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(t, f);
    fclose(f);
    free(t);
    assert_int_equal(sh("%s info %s", SCENMC_BINARY, path), 0);
    assert_non_null(strstr(sh_out, "changes over time"));
    assert_non_null(strstr(sh_out, "shock        pandemic: DA = Datamonopol, 2022-2030, hazard 0.1 per year"));
    assert_non_null(strstr(sh_out, "intervention public financing: FI = Offentligt, held 2023-2030"));
    assert_non_null(strstr(sh_out, "trend        data pressure: DA = Datamonopol, bias 0 in 2020, 2 in 2030"));
    assert_int_equal(sh("%s info --json %s | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)"
                        "[\"schedule\"]; print(len(s), s[6][\"kind\"], s[6][\"hazard\"], s[1][\"knots\"])'",
                        SCENMC_BINARY, path), 0);
    assert_non_null(strstr(sh_out, "7 shock 0.05 [[2022, 0], [2023, 1.5], [2026, 1.5], [2027, 0]]"));
    /* The built-in model says nothing of changes. */
    assert_int_equal(sh("%s info", SCENMC_BINARY), 0);
    assert_null(strstr(sh_out, "changes over time"));
    /* sweep --help names the new parameters and options. */
    assert_int_equal(sh("%s sweep --help", SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "trend.K.scale"));
    assert_non_null(strstr(sh_out, "shock.K.hazard"));
    assert_non_null(strstr(sh_out, "--intervene"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_load),
        cmocka_unit_test(test_no_sections),
        cmocka_unit_test(test_params_init_copies),
        cmocka_unit_test(test_write_round_trip),
        cmocka_unit_test(test_errors_name_line),
        cmocka_unit_test(test_sweep_params_apply),
        cmocka_unit_test(test_sweep_param_names),
        cmocka_unit_test(test_info_lists_changes),
        cmocka_unit_test(test_results_round_trip),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
