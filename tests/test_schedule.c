/* Trends, interventions and shocks: the command-line forms and what each
 * does in a given year, against values worked out by hand here. */
#include "testutil.h"

#include "scenmc/schedule.h"

#include <math.h>
#include <string.h>

static scenmc_model *M;

static int setup(void **state)
{
    (void)state;
    M = default_model();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scenmc_model_free(M);
    return 0;
}

static int var(const char *d, int b)
{
    return M->descriptors[scenmc_model_find_descriptor(M, d)].offset + b;
}

/* DA=Datamonopol (variant 3 of DA) from 0 in 2020 to 2 in 2030: 0.2 a year,
 * constant before and after. */
static void test_trend_interpolates(void **state)
{
    (void)state;
    scenmc_schedule s;
    scenmc_schedule_init(&s);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_trend(&s, M, "DA=Datamonopol:2020=0,2030=2", &err), SCENMC_OK);
    assert_int_equal(s.n, 1);
    assert_close(scenmc_schedule_bias(&s, M, 2019, var("DA", 2)), 0, 0);
    assert_close(scenmc_schedule_bias(&s, M, 2020, var("DA", 2)), 0, 0);
    assert_close(scenmc_schedule_bias(&s, M, 2023, var("DA", 2)), 0.6, 1e-15);
    assert_close(scenmc_schedule_bias(&s, M, 2030, var("DA", 2)), 2, 0);
    assert_close(scenmc_schedule_bias(&s, M, 2031, var("DA", 2)), 2, 0);
    assert_close(scenmc_schedule_bias(&s, M, 2023, var("DA", 1)), 0, 0);
    assert_false(scenmc_schedule_active(&s, M, 2020));
    assert_true(scenmc_schedule_active(&s, M, 2021));
    /* A second trend on the same variant adds; the 1-based number works too. */
    assert_int_equal(scenmc_schedule_add_trend(&s, M, "DA=3:2020=1", &err), SCENMC_OK);
    assert_close(scenmc_schedule_bias(&s, M, 2023, var("DA", 2)), 1.6, 1e-15);
    scenmc_schedule_free(&s);
}

/* A push steps to its bias in its first year and back after its last. */
static void test_push_is_a_step(void **state)
{
    (void)state;
    scenmc_schedule s;
    scenmc_schedule_init(&s);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_push(&s, M, "2023-2025:FI=Offentligt:1.5", 2030, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_push(&s, M, "2027:FI=1:-0.5", 2030, &err), SCENMC_OK);
    const double want[] = {0, 0, 0, 1.5, 1.5, 1.5, 0, -0.5, -0.5, -0.5, -0.5, 0};
    for (int y = 2020; y <= 2031; y++)
        assert_close(scenmc_schedule_bias(&s, M, y, var("FI", 0)), want[y - 2020], 1e-15);
    scenmc_schedule_free(&s);
}

static void test_intervention_and_shock_years(void **state)
{
    (void)state;
    scenmc_schedule s;
    scenmc_schedule_init(&s);
    scenmc_error err;
    scenmc_error_clear(&err);
    int FI = scenmc_model_find_descriptor(M, "FI"), DA = scenmc_model_find_descriptor(M, "DA");
    assert_int_equal(scenmc_schedule_add_intervention(&s, M, "2023:FI=Offentligt", 2030, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_intervention(&s, M, "2026-2027:FI=Privat sektor", 2030, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(&s, M, "2022-2024:DA=Datamonopol@0.1", 2030, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(&s, M, "2024:DA=Datamonopol@0.05", 2030, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_held(&s, 2022, FI), -1);
    assert_int_equal(scenmc_schedule_held(&s, 2023, FI), 0);
    assert_int_equal(scenmc_schedule_held(&s, 2026, FI), 3); /* the later one wins */
    assert_int_equal(scenmc_schedule_held(&s, 2028, FI), 0);
    assert_int_equal(scenmc_schedule_held(&s, 2031, FI), -1);
    assert_int_equal(scenmc_schedule_held(&s, 2023, DA), -1);
    assert_close(scenmc_schedule_hazard(&s, 2021, DA, 2), 0, 0);
    assert_close(scenmc_schedule_hazard(&s, 2022, DA, 2), 0.1, 0);
    assert_close(scenmc_schedule_hazard(&s, 2024, DA, 2), 0.15, 1e-15);
    assert_close(scenmc_schedule_hazard(&s, 2030, DA, 2), 0.05, 0);
    assert_close(scenmc_schedule_hazard(&s, 2024, DA, 1), 0, 0);
    scenmc_schedule copy;
    scenmc_schedule_copy(&copy, &s);
    assert_int_equal(copy.n, 4);
    assert_string_equal(copy.ch[2].where, "--shock 2022-2024:DA=Datamonopol@0.1");
    scenmc_schedule_free(&copy);
    scenmc_schedule_free(&s);
}

/* Bad values name the option and what was expected; nothing is appended. */
static void test_bad_values(void **state)
{
    (void)state;
    static const struct {
        int kind; /* 0 trend, 1 push, 2 intervene, 3 shock */
        const char *text, *says;
    } bad[] = {
        {0, "DA=Datamonopol", "expected ID=VARIANT:YEAR=BIAS"},
        {0, "XX=1:2020=1", "unknown descriptor 'XX'"},
        {0, "DA=Nope:2020=1", "'Nope' is not a variant of DA"},
        {0, "DA=1:2030=1,2020=0", "the years must increase"},
        {0, "DA=1:2020=x", "'2020' is not YEAR=BIAS"},
        {1, "2023:FI=Offentligt", "expected YEAR[-YEAR]:ID=VARIANT:BIAS"},
        {1, "2025-2023:FI=1:1", "the years run backwards (2025-2023)"},
        {1, "20x5:FI=1:1", "expected YEAR[-YEAR]:ID=VARIANT:BIAS"},
        {2, "2031:FI=1", "2031 is after the last year, 2030"},
        {2, "FI=Offentligt", "expected YEAR[-YEAR]:ID=VARIANT"},
        {2, "2023:FI=9", "'9' is not a variant of FI"},
        {3, "2022:DA=1", "@HAZARD"},
        {3, "2022:DA=1@-1", "@HAZARD"},
        {3, "2026-2022:DA=1@0.1", "the years run backwards (2026-2022)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scenmc_schedule s;
        scenmc_schedule_init(&s);
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_status st = bad[i].kind == 0   ? scenmc_schedule_add_trend(&s, M, bad[i].text, &err)
                           : bad[i].kind == 1 ? scenmc_schedule_add_push(&s, M, bad[i].text, 2030, &err)
                           : bad[i].kind == 2 ? scenmc_schedule_add_intervention(&s, M, bad[i].text, 2030, &err)
                                              : scenmc_schedule_add_shock(&s, M, bad[i].text, 2030, &err);
        if (st != SCENMC_E_INPUT || !strstr(err.msg, bad[i].says) || strchr(err.msg, '\n')) /* one message */
            fail_msg("'%s': status %d, message '%s', expected it to say '%s'", bad[i].text, st, err.msg,
                     bad[i].says);
        assert_int_equal(s.n, 0);
        scenmc_schedule_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trend_interpolates),
        cmocka_unit_test(test_push_is_a_step),
        cmocka_unit_test(test_intervention_and_shock_years),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
