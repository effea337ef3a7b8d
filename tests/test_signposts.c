/* scenmc signposts (engine/signposts.c) against derivations made here: the
 * joint of every indicator (and pair) with the target by enumerating every
 * path of the yearly skeleton, one year = expm(Q) of a generator built here
 * from the spec's heat-bath formulas (GSL), observations as factors of the
 * path weight; the mutual information by a formula written here; an
 * indicator without interactions gets 0 bits; the descriptors that define
 * the scenarios, in the last year, get H(target); Monte Carlo agrees with
 * exact within its standard errors. */
#include "testutil.h"
#include "testref.h"
#include "scenmc/signposts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Z has no interactions and defines no scenario: independent of the target.
 * A and C define the scenarios (A=a1, C=c2 is unclassified). */
static const char sig_model[] =
    "name: sig\n"
    "years: {start: 0, end: 3}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2, b3]}\n"
    "  - {id: C, variants: [c1, c2]}\n"
    "  - {id: Z, variants: [z1, z2]}\n"
    "consistency:\n"
    "  - {between: [A, C], scores: [[2, -1], [-1, 1]]}\n"
    "cross_impact:\n"
    "  - {from: A, to: B, impacts: [[2, -1, 0], [-2, 1, 3]]}\n"
    "  - {from: B, to: A, impacts: [[1, -1], [0, 2], [-3, 1]]}\n"
    "  - {from: B, to: C, impacts: [[2, -2], [0, 1], [1, 0]]}\n"
    "scenarios:\n"
    "  - {name: one, when: {A: a1, C: c1}}\n"
    "  - {name: two, when: {A: a2}}\n"
    "defaults: {beta: 0.8, rate: 0.9, trajectories: 400000, seed: 17}\n";

enum { NS = 24, NY = 4, ND = 4, NK = 3, NV = 9 };

/* I(X; T) in bits, written independently of the library. */
static double mi_bits(const double *P, int nx, int K)
{
    double px[64] = {0}, pk[8] = {0}, tot = 0, I = 0;
    for (int x = 0; x < nx; x++)
        for (int k = 0; k < K; k++) {
            px[x] += P[x * K + k];
            pk[k] += P[x * K + k];
            tot += P[x * K + k];
        }
    for (int x = 0; x < nx; x++)
        for (int k = 0; k < K; k++)
            if (P[x * K + k] > 0)
                I += P[x * K + k] / tot * log((P[x * K + k] / tot) / (px[x] / tot * pk[k] / tot)) / log(2);
    return I;
}

typedef struct brute {
    double single[NY][NV][NK];           /* P(variant at y, T = k | obs) */
    double pair[NY][ND][ND][3][3][NK];   /* P(d = v, e = w at y, T = k | obs), d < e */
    double evidence;
} brute;

/* Every path x0..x3 (tests/testref.c: one year = expm(Q) of the generator
 * written down from docs/model.md), weight p0(x0) prod E(x_{y-1}, x_y) prod
 * L_y(x_y); each path adds its weight to the cells of its variants and pairs
 * under its final scenario's target class. */
typedef struct sig_walk {
    const testref_chain *ch;
    const int *scen, *target_of;
    brute *b;
} sig_walk;

static void sig_leaf(const int *x, double w, void *ctx)
{
    const sig_walk *sw = ctx;
    brute *b = sw->b;
    int k = sw->target_of[sw->scen[x[NY - 1]]];
    for (int y = 0; y < NY; y++) {
        int s[ND];
        testref_decode(sw->ch, x[y], s);
        for (int d = 0; d < ND; d++) {
            b->single[y][sw->ch->off[d] + s[d]][k] += w;
            for (int e = d + 1; e < ND; e++)
                b->pair[y][d][e][s[d]][s[e]][k] += w;
        }
    }
}

static void enumerate(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                      const int *target_of, brute *b)
{
    memset(b, 0, sizeof *b);
    testref_chain ch;
    testref_chain_from_model(&ch, m, p);
    assert_int_equal(testref_states(&ch), NS);
    gsl_matrix *E = testref_year_matrix(&ch, NULL);
    const double *K[NY] = {NULL, E->data, E->data, E->data};
    int scen[NS];
    double p0[NS], lik[NY * NS];
    testref_scenarios(&ch, m, scen);
    testref_initial(&ch, p->initial, NULL, p0);
    testref_likelihoods(&ch, o, p->year_start, NY, lik);
    sig_walk sw = {.ch = &ch, .scen = scen, .target_of = target_of, .b = b};
    testref_paths t = {.leaf = sig_leaf, .ctx = &sw};
    testref_paths_run(&t, &ch, NY, p0, K, lik, scen, NK);
    b->evidence = t.total;
    testref_paths_free(&t);
    double *all = &b->single[0][0][0];
    for (size_t i = 0; i < sizeof b->single / sizeof(double); i++)
        all[i] /= b->evidence;
    all = &b->pair[0][0][0][0][0][0];
    for (size_t i = 0; i < sizeof b->pair / sizeof(double); i++)
        all[i] /= b->evidence;
    gsl_matrix_free(E);
}

static scenmc_signposts compute(const scenmc_model *m, const scenmc_params *p, scenmc_signposts_options *o)
{
    scenmc_signposts sp;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_signposts_compute(m, p, o, &sp, &err) != SCENMC_OK)
        fail_msg("signposts failed: %s", err.msg);
    return sp;
}

/* Every single, conditional and pair table of sp equals the enumeration. */
static void compare(const scenmc_model *m, const scenmc_signposts *sp, const brute *b)
{
    const int K = sp->K;
    for (int y = 0; y < NY; y++) {
        for (int u = 0; u < NV; u++) {
            double pv = 0;
            for (int k = 0; k < K; k++)
                pv += b->single[y][u][k];
            for (int k = 0; k < K; k++) {
                assert_close(sp->joint[((size_t)y * NV + (size_t)u) * K + k], b->single[y][u][k], 1e-11);
                double c = sp->cond[((size_t)y * NV + (size_t)u) * K + k];
                if (pv > 0)
                    assert_close(c, b->single[y][u][k] / pv, 1e-9);
                else
                    assert_true(isnan(c));
            }
        }
        for (int d = 0; d < ND; d++) {
            const scenmc_descriptor *dd = &m->descriptors[d];
            double P[3 * NK];
            for (int v = 0; v < dd->n_variants; v++)
                for (int k = 0; k < K; k++)
                    P[v * K + k] = b->single[y][dd->offset + v][k];
            assert_close(sp->mi[d * NY + y], mi_bits(P, dd->n_variants, K), 1e-10);
            for (int e = d + 1; e < ND; e++) {
                int ne = m->descriptors[e].n_variants;
                double Q[9 * NK];
                for (int v = 0; v < dd->n_variants; v++)
                    for (int w = 0; w < ne; w++)
                        for (int k = 0; k < K; k++)
                            Q[(v * ne + w) * K + k] = b->pair[y][d][e][v][w][k];
                double want = mi_bits(Q, dd->n_variants * ne, K);
                assert_close(sp->pair_mi[((size_t)y * ND + (size_t)d) * ND + (size_t)e], want, 1e-10);
                assert_close(sp->pair_mi[((size_t)y * ND + (size_t)e) * ND + (size_t)d], want, 1e-10);
            }
        }
    }
}

static void test_exact_against_paths(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(sig_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    assert_int_equal((int)scenmc_model_state_count(m), NS);
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .threads = 2};
    scenmc_signposts sp = compute(m, &p, &o);
    assert_int_equal(sp.method, SCENMC_EXACT);
    assert_int_equal(sp.K, NK);
    int ident[NK] = {0, 1, 2};
    brute *b = malloc(sizeof *b);
    enumerate(m, &p, NULL, ident, b);
    compare(m, &sp, b);
    assert_false(sp.conditioned);
    assert_true(sp.defining[0] && !sp.defining[1] && sp.defining[2] && !sp.defining[3]);
    scenmc_signposts_free(&sp);
    free(b);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Hard evidence in year 1, soft in year 2, a binary target: the exact pass
 * filters and smooths as the enumeration weighs the paths. */
static void test_exact_given_against_paths(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(sig_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    const double hard[3] = {0, 1, 0}, soft[2] = {0.8, 0.2}, soft_z[2] = {0.3, 0.6};
    scenmc_observations_add(&obs, 1, 1, hard, 3, "test B");
    scenmc_observations_add(&obs, 2, 2, soft, 2, "test C");
    scenmc_observations_add(&obs, 3, 3, soft_z, 2, "test Z");
    int target[1] = {1};
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .threads = 3, .n_target = 1,
                                  .target = target, .given = &obs};
    scenmc_signposts sp = compute(m, &p, &o);
    assert_int_equal(sp.K, 2);
    int target_of[NK] = {1, 0, 1};
    brute *b = malloc(sizeof *b);
    enumerate(m, &p, &obs, target_of, b);
    compare(m, &sp, b);
    assert_true(sp.conditioned);
    assert_close(sp.log_evidence, log(b->evidence), 1e-10);
    /* The same singles as the conditioned solver's tables (exactgiven):
     * P(variant, target) = P(variant) P(target | variant). */
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact_given(m, &p, &obs, 2, &r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    for (int y = 0; y < NY; y++)
        for (int u = 0; u < NV; u++) {
            double j[2] = {0, 0}, pv = r.t[SCENMC_T_VARIANT].prob[y * NV + u];
            for (int a = 0; a < NK && pv > 0; a++)
                j[target_of[a]] += pv * r.t[SCENMC_T_EARLY_WARNING].prob[(y * NV + u) * NK + a];
            for (int k = 0; k < 2; k++)
                assert_close(sp.joint[(y * NV + u) * 2 + k], j[k], 1e-11);
        }
    assert_close(r.log_evidence, sp.log_evidence, 1e-10);
    scenmc_results_free(&r);
    scenmc_signposts_free(&sp);
    free(b);
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Z (no interactions, in no definition) carries 0 bits in every year; the
 * defining pair (A, C) in the last year, and A alone for the target {two}
 * (A = a2), carry H(target). */
static void test_independent_and_defining(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(sig_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT};
    scenmc_signposts sp = compute(m, &p, &o);
    for (int y = 0; y < NY; y++)
        assert_true(sp.mi[3 * NY + y] < 1e-12);
    assert_true(sp.target_entropy > 1);
    assert_close(sp.pair_mi[((size_t)(NY - 1) * ND + 0) * ND + 2], sp.target_entropy, 1e-10);
    assert_true(sp.mi[0 * NY + NY - 1] < sp.target_entropy - 0.05); /* A alone leaves C open */
    assert_int_equal(sp.best[NY - 1], 1); /* B: the only informative non-defining descriptor */
    assert_int_equal(sp.best_pair[2 * (NY - 1)], 1);
    assert_int_equal(sp.best_pair[2 * (NY - 1) + 1], 3);
    scenmc_signposts_free(&sp);
    int two[1] = {1};
    o.n_target = 1, o.target = two;
    sp = compute(m, &p, &o);
    double h = 0;
    for (int k = 0; k < 2; k++)
        h -= sp.target_prob[k] * log2(sp.target_prob[k]);
    assert_close(sp.target_entropy, h, 1e-12);
    assert_close(sp.mi[0 * NY + NY - 1], h, 1e-10);
    assert_true(sp.mi[0 * NY + NY - 2] < h - 0.05);
    scenmc_signposts_free(&sp);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Monte Carlo (400000 trajectories) against exact, unconditioned and
 * conditioned (hard B in year 1, soft C in year 2: weighted trajectories,
 * N the effective size): where the exact information is positive the
 * bias-corrected plug-in lies within 4.5 standard errors; for Z 2 N ln2 I
 * (chi-square, 2 degrees of freedom under independence) stays below its
 * 1e-4 quantile. */
static void mc_against_exact(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *obs)
{
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .given = obs};
    scenmc_signposts ex = compute(m, p, &o);
    o.method = SCENMC_SIGNPOSTS_MC;
    scenmc_signposts mc = compute(m, p, &o);
    assert_int_equal(mc.method, SCENMC_MONTE_CARLO);
    assert_int_equal((int)mc.n_trajectories, 400000);
    assert_int_equal(mc.conditioned, obs != NULL);
    double N = mc.n_effective;
    if (obs) { /* Kish's effective size of the weighted trajectories */
        assert_close(mc.log_evidence, ex.log_evidence, 0.02);
        assert_true(N > 20000 && N < 400000);
    } else {
        assert_true(N == 400000);
    }
    for (int d = 0; d < ND; d++)
        for (int y = 0; y < NY; y++) {
            int i = d * NY + y;
            if (d == 3) {
                assert_true(2 * N * log(2) * mc.mi[i] < 18.42);
                continue;
            }
            if (mc.mi_se[i] == 0) { /* the variant is known (observed hard): no information */
                assert_true(mc.mi[i] < 1e-12 && ex.mi[i] < 1e-12);
                continue;
            }
            double z = (mc.mi[i] - mc.mi_bias[i] - ex.mi[i]) / mc.mi_se[i];
            if (!(fabs(z) < 4.5))
                fail_msg("d %d y %d: mc %.6g - bias %.3g vs exact %.6g, se %.3g: z %.2f", d, y, mc.mi[i],
                         mc.mi_bias[i], ex.mi[i], mc.mi_se[i], z);
        }
    for (int k = 0; k < NK; k++)
        assert_close(mc.target_prob[k], ex.target_prob[k], 5 * sqrt(0.25 / N));
    scenmc_signposts_free(&ex);
    scenmc_signposts_free(&mc);
}

static void test_monte_carlo_agrees(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(sig_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    mc_against_exact(m, &p, NULL);
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    const double hard[3] = {0, 1, 0}, soft[2] = {0.8, 0.2};
    scenmc_observations_add(&obs, 1, 1, hard, 3, "test B");
    scenmc_observations_add(&obs, 2, 2, soft, 2, "test C");
    mc_against_exact(m, &p, &obs);
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Closed forms of the information function itself. */
static void test_mutual_information(void **state)
{
    (void)state;
    const double copy[4] = {0.5, 0, 0, 0.5}, indep[6] = {0.06, 0.14, 0.12, 0.28, 0.12, 0.28};
    const double part[4] = {0.25, 0.25, 0.5, 0};
    assert_close(scenmc_mutual_information(copy, 2, 2), 1, 1e-15);
    assert_close(scenmc_mutual_information(indep, 3, 2), 0, 1e-15);
    /* H(T) - H(T | X) with T | X=0 uniform, T | X=1 certain: 0.811278 - 0.5 */
    double hT = -(0.75 * log2(0.75) + 0.25 * log2(0.25));
    assert_close(scenmc_mutual_information(part, 2, 2), hT - 0.5, 1e-15);
}

/* An observation that cannot have happened is refused, naming its year. */
static void test_impossible_observation(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(sig_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    obs.start = calloc(ND, sizeof(int)); /* A = a1 ... */
    obs.n_start = ND;
    const double a2[2] = {0, 1};
    scenmc_observations_add(&obs, 0, 0, a2, 2, "test A"); /* ... and A = a2 */
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .given = &obs};
    scenmc_signposts sp;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_signposts_compute(m, &p, &o, &sp, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "observations of 0"));
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The command writes the file the library computes; the reader gives it
 * back; xarray sees named dimensions; report has the section; bad targets
 * and Monte Carlo with observations are usage errors. */
static void test_command_file_report(void **state)
{
    (void)state;
    const char *model = scratch_write("sig.yaml", sig_model), *file = scratch_path("sp.h5");
    assert_int_equal(sh("%s signposts %s --target two,unclassified -q -o %s", SCENMC_BINARY, model, file), 0);
    scenmc_model *m = NULL, *m2 = model_from_string(sig_model);
    scenmc_params p, p2;
    scenmc_signposts sp;
    scenmc_results_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_signposts_read(file, &m, &p, &sp, &info, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    scenmc_params_init(&p2, m2);
    int target[2] = {1, 2};
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .n_target = 2, .target = target};
    scenmc_signposts want = compute(m2, &p2, &o);
    assert_true(sp.binary && sp.has_pairs && sp.method == SCENMC_EXACT);
    for (int i = 0; i < ND * NY; i++) {
        assert_true(sp.mi[i] == want.mi[i]);
        assert_int_equal(sp.rank[i], want.rank[i]);
    }
    for (int i = 0; i < NY * ND * ND; i++)
        assert_true(sp.pair_mi[i] == want.pair_mi[i]);
    for (int y = 0; y < NY; y++)
        assert_int_equal(sp.best[y], want.best[y]);
    assert_string_equal(sp.target_name[0], "two | unclassified");
    assert_int_equal(sh("/usr/bin/python3 -c \"import xarray as x; d = x.open_dataset('%s', group='signposts', "
                        "engine='h5netcdf'); v = d.mutual_information.sel(descriptor='B', year=3).item(); "
                        "assert abs(v - %.17g) < 1e-15, v; assert d.pair_mutual_information.dims == ('year', "
                        "'descriptor', 'other_descriptor'); assert d.conditional.dims == ('year', 'variant', "
                        "'target'); assert list(d.defining.values) == [1, 0, 1, 0]\"", file, want.mi[1 * NY + 3]), 0);
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, file), 0);
    assert_non_null(strstr(sh_out, "What to watch"));
    assert_non_null(strstr(sh_out, "When to look"));
    assert_non_null(strstr(sh_out, "| 1 | B 3 |"));
    assert_int_equal(sh("%s/scripts/scenmc-plot %s -o %s/fig", SCENMC_SOURCE_DIR, file, scratch_dir), 0);
    assert_non_null(strstr(sh_out, "signposts.png"));
    assert_int_equal(sh("%s signposts %s --target nosuch -q", SCENMC_BINARY, model), 2);
    assert_non_null(strstr(sh_out, "no scenario 'nosuch'"));
    assert_int_equal(sh("%s signposts %s --method mc -n 20000 --given 1:B=b2", SCENMC_BINARY, model), 0);
    assert_non_null(strstr(sh_out, "Monte Carlo"));
    assert_non_null(strstr(sh_out, "conditioned on the observations"));
    scenmc_signposts_free(&sp);
    scenmc_signposts_free(&want);
    scenmc_results_info_free(&info);
    scenmc_params_free(&p);
    scenmc_params_free(&p2);
    scenmc_model_free(m);
    scenmc_model_free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutual_information),
        cmocka_unit_test(test_exact_against_paths),
        cmocka_unit_test(test_exact_given_against_paths),
        cmocka_unit_test(test_independent_and_defining),
        cmocka_unit_test(test_monte_carlo_agrees),
        cmocka_unit_test(test_impossible_observation),
        cmocka_unit_test(test_command_file_report),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
