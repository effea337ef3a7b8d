/* Task obsfile (issue 17): the observations file (docs/model-format.md), the
 * conditioning in results files (docs/file-format.md) and in the report. */
#include "testutil.h"
#include "model/obs_file.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenmc_model *vn; /* the built-in Västernorrland model */

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
    assert_int_equal(scenmc_observations_check(&o, &p, &err), SCENMC_OK);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_and_soft),
        cmocka_unit_test(test_soft_left_out_is_zero),
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_doc_example),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
