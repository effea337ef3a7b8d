/* Task obsfile (issue 17): the observations file (docs/model-format.md), the
 * conditioning in results files (docs/file-format.md) and in the report. */
#include "testutil.h"
#include "model/obs_file.h"
#include "scenmc/hpc.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static scenmc_model *vn; /* the built-in Västernorrland model */

static void *scenmc__xcalloc_test(size_t n)
{
    void *p = calloc(1, n);
    assert_non_null(p);
    return p;
}

static int group_setup(void **state)
{
    vn = default_model();
    return scratch_setup(state);
}

static int group_teardown(void **state)
{
    scenmc_model_free(vn);
    return scratch_teardown(state);
}

/* Parses text as "obs.yaml"; returns the status, the messages in err. */
static scenmc_status parse(const char *text, scenmc_observations *o, scenmc_error *err)
{
    scenmc_observations_init(o);
    scenmc_error_clear(err);
    return scenmc__observations_parse(o, vn, text, strlen(text), "obs.yaml", err);
}

static void parse_ok(const char *text, scenmc_observations *o)
{
    scenmc_error err;
    if (parse(text, o, &err) != SCENMC_OK)
        fail_msg("did not parse:\n%s", err.msg);
}

/* The text fails, and its messages hold `want` (e.g. "obs.yaml:3:"). */
static void parse_fails(const char *text, const char *want)
{
    scenmc_observations o;
    scenmc_error err;
    if (parse(text, &o, &err) == SCENMC_OK)
        fail_msg("parsed but should not:\n%s", text);
    assert_int_equal(err.code, SCENMC_E_INPUT);
    if (!strstr(err.msg, want))
        fail_msg("message lacks '%s':\n%s", want, err.msg);
    assert_int_equal(o.n, 0); /* all or nothing */
    assert_null(o.start);
    scenmc_observations_free(&o);
}

/* Observations made for another model are refused by every entry point
 * before a likelihood is read (the check has the model), not read past. */
static void test_foreign_model(void **state)
{
    (void)state;
    scenmc_model *small = model_from_string(test_small_model);
    scenmc_params p;
    scenmc_params_init(&p, small);
    p.n_trajectories = 1000;
    const double lik5[5] = {1, 0, 0, 0, 0};
    for (int which = 0; which < 3; which++) {
        scenmc_observations o;
        scenmc_observations_init(&o);
        if (which == 0) /* a descriptor the small model does not have */
            scenmc_observations_add(&o, 1, small->n_descriptors + 3, lik5, 3, "foreign:1");
        else if (which == 1) /* one of its descriptors, with the wrong number of variants */
            scenmc_observations_add(&o, 1, 0, lik5, 5, "foreign:2");
        else { /* a start state of another model's size */
            o.start = calloc((size_t)small->n_descriptors + 2, sizeof(int));
            o.n_start = small->n_descriptors + 2;
        }
        const char *want = which < 2 ? "not an observation of this model" : "observed start state has";
        scenmc_error err;
        scenmc_results r;
        double ev, prob[8];
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_exact_given(small, &p, &o, 1, &r, &err), SCENMC_E_INPUT);
        assert_non_null(strstr(err.msg, want));
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_exact_filter(small, &p, &o, 1, &ev, prob, &err), SCENMC_E_INPUT);
        assert_non_null(strstr(err.msg, want));
        scenmc_run_options opt = {.threads = 1, .given = &o};
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_run(small, &p, &opt, &r, &err), SCENMC_E_INPUT);
        assert_non_null(strstr(err.msg, want));
        scenmc_observations_free(&o);
    }
    /* A start of the right size that is not the parameters' fixed start: the
     * run would draw another start, so it refuses; as the fixed start it runs. */
    scenmc_observations o;
    scenmc_observations_init(&o);
    o.start = calloc((size_t)small->n_descriptors, sizeof(int));
    o.n_start = small->n_descriptors;
    scenmc_run_options opt = {.threads = 1, .given = &o};
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(small, &p, &opt, &r, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "not the parameters' fixed start"));
    p.start = calloc((size_t)small->n_descriptors, sizeof(int));
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(small, &p, &opt, &r, &err), SCENMC_OK);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(small);
}

/* ------------------------------------------------------------ the file */

static void test_hard_and_soft(void **state)
{
    (void)state;
    scenmc_observations o;
    parse_ok("# observed\n"
             "observations:\n"
             "  - year: 2023\n"
             "    DA: Datamonopol\n"
             "  - year: 2024\n"
             "    SY: {Medborgare: 0.8, Verksamhet: 0.2}\n"
             "    KM: 2\n"
             "    FI: [0.5, 0, 0.25, 1]\n",
             &o);
    assert_int_equal(o.n, 4);
    int DA = scenmc_model_find_descriptor(vn, "DA"), SY = scenmc_model_find_descriptor(vn, "SY");
    assert_int_equal(o.obs[0].year, 2023);
    assert_int_equal(o.obs[0].descriptor, DA);
    assert_int_equal(o.obs[0].n_variants, 4);
    assert_true(o.obs[0].hard);
    assert_true(o.obs[0].likelihood[2] == 1 && o.obs[0].likelihood[0] == 0 && o.obs[0].likelihood[3] == 0);
    assert_string_equal(o.obs[0].where, "obs.yaml:4");
    assert_int_equal(o.obs[1].year, 2024);
    assert_int_equal(o.obs[1].descriptor, SY);
    assert_false(o.obs[1].hard);
    assert_true(o.obs[1].likelihood[0] == 0.8 && o.obs[1].likelihood[1] == 0.2);
    assert_string_equal(o.obs[1].where, "obs.yaml:6");
    /* KM: 2 is the second variant, by its 1-based number */
    assert_true(o.obs[2].hard && o.obs[2].likelihood[1] == 1);
    assert_true(o.obs[3].likelihood[0] == 0.5 && o.obs[3].likelihood[1] == 0 && o.obs[3].likelihood[2] == 0.25 &&
                o.obs[3].likelihood[3] == 1);
    assert_null(o.start);
    /* The likelihood of a state: the product over the year's observations. */
    int s[10] = {0};
    s[SY] = 0;
    s[scenmc_model_find_descriptor(vn, "KM")] = 1;
    s[scenmc_model_find_descriptor(vn, "FI")] = 2;
    assert_close(scenmc_observations_likelihood(&o, 2024, s), 0.8 * 1 * 0.25, 1e-15);
    scenmc_observations_free(&o);
}

static void test_soft_left_out_is_zero(void **state)
{
    (void)state;
    scenmc_observations o;
    parse_ok("observations:\n  - {year: 2025, EK: {Omöjligt: 0.3}}\n", &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.obs[0].n_variants, 3);
    assert_true(o.obs[0].likelihood[0] == 0 && o.obs[0].likelihood[1] == 0 && o.obs[0].likelihood[2] == 0.3);
    assert_false(o.obs[0].hard);
    scenmc_observations_free(&o);
}

static void test_start(void **state)
{
    (void)state;
    scenmc_observations o;
    parse_ok("start: {IK: Lokala aktörer, KR: 2, KO: 1, EK: Utmanande, DA: Kund, SY: Verksamhet,\n"
             "        RE: 3, FS: Få samarbeten, FI: Offentligt, KM: 4}\n",
             &o);
    assert_int_equal(o.n, 0);
    assert_non_null(o.start);
    assert_int_equal(o.n_start, 10);
    int want[10] = {0, 1, 0, 1, 0, 1, 2, 2, 0, 3};
    for (int d = 0; d < 10; d++)
        assert_int_equal(o.start[d], want[d]);
    scenmc_observations_free(&o);
}

/* Every kind of mistake names the file, the line and what was expected. */
static void test_errors(void **state)
{
    (void)state;
    parse_fails("observations:\n  - year: 2023\n    XX: Kund\n", "obs.yaml:3:5: unknown descriptor 'XX'");
    parse_fails("observations:\n  - year: 2023\n    DA: Kunden\n",
                "obs.yaml:3:9: 'Kunden' is not a variant of DA; expected a name, id or number 1..4");
    parse_fails("observations:\n  - year: 2023\n    DA: 5\n", "obs.yaml:3:9: '5' is not a variant of DA");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: -0.1}\n",
                "obs.yaml:3:22: a likelihood of SY is '-0.1'; expected a number from 0 to 1");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: lots}\n", "a likelihood of SY is 'lots'");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: .nan}\n", "a likelihood of SY is '.nan'");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: '0.5'}\n", "a likelihood of SY is '0.5'");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: 1.5}\n", "expected a number from 0 to 1");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: 0, Verksamhet: 0}\n",
                "obs.yaml:3:9: every likelihood of SY is 0");
    parse_fails("observations:\n  - year: 2023\n    SY: [0.5]\n",
                "obs.yaml:3:9: 1 likelihoods for SY; expected one per variant, 2");
    parse_fails("observations:\n  - year: 2023\n    SY: {Medborgare: 0.5, 1: 0.2}\n",
                "obs.yaml:3:27: variant 'Medborgare' of SY is given twice (first at line 3)");
    parse_fails("observations:\n  - year: 2023.5\n    DA: Kund\n",
                "obs.yaml:2:11: year is '2023.5'; expected a whole number");
    parse_fails("observations:\n  - year: soon\n    DA: Kund\n", "year is 'soon'; expected a whole number");
    parse_fails("observations:\n  - DA: Kund\n", "obs.yaml:2:5: the observation has no 'year'");
    parse_fails("observations:\n  - year: 2023\n", "obs.yaml:2:5: the observation has no descriptor");
    parse_fails("observations:\n  - year: 2023\n    DA: Kund\n    DA: Leverantör\n",
                "obs.yaml:4:5: key 'DA' appears twice in an observation (first at line 3)");
    parse_fails("observations:\n  - year: 2023\n    year: 2024\n    DA: Kund\n", "key 'year' appears twice");
    parse_fails("observations:\n  - 2023\n", "obs.yaml:2:5: an observation is text; expected a mapping");
    parse_fails("observations: {year: 2023}\n", "obs.yaml:1:15: 'observations' is a mapping; expected a list");
    parse_fails("- year: 2023\n", "obs.yaml:1:1: the top level is a list; expected a mapping");
    parse_fails("observation:\n  - year: 2023\n", "obs.yaml:1:1: unknown key 'observation' at the top level");
    parse_fails("", "the file is empty");
    parse_fails("# nothing\n", "the file is empty");
    parse_fails("description: x\n", "no 'observations' and no 'start'");
    parse_fails("observations: [\n", "obs.yaml:2:1: not valid YAML");
    parse_fails("observations:\n  - &a {year: 2023, DA: Kund}\n  - *a\n", "obs.yaml:3:5: a YAML alias");
    parse_fails("observations: []\n---\nstart: {}\n", "a second YAML document");
    parse_fails("start: {IK: 1}\n", "obs.yaml:1:8: 'start' has no variant for KR");
    parse_fails("start: {IK: 1, IK: 2}\n", "key 'IK' appears twice in 'start'");
    parse_fails("start: [1, 2]\n", "'start' is a list; expected a mapping");
    /* Several problems at once: every one is reported. */
    scenmc_observations o;
    scenmc_error err;
    assert_int_not_equal(parse("observations:\n  - {year: x, DA: Nej}\n  - {year: 2024, ZZ: 1}\n", &o, &err),
                         SCENMC_OK);
    assert_int_equal(err.n_problems, 3);
    scenmc_observations_free(&o);
}

/* A bad file leaves what earlier sources gave untouched (all or nothing). */
static void test_all_or_nothing(void **state)
{
    (void)state;
    scenmc_observations o;
    parse_ok("observations:\n  - {year: 2023, DA: Kund}\n", &o);
    scenmc_error err;
    scenmc_error_clear(&err);
    const char *bad = "observations:\n  - {year: 2024, DA: Kund}\n  - {year: 2025, DA: Nej}\n";
    assert_int_not_equal(scenmc__observations_parse(&o, vn, bad, strlen(bad), "b.yaml", &err), SCENMC_OK);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.obs[0].year, 2023);
    /* A second start state is refused. */
    const char *s1 = "start: {IK: 1, KR: 1, KO: 1, EK: 1, DA: 1, SY: 1, RE: 1, FS: 1, FI: 1, KM: 1}\n";
    scenmc_error_clear(&err);
    assert_int_equal(scenmc__observations_parse(&o, vn, s1, strlen(s1), "s.yaml", &err), SCENMC_OK);
    int *start = o.start;
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc__observations_parse(&o, vn, s1, strlen(s1), "s2.yaml", &err), SCENMC_OK);
    assert_non_null(strstr(err.msg, "s2.yaml:1:8: a start state was given already"));
    assert_ptr_equal(o.start, start);
    scenmc_observations_free(&o);
}

/* The file on disk: source and where carry its path; the fixture in
 * tests/data/obs/ is the example of docs/model-format.md. */
static void test_load_file(void **state)
{
    (void)state;
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_error err;
    scenmc_error_clear(&err);
    const char *path = src_path("tests/data/obs/vasternorrland.yaml");
    if (scenmc_observations_load(&o, vn, path, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(o.source, path);
    assert_int_equal(o.n, 3);
    char want[1100];
    snprintf(want, sizeof want, "%s:5", path);
    assert_string_equal(o.obs[0].where, want);
    assert_non_null(o.start);
    scenmc_params p;
    scenmc_params_init(&p, vn);
    assert_int_equal(scenmc_observations_check(vn, &o, &p, &err), SCENMC_OK);
    scenmc_params_free(&p);
    scenmc_observations_free(&o);
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_observations_load(&o, vn, "/nonexistent/obs.yaml", &err), SCENMC_OK);
    assert_non_null(strstr(err.msg, "/nonexistent/obs.yaml"));
    scenmc_observations_free(&o);
}

/* docs/model-format.md shows the fixture verbatim (its example must load). */
static void test_doc_example(void **state)
{
    (void)state;
    char *doc = slurp(src_path("docs/model-format.md"), NULL);
    char *fix = slurp(src_path("tests/data/obs/vasternorrland.yaml"), NULL);
    assert_non_null(doc);
    assert_non_null(fix);
    const char *marker = "<!-- tests/data/obs/vasternorrland.yaml -->\n```yaml\n";
    char *at = strstr(doc, marker);
    if (!at)
        fail_msg("docs/model-format.md lacks the marker %s", marker);
    at += strlen(marker);
    if (strncmp(at, fix, strlen(fix)) != 0 || strncmp(at + strlen(fix), "```\n", 4) != 0)
        fail_msg("the example in docs/model-format.md differs from tests/data/obs/vasternorrland.yaml");
    free(doc);
    free(fix);
}

/* ------------------------------------------------------------ results files */

/* A path in the scratch folder (16 kept at a time). */
static const char *spath(const char *name)
{
    static char buf[16][512];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static void write_or_fail(const char *path, const scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_write_options wo = {.command_line = "test_obsfile", .force = 1};
    if (scenmc_output_write(path, r, &wo, &err) != SCENMC_OK)
        fail_msg("writing %s failed:\n%s", path, err.msg);
}

/* Observations on the default model: hard (--given), soft and a start state. */
static scenmc_observations *vn_observations(void)
{
    scenmc_observations *o = scenmc__xcalloc_test(sizeof *o);
    scenmc_observations_init(o);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_observations_add_given(o, vn, "2023:DA=Datamonopol,KM=2", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_load(o, vn, src_path("tests/data/obs/vasternorrland.yaml"), &err),
                     SCENMC_OK);
    return o;
}

/* A conditioned Monte Carlo result by hand: every trajectory of a plain run
 * counted with weight 3 of weight_one 4 (the probabilities, ratios of the
 * counts, stay bit for bit what they were). */
static scenmc_model *weighted_range(scenmc_results *r, uint64_t n, uint64_t first, uint64_t last);

static scenmc_model *weighted_mc(scenmc_results *r, uint64_t n)
{
    return weighted_range(r, n, 0, n);
}

/* Trajectories [first, last) of n, weighted as weighted_mc says. */
static scenmc_model *weighted_range(scenmc_results *r, uint64_t n, uint64_t first, uint64_t last)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    assert_int_equal(scenmc_model_load_default(&m, &err), SCENMC_OK);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = n;
    scenmc_run_options opt = {.threads = 2, .first = first, .last = last};
    if (scenmc_run(m, &p, &opt, r, &err) != SCENMC_OK)
        fail_msg("run failed:\n%s", err.msg);
    scenmc_params_free(&p);
    n = last - first;
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < r->t[k].size; i++)
            r->t[k].counts[i] *= 3;
    r->conditioned = 1;
    r->weight_one = 4;
    r->weight_sum = 3 * n;
    r->weight_sq_sum[0] = 9 * n;
    r->weight_sq_sum[1] = 7; /* a high word, to see it come back */
    r->log_evidence = log(0.75);
    r->evidence_se = 0.0125;
    r->effective_size = (double)n;
    r->given = vn_observations();
    return m;
}

static void assert_same_observations(const scenmc_observations *a, const scenmc_observations *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const scenmc_observation *x = &a->obs[i], *y = &b->obs[i];
        assert_int_equal(x->year, y->year);
        assert_int_equal(x->descriptor, y->descriptor);
        assert_int_equal(x->n_variants, y->n_variants);
        assert_int_equal(x->hard, y->hard);
        assert_memory_equal(x->likelihood, y->likelihood, sizeof(double) * (size_t)x->n_variants);
        assert_string_equal(x->where, y->where);
    }
    assert_int_equal(a->n_start, b->n_start);
    if (a->start)
        assert_memory_equal(a->start, b->start, sizeof(int) * (size_t)a->n_start);
    else
        assert_null(b->start);
    if (a->source)
        assert_string_equal(a->source, b->source);
    else
        assert_null(b->source);
}

static void test_roundtrip_mc(void **state)
{
    (void)state;
    {
        scenmc_results r, back;
        scenmc_model *m = weighted_mc(&r, 3000), *mb = NULL;
        const char *path = spath("cond_mc.h5");
        write_or_fail(path, &r);
        read_or_fail(path, &mb, &back);
        assert_int_equal(back.conditioned, 1);
        assert_true(back.log_evidence == r.log_evidence);
        assert_true(back.evidence_se == r.evidence_se);
        assert_true(back.effective_size == r.effective_size);
        assert_true(back.weight_one == 4 && back.weight_sum == 9000);
        assert_true(back.weight_sq_sum[0] == 27000 && back.weight_sq_sum[1] == 7);
        assert_non_null(back.given);
        assert_same_observations(r.given, back.given);
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            assert_int_equal(back.t[k].size, r.t[k].size);
            assert_memory_equal(back.t[k].counts, r.t[k].counts, sizeof(uint64_t) * r.t[k].size);
        }
        scenmc_results_free(&back);
        scenmc_model_free(mb);
        scenmc_results_free(&r);
        scenmc_model_free(m);
    }
}

/* The reader checks the weighted counts against weight_sum, so a file whose
 * weight_sum does not fit its counts is refused. */
static void test_weight_sum_checked(void **state)
{
    (void)state;
    scenmc_results r, back;
    scenmc_model *m = weighted_mc(&r, 1000), *mb = NULL;
    r.weight_sum += 1;
    const char *path = spath("cond_bad.h5");
    write_or_fail(path, &r);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_results_read(path, &mb, &back, &err), SCENMC_OK);
    if (!strstr(err.msg, "not to weight_sum 3001"))
        fail_msg("%s", err.msg);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* Exact results: the evidence and the observations, no weights. */
static void test_roundtrip_exact(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL, *mb = NULL;
    assert_int_equal(scenmc_model_load(src_path("tests/data/good/small.yaml"), &m, &err), SCENMC_OK);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r, back;
    assert_int_equal(scenmc_exact(m, &p, 1, &r, &err), SCENMC_OK);
    scenmc_observations *o = scenmc__xcalloc_test(sizeof *o);
    scenmc_observations_init(o);
    assert_int_equal(scenmc_observations_add_given(o, m, "2003:Y=y2", &err), SCENMC_OK);
    double soft[2] = {0.25, 1};
    scenmc_observations_add(o, 2005, 0, soft, 2, "hand");
    r.conditioned = 1;
    r.log_evidence = -1.5;
    r.given = o;
    const char *path = spath("cond_exact.h5");
    write_or_fail(path, &r);
    read_or_fail(path, &mb, &back);
    assert_int_equal(back.conditioned, 1);
    assert_true(back.log_evidence == -1.5);
    assert_same_observations(o, back.given);
    assert_true(back.weight_sum == 0 && back.weight_one == 0);
    /* The evidence is also there as a plain number, for other tools. */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import h5py,math,sys; a=h5py.File(sys.argv[1]).attrs; "
             "sys.exit(0 if a['conditioned']==1 and a['evidence']==math.exp(-1.5) else 1)\" %s", path);
    assert_int_equal(sh("%s", cmd), 0);
    scenmc_results_free(&back);
    scenmc_model_free(mb);
    /* Only a start state: no observation rows (zero-length dimension). */
    scenmc_observations *so = scenmc__xcalloc_test(sizeof *so);
    scenmc_observations_init(so);
    so->n_start = 3;
    so->start = scenmc__xcalloc_test(3 * sizeof(int));
    so->start[1] = 2;
    so->source = strdup("start.yaml");
    scenmc_observations_free(r.given);
    free(r.given);
    r.given = so;
    r.log_evidence = 0;
    write_or_fail(spath("cond_start.h5"), &r);
    read_or_fail(spath("cond_start.h5"), &mb, &back);
    assert_same_observations(so, back.given);
    scenmc_results_free(&back);
    scenmc_model_free(mb);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* An unconditioned file has none of it. */
static void test_unconditioned_unchanged(void **state)
{
    (void)state;
    scenmc_results r, back;
    scenmc_model *m = weighted_mc(&r, 500), *mb = NULL;
    for (int k = 0; k < SCENMC_N_TABLES; k++) /* back to plain counts */
        for (size_t i = 0; i < r.t[k].size; i++)
            r.t[k].counts[i] /= 3;
    r.conditioned = 0;
    const char *path = spath("plain.h5");
    write_or_fail(path, &r);
    read_or_fail(path, &mb, &back);
    assert_int_equal(back.conditioned, 0);
    assert_null(back.given);
    assert_int_equal(sh("/usr/bin/python3 -c \"import h5py,sys; f=h5py.File(sys.argv[1]); sys.exit(1 if "
                        "'observations' in f or [a for a in f.attrs if 'weight' in a or 'evidence' in a or "
                        "a == 'conditioned'] else 0)\" %s", path), 0);
    scenmc_results_free(&back);
    scenmc_model_free(mb);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* Shards conditioned on the same observations merge into the whole run's
 * weighted counts with the weight sums added exactly; shards conditioned on
 * different observations, or one not at all, are refused. */
static void test_merge(void **state)
{
    (void)state;
    scenmc_results a, b, whole, merged;
    scenmc_model *ma = weighted_range(&a, 3000, 0, 1200), *mb = weighted_range(&b, 3000, 1200, 3000);
    scenmc_model *mw = weighted_mc(&whole, 3000), *mm = NULL;
    a.weight_sq_sum[0] = UINT64_MAX; /* the low words carry into the high one */
    b.weight_sq_sum[0] = 5;
    const char *pa = spath("shard_a.h5"), *pb = spath("shard_b.h5"), *pc = spath("shard_c.h5");
    write_or_fail(pa, &a);
    write_or_fail(pb, &b);
    scenmc_error err;
    scenmc_error_clear(&err);
    const char *paths[2] = {pa, pb};
    if (scenmc_merge_files(paths, 2, 0, &mm, &merged, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(merged.conditioned, 1);
    assert_true(merged.weight_sum == 9000 && merged.weight_one == 4);
    assert_true(merged.weight_sq_sum[0] == 4 && merged.weight_sq_sum[1] == 7 + 7 + 1);
    assert_same_observations(whole.given, merged.given);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        assert_memory_equal(merged.t[k].counts, whole.t[k].counts, sizeof(uint64_t) * whole.t[k].size);
    scenmc_results_free(&merged);
    scenmc_model_free(mm);
    /* A checkpoint of the first part carries the same (it is written by the same writer). */
    scenmc_range done = {0, 1200};
    scenmc_hpc_info ck = {.checkpoint = 1, .target_first = 0, .target_last = 3000, .next = 1200, .n_done = 1,
                          .done = &done};
    scenmc_write_options wo = {.command_line = "test_obsfile", .force = 1};
    assert_int_equal(scenmc_hpc_write(spath("ck.h5"), &a, &wo, &ck, &err), SCENMC_OK);
    read_or_fail(spath("ck.h5"), &mm, &merged);
    assert_true(merged.conditioned && merged.weight_sum == a.weight_sum && merged.weight_sq_sum[0] == UINT64_MAX);
    assert_same_observations(a.given, merged.given);
    scenmc_results_free(&merged);
    scenmc_model_free(mm);
    /* Different observations: one more soft report. */
    double lik[2] = {0.5, 1};
    scenmc_observations_add(b.given, 2025, scenmc_model_find_descriptor(mb, "SY"), lik, 2, "extra");
    write_or_fail(pc, &b);
    const char *bad[2] = {pa, pc};
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_merge_files(bad, 2, 0, &mm, &merged, &err), SCENMC_OK);
    if (!strstr(err.msg, "conditioned on different observations"))
        fail_msg("%s", err.msg);
    /* Not conditioned at all. */
    b.conditioned = 0;
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < b.t[k].size; i++)
            b.t[k].counts[i] /= 3;
    write_or_fail(pc, &b);
    scenmc_error_clear(&err);
    assert_int_not_equal(scenmc_merge_files(bad, 2, 0, &mm, &merged, &err), SCENMC_OK);
    if (!strstr(err.msg, "is conditioned on observations and"))
        fail_msg("%s", err.msg);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_results_free(&whole);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
    scenmc_model_free(mw);
}

/* /observations opens in xarray under both netCDF engines with named
 * dimensions, and its numbers are the observations'. */
static void test_netcdf_layout(void **state)
{
    (void)state;
    int rc = sh("/usr/bin/python3 %s %s %s %s %s", src_path("tests/data/obs/check_obs_layout.py"),
                src_path("docs/file-format.md"), spath("cond_mc.h5"), spath("cond_exact.h5"), spath("cond_start.h5"));
    if (rc != 0 && rc != 77)
        fail_msg("%s", sh_out);
    /* R's hdf5r sees the table transposed, [variant, observation], with its labels. */
    if (access("/usr/bin/Rscript", X_OK) == 0) {
        rc = sh("/usr/bin/Rscript -e 'suppressMessages(library(hdf5r)); f <- H5File$new(commandArgs(TRUE)[1], \"r\"); "
                "l <- f[[\"observations/likelihood\"]]$read(); y <- f[[\"observations/observation_year\"]]$read(); "
                "stopifnot(all(dim(l) == c(29, 5)), all(y == c(2023, 2023, 2023, 2024, 2024)), "
                "l[14, 4] == 0.8, is.nan(l[1, 1]), sum(l[, 1], na.rm = TRUE) == 1); cat(\"ok\\n\")' %s",
                spath("cond_mc.h5"));
        if (rc != 0 && !strstr(sh_out, "there is no package"))
            fail_msg("%s", sh_out);
    }
    if (rc == 77)
        skip();
}

/* ------------------------------------------------------------ the report */

/* scenmc report of a conditioned file: the observations, the evidence with its
 * standard error, the effective sample size; the warning only when it is small. */
static void test_report(void **state)
{
    (void)state;
    char mc[512], ex[512];
    snprintf(mc, sizeof mc, "%s", spath("cond_mc.h5"));
    snprintf(ex, sizeof ex, "%s", spath("cond_exact.h5"));
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, mc), 0);
    const char *want[] = {"## Conditioned on", "| 2023 | DA | hard | Datamonopol | `--given 2023:DA=Datamonopol,KM=2` |",
                          "| 2024 | SY | soft | Medborgare 0.8, Verksamhet 0.2 |", "tests/data/obs/vasternorrland.yaml:7`",
                          "Observed state of 2020 (every trajectory starts there): IK = Lokala aktörer, KR = Databeställare",
                          "Monte Carlo estimate: 0.75 ± 0.013", "Effective sample size: 3000 of 3000 trajectories (100%).",
                          "P(scenario in year | observations), ± one standard error"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(sh_out, want[i]))
            fail_msg("the report lacks '%s':\n%.3000s", want[i], sh_out);
    assert_null(strstr(sh_out, "Warning"));
    /* Plain text: the same section, the warning when the effective size is small. */
    scenmc_results r;
    scenmc_model *m = weighted_mc(&r, 3000);
    r.effective_size = 29.7; /* under 1% of 3000 */
    write_or_fail(spath("small_ess.h5"), &r);
    assert_int_equal(sh("%s report %s --format text", SCENMC_BINARY, spath("small_ess.h5")), 0);
    if (!strstr(sh_out, "Conditioned on\n--------------") || !strstr(sh_out, "WARNING: the effective sample size is "
        "small") || !strstr(sh_out, "scenmc run --smc") || !strstr(sh_out, "Effective sample size: 30 of 3000"))
        fail_msg("%s", sh_out);
    r.effective_size = 1200; /* 40%, but under 1000? no: over both limits */
    write_or_fail(spath("ok_ess.h5"), &r);
    assert_int_equal(sh("%s report %s --format text", SCENMC_BINARY, spath("ok_ess.h5")), 0);
    assert_null(strstr(sh_out, "WARNING"));
    r.effective_size = 999; /* 33%, but under 1000 */
    write_or_fail(spath("small_ess.h5"), &r);
    assert_int_equal(sh("%s report %s --format text", SCENMC_BINARY, spath("small_ess.h5")), 0);
    assert_non_null(strstr(sh_out, "WARNING"));
    scenmc_results_free(&r);
    scenmc_model_free(m);
    /* Exact: the evidence is exact, no sample size. */
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, ex), 0);
    const char *want_ex[] = {"Probability of the observations (the evidence): 0.22313 (natural log -1.5), exact.",
                             "| 2005 | X | soft | Growth 0.25, Decline 1 | `hand` |"};
    for (size_t i = 0; i < 2; i++)
        if (!strstr(sh_out, want_ex[i]))
            fail_msg("the report lacks '%s':\n%.3000s", want_ex[i], strstr(sh_out, "## Conditioned") ? strstr(sh_out, "## Conditioned") : sh_out);
    assert_null(strstr(sh_out, "Effective sample"));
    /* JSON: the member "conditioned" with every field; none in an unconditioned file. */
    assert_int_equal(sh("%s report %s --json | /usr/bin/python3 -c 'import json,sys,math; c=json.load(sys.stdin)"
                        "[\"conditioned\"]; o=c[\"observations\"]; "
                        "assert o[0]==dict(year=2023,descriptor=\"DA\",hard=True,likelihood=dict(Kund=0,Leverantör=0,"
                        "Datamonopol=1,Medborgare=0),where=\"--given 2023:DA=Datamonopol,KM=2\"), o[0]; "
                        "assert o[3][\"likelihood\"]==dict(Medborgare=0.8,Verksamhet=0.2) and not o[3][\"hard\"]; "
                        "assert c[\"start\"][\"IK\"]==\"Lokala aktörer\"; "
                        "assert c[\"evidence\"]==0.75 and c[\"evidence_se\"]==0.0125 and "
                        "c[\"effective_sample_size\"]==3000 and c[\"small_sample_warning\"] is False, c'",
                        SCENMC_BINARY, mc), 0);
    assert_int_equal(sh("%s report %s --json | /usr/bin/python3 -c 'import json,sys; c=json.load(sys.stdin)"
                        "[\"conditioned\"]; assert c[\"effective_sample_size\"] is None and "
                        "c[\"log_evidence\"]==-1.5 and len(c[\"observations\"])==2, c'", SCENMC_BINARY, ex), 0);
    assert_int_equal(sh("%s report %s --json | /usr/bin/python3 -c 'import json,sys; "
                        "assert \"conditioned\" not in json.load(sys.stdin)'", SCENMC_BINARY, spath("plain.h5")), 0);
}

/* ------------------------------------------------------------ end to end */

/* The commands: exact and run conditioned on --given and a file write what the
 * reader, xarray and the report read back; the Monte Carlo evidence agrees
 * with the exact one (an independent computation) within 4 standard errors. */
static void test_cli_end_to_end(void **state)
{
    (void)state;
    char ex[512], mc[512], hard[512];
    snprintf(ex, sizeof ex, "%s", spath("cli_exact.h5"));
    snprintf(mc, sizeof mc, "%s", spath("cli_mc.h5"));
    snprintf(hard, sizeof hard, "%s", spath("cli_hard.h5"));
    const char *model = src_path("tests/data/good/small.yaml"), *obs = src_path("tests/data/obs/small.yaml");
    assert_int_equal(sh("%s exact %s --given 2002:Y=y2 --observations %s --quiet -o %s", SCENMC_BINARY, model, obs,
                        ex), 0);
    assert_int_equal(sh("%s run %s --given 2002:Y=y2 --observations %s -n 40000 --quiet -o %s", SCENMC_BINARY,
                        model, obs, mc), 0);
    assert_int_equal(sh("%s run %s --given 2002:Y=y2 -n 20000 --quiet -o %s", SCENMC_BINARY, model, hard), 0);
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(mc, &m, &r);
    assert_non_null(r.given);
    assert_int_equal(r.given->n, 3);
    assert_string_equal(r.given->obs[0].where, "--given 2002:Y=y2");
    char where[1100];
    snprintf(where, sizeof where, "%s:5", obs);
    assert_string_equal(r.given->obs[1].where, where);
    assert_string_equal(r.given->source, obs);
    double ev_mc = exp(r.log_evidence), se = r.evidence_se;
    scenmc_results_free(&r);
    scenmc_model_free(m);
    read_or_fail(ex, &m, &r);
    double ev_ex = exp(r.log_evidence);
    assert_int_equal(r.given->n, 3);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    if (!(fabs(ev_mc - ev_ex) <= 4 * se))
        fail_msg("evidence: Monte Carlo %.6g ± %.3g, exact %.6g", ev_mc, se, ev_ex);
    /* Hard evidence only: weight 1 per agreeing trajectory, whose number is the effective size. */
    read_or_fail(hard, &m, &r);
    assert_true(r.weight_one == 1 && r.weight_sum > 0 && r.weight_sum < 20000);
    assert_true(r.effective_size == (double)r.weight_sum);
    assert_true(r.weight_sq_sum[0] == r.weight_sum && r.weight_sq_sum[1] == 0);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    int rc = sh("/usr/bin/python3 %s %s %s %s %s", src_path("tests/data/obs/check_obs_layout.py"),
                src_path("docs/file-format.md"), mc, ex, hard);
    if (rc != 0 && rc != 77)
        fail_msg("%s", sh_out);
    assert_int_equal(sh("%s report %s --format text", SCENMC_BINARY, ex), 0);
    if (!strstr(sh_out, "Conditioned on") || !strstr(sh_out, "soft      Growth 0.3, Decline 0.9"))
        fail_msg("%s", sh_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_and_soft),
        cmocka_unit_test(test_soft_left_out_is_zero),
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_foreign_model),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_roundtrip_mc),
        cmocka_unit_test(test_weight_sum_checked),
        cmocka_unit_test(test_roundtrip_exact),
        cmocka_unit_test(test_unconditioned_unchanged),
        cmocka_unit_test(test_netcdf_layout),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_cli_end_to_end),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
