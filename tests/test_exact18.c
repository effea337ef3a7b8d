/* The exact solver with changes over time (issue 18; docs/model.md, section
 * 12) against derivations made independently here: per-year generators built
 * from the model's definition, one year = expm(Q_c) (GSL), the holds' starts
 * as maps, and every path over the years enumerated; a constant trend
 * against the model's own bias; a hold from the start against the model
 * rebuilt without the held descriptor's other variants. */
#include "testutil.h"
#include "testref.h"
#include "scenmc/observe.h"
#include "scenmc/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NS 12 /* states of the cross model */
#define NY 4  /* years 0..3 */

/* The changes of one test, in the spec's terms (written here, not read from
 * the schedule): trend on B=b2 0 at year 0 to 2 at year 3 (linear), push on
 * B=b3 of 1.5 from year 1, hold A=a2 in year 1 only, hold C=c1 from year 2
 * on, shock C=c2 at 0.8 per year in years 0..2. */
enum { TREND = 1, PUSH = 2, HOLD_END = 4, HOLD_OPEN = 8, SHOCK = 16 };

static void add_changes(scenmc_schedule *s, const scenmc_model *m, int which)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (which & TREND)
        assert_int_equal(scenmc_schedule_add_trend(s, m, "B=b2:0=0,3=2", &err), SCENMC_OK);
    if (which & PUSH)
        assert_int_equal(scenmc_schedule_add_push(s, m, "1:B=b3:1.5", 3, &err), SCENMC_OK);
    if (which & HOLD_END)
        assert_int_equal(scenmc_schedule_add_intervention(s, m, "1-1:A=a2", 3, &err), SCENMC_OK);
    if (which & HOLD_OPEN)
        assert_int_equal(scenmc_schedule_add_intervention(s, m, "2:C=c1", 3, &err), SCENMC_OK);
    if (which & SHOCK)
        assert_int_equal(scenmc_schedule_add_shock(s, m, "0-2:C=c2@0.8", 3, &err), SCENMC_OK);
}

/* Held variant of descriptor d in year c (-1: none). */
static int held(int which, int c, int d)
{
    if (d == 0 && (which & HOLD_END) && c == 1)
        return 1;
    if (d == 2 && (which & HOLD_OPEN) && c >= 2)
        return 0;
    return -1;
}

/* Variant the holds set descriptor d to at time y (-1: none). */
static int set_at(int which, int y, int d)
{
    if (d == 0 && (which & HOLD_END) && y == 1)
        return 1;
    if (d == 2 && (which & HOLD_OPEN) && y == 2)
        return 0;
    return -1;
}

static double extra_bias(int which, int c, int d, int b)
{
    double h = 0;
    if ((which & TREND) && d == 1 && b == 1)
        h += 2.0 * c / 3.0;
    if ((which & PUSH) && d == 1 && b == 2 && c >= 1)
        h += 1.5;
    return h;
}

/* Calendar year c's changes in testref's terms: the trend's and the push's
 * biases, the shock's hazard (not while C is held), the holds in force. */
static void year_changes(const testref_chain *ch, int which, int c, double *bias, double *shock, int *hold)
{
    for (int d = 0; d < 3; d++) {
        hold[d] = held(which, c, d);
        for (int b = 0; b < ch->nvar[d]; b++)
            bias[ch->off[d] + b] = extra_bias(which, c, d, b);
    }
    memset(shock, 0, sizeof(double) * (size_t)ch->V);
    if ((which & SHOCK) && c <= 2)
        shock[ch->off[2] + 1] = 0.8;
}

/* K_y[x][x'] = (expm(Q_{y-1}) then the holds' starts at y)[x][x'] for y >= 1
 * (Q_c by tests/testref.c under year c's changes); p0 the start mapped by
 * the holds in force at 0. */
static void year_kernels(const scenmc_model *m, const scenmc_params *p, int which, double K[NY][NS][NS],
                         double *p0)
{
    testref_chain ch;
    testref_chain_from_model(&ch, m, p);
    int s[3];
    double q[NS], bias[8], shock[8];
    memset(K, 0, sizeof(double) * NY * NS * NS);
    testref_initial(&ch, p->initial, NULL, q);
    for (int x = 0; x < NS; x++) {
        testref_decode(&ch, x, s);
        for (int d = 0; d < 3; d++)
            s[d] = held(which, 0, d) >= 0 ? held(which, 0, d) : s[d];
        p0[testref_encode(&ch, s)] += q[x];
    }
    for (int y = 1; y < NY; y++) {
        int hold[3];
        year_changes(&ch, which, y - 1, bias, shock, hold);
        testref_year chg = {.bias = bias, .shock = shock, .held = hold};
        gsl_matrix *E = testref_year_matrix(&ch, &chg);
        for (int x = 0; x < NS; x++)
            for (int z = 0; z < NS; z++) {
                testref_decode(&ch, z, s);
                for (int d = 0; d < 3; d++)
                    s[d] = set_at(which, y, d) >= 0 ? set_at(which, y, d) : s[d];
                K[y][x][testref_encode(&ch, s)] += gsl_matrix_get(E, (size_t)x, (size_t)z);
            }
        gsl_matrix_free(E);
    }
}

/* Every table by enumerating the NS^NY paths, weighted by lik[y][x] (NULL:
 * 1); returns the paths' total weight (the observations' probability). */
static double by_paths(const scenmc_model *m, const scenmc_params *p, int which, double lik[NY][NS],
                       const scenmc_results *r)
{
    static double K[NY][NS][NS];
    double p0[NS] = {0};
    year_kernels(m, p, which, K, p0);
    testref_chain ch;
    testref_chain_from_model(&ch, m, p);
    int scen[NS];
    testref_scenarios(&ch, m, scen);
    const double *Ky[NY] = {NULL, &K[1][0][0], &K[2][0][0], &K[3][0][0]};
    testref_paths t = {0};
    testref_paths_run(&t, &ch, NY, p0, Ky, lik ? &lik[0][0] : NULL, scen, 2);
    const double total = t.total;
    const int S = 2;
    const size_t V = 7;
    for (int y = 0; y < NY; y++) {
        for (size_t u = 0; u < V; u++)
            assert_close(r->t[SCENMC_T_VARIANT].prob[(size_t)y * V + u], t.va[(size_t)y * V + u] / total, 1e-10);
        for (int a = 0; a < S; a++) {
            double sc = t.sc[y * S + a];
            assert_close(r->t[SCENMC_T_SCENARIO].prob[y * S + a], sc / total, 1e-10);
            assert_close(r->t[SCENMC_T_LOCK_IN].prob[y * S + a], t.lock[y * S + a] / total, 1e-10);
            for (int b = 0; y < NY - 1 && b < S; b++)
                if (sc > 0)
                    assert_close(r->t[SCENMC_T_TRANSITION].prob[(y * S + a) * S + b], t.tr[(y * S + a) * S + b] / sc,
                                 1e-10);
            for (size_t u = 0; u < V; u++)
                if (t.va[(size_t)y * V + u] > 0)
                    assert_close(r->t[SCENMC_T_EARLY_WARNING].prob[((size_t)y * V + u) * (size_t)S + (size_t)a],
                                 t.ew[((size_t)y * V + u) * (size_t)S + (size_t)a] / t.va[(size_t)y * V + u], 1e-10);
        }
    }
    testref_paths_free(&t);
    return total;
}

static void check_changes(int which, int observed)
{
    scenmc_model *m = model_from_string(test_cross_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = NY - 1;
    p.rate[0] = 0.7, p.rate[1] = 1.3, p.rate[2] = 0.4;
    p.schedule = calloc(1, sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    add_changes(p.schedule, m, which);
    scenmc_observations o;
    scenmc_observations_init(&o);
    static double lik[NY][NS];
    for (int y = 0; y < NY; y++)
        for (int x = 0; x < NS; x++)
            lik[y][x] = 1;
    if (observed) { /* soft: B at year 2 (likelihood 0.2, 0.5, 1); C = c2 hard at year 1 */
        double lb[3] = {0.2, 0.5, 1}, lc[2] = {0, 1};
        scenmc_observations_add(&o, 2, 1, lb, 3, "test B");
        scenmc_observations_add(&o, 1, 2, lc, 2, "test C");
        int s[3];
        for (int x = 0; x < NS; x++) {
            scenmc_state_from_index(m, (uint64_t)x, s);
            lik[2][x] = lb[s[1]];
            lik[1][x] = lc[s[2]];
        }
    }
    scenmc_results r = exact_given_or_fail(m, &p, observed ? &o : NULL);
    double total = by_paths(m, &p, which, lik, &r);
    if (observed) { /* the evidence, from the solve and from forward filtering */
        double log_ev = 0;
        scenmc_error err;
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_exact_filter(m, &p, &o, 1, &log_ev, NULL, &err), SCENMC_OK);
        assert_close(log_ev, log(total), 1e-10);
        assert_close(r.log_evidence, log(total), 1e-10);
    }
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_trend(void **state) { (void)state; check_changes(TREND | PUSH, 0); }
static void test_hold_with_end(void **state) { (void)state; check_changes(HOLD_END, 0); }
static void test_hold_open(void **state) { (void)state; check_changes(HOLD_OPEN, 0); }
static void test_shock(void **state) { (void)state; check_changes(SHOCK, 0); }
static void test_all_at_once(void **state) { (void)state; check_changes(TREND | PUSH | HOLD_END | HOLD_OPEN | SHOCK, 0); }
static void test_observed_with_changes(void **state) { (void)state; check_changes(TREND | HOLD_END | HOLD_OPEN | SHOCK, 1); }

static void assert_same_tables(const scenmc_results *a, const scenmc_results *b, double tol)
{
    for (int t = 0; t < SCENMC_N_TABLES; t++) {
        if (!a->t[t].prob || !b->t[t].prob)
            continue;
        assert_int_equal(a->t[t].size, b->t[t].size);
        for (size_t i = 0; i < a->t[t].size; i++)
            if (!(isnan(a->t[t].prob[i]) && isnan(b->t[t].prob[i])))
                assert_close(a->t[t].prob[i], b->t[t].prob[i], tol);
    }
}

/* A trend constant in time is the model's bias; a shock at hazard 0 changes nothing. */
static void test_constant_trend_is_bias(void **state)
{
    (void)state;
    char biased[2048];
    snprintf(biased, sizeof biased, "%sbias:\n  B: [0, 0.7, -0.4]\n", test_cross_model);
    scenmc_model *m = model_from_string(test_cross_model), *mb = model_from_string(biased);
    scenmc_params p, pb;
    scenmc_params_init(&p, m);
    scenmc_params_init(&pb, mb);
    p.year_end = pb.year_end = 5;
    p.schedule = calloc(1, sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_trend(p.schedule, m, "B=b2:0=0.7,5=0.7", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_trend(p.schedule, m, "B=b3:2=-0.4", &err), SCENMC_OK);
    scenmc_results r = exact_given_or_fail(m, &p, NULL), rb = exact_given_or_fail(mb, &pb, NULL);
    assert_same_tables(&r, &rb, 1e-13);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    /* hazard 0: the unscheduled solve, bit for bit */
    scenmc_params_init(&p, m);
    p.year_end = 5;
    scenmc_results r0 = exact_given_or_fail(m, &p, NULL);
    p.schedule = calloc(1, sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    assert_int_equal(scenmc_schedule_add_shock(p.schedule, m, "0-5:C=c2@0", 5, &err), SCENMC_OK);
    r = exact_given_or_fail(m, &p, NULL);
    assert_same_tables(&r, &r0, 0);
    scenmc_results_free(&r);
    scenmc_results_free(&r0);
    scenmc_results_free(&rb);
    scenmc_params_free(&p);
    scenmc_params_free(&pb);
    scenmc_model_free(m);
    scenmc_model_free(mb);
}

/* A hold of A at a2 from the start is the model rebuilt without A's other
 * variants: with a2 its only variant A is a constant, so it is removed and
 * its impacts from a2 become a bias (A -> B's row of a2); scenarios on B,
 * which both models have. */
static const char on_b[] =
    "scenarios:\n"
    "  - {name: low, when: {B: b1}}\n"
    "  - {name: high, when: {B: b3}}\n"
    "defaults: {beta: 0.5, rate: 3}\n";

static void test_hold_from_start_is_reduced_model(void **state)
{
    (void)state;
    char full[2048], reduced[2048];
    snprintf(full, sizeof full, "%.*s%s", (int)(strstr(test_cross_model, "scenarios:") - test_cross_model), test_cross_model, on_b);
    snprintf(reduced, sizeof reduced,
             "name: reduced\n"
             "years: {start: 0, end: 30}\n"
             "descriptors:\n"
             "  - {id: B, variants: [b1, b2, b3]}\n"
             "  - {id: C, variants: [c1, c2]}\n"
             "cross_impact:\n"
             "  - {from: B, to: C, impacts: [[2, -2], [0, 1], [1, 0]]}\n"
             "bias:\n"
             "  B: [-2, 1, 3]\n"
             "%s", on_b);
    scenmc_model *m = model_from_string(full), *mr = model_from_string(reduced);
    scenmc_params p, pr;
    scenmc_params_init(&p, m);
    scenmc_params_init(&pr, mr);
    p.year_end = pr.year_end = 6;
    p.schedule = calloc(1, sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_intervention(p.schedule, m, "0:A=a2", 6, &err), SCENMC_OK);
    scenmc_results r = exact_given_or_fail(m, &p, NULL), rr = exact_given_or_fail(mr, &pr, NULL);
    const int Y = 7, S = r.n_scenarios;
    assert_int_equal(S, rr.n_scenarios);
    for (size_t i = 0; i < (size_t)(Y * S); i++) {
        assert_close(r.t[SCENMC_T_SCENARIO].prob[i], rr.t[SCENMC_T_SCENARIO].prob[i], 1e-12);
        assert_close(r.t[SCENMC_T_LOCK_IN].prob[i], rr.t[SCENMC_T_LOCK_IN].prob[i], 1e-12);
    }
    for (size_t i = 0; i < (size_t)((Y - 1) * S * S); i++)
        if (!isnan(rr.t[SCENMC_T_TRANSITION].prob[i]))
            assert_close(r.t[SCENMC_T_TRANSITION].prob[i], rr.t[SCENMC_T_TRANSITION].prob[i], 1e-12);
    /* variants of B and C (global 2..6 in the full model, 0..4 in the reduced), and a2 = 1 */
    for (int y = 0; y < Y; y++) {
        assert_close(r.t[SCENMC_T_VARIANT].prob[y * 7 + 1], 1, 1e-12);
        for (int u = 0; u < 5; u++) {
            assert_close(r.t[SCENMC_T_VARIANT].prob[y * 7 + u + 2], rr.t[SCENMC_T_VARIANT].prob[y * 5 + u], 1e-12);
            for (int a = 0; a < S; a++)
                assert_close(r.t[SCENMC_T_EARLY_WARNING].prob[(y * 7 + u + 2) * S + a],
                             rr.t[SCENMC_T_EARLY_WARNING].prob[(y * 5 + u) * S + a], 1e-12);
        }
    }
    scenmc_results_free(&r);
    scenmc_results_free(&rr);
    scenmc_params_free(&p);
    scenmc_params_free(&pr);
    scenmc_model_free(m);
    scenmc_model_free(mr);
}

/* The stationary solve refuses changes over time. */
static void test_stationary_refuses(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_cross_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.schedule = calloc(1, sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_shock(p.schedule, m, "0-5:C=c2@0.3", 30, &err), SCENMC_OK);
    double *pi = NULL;
    scenmc_stationary_info info;
    assert_int_equal(scenmc_exact_stationary(m, &p, 1, &pi, &info, &err), SCENMC_E_LIMIT);
    assert_null(pi);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trend),
        cmocka_unit_test(test_hold_with_end),
        cmocka_unit_test(test_hold_open),
        cmocka_unit_test(test_shock),
        cmocka_unit_test(test_all_at_once),
        cmocka_unit_test(test_observed_with_changes),
        cmocka_unit_test(test_constant_trend_is_bias),
        cmocka_unit_test(test_hold_from_start_is_reduced_model),
        cmocka_unit_test(test_stationary_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
