/* The Monte Carlo engine: reproducibility, and agreement with distributions
 * derived independently (closed forms of the spec, enumeration in this file).
 *
 * Statistical tests use fixed seeds, so each is deterministic; the stated
 * false-failure probability is what a fresh seed would risk. Every
 * chi-square test rejects at p < 1e-6. */
#include "testutil.h"
#include "testref.h"
#include "engine/simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Test sizes scale with SCENMC_TEST_SCALE (the sanitizer build uses a smaller one). */
static uint64_t scaled(uint64_t n)
{
    const char *s = getenv("SCENMC_TEST_SCALE");
    double f = s ? atof(s) : 1.0;
    uint64_t v = (uint64_t)((double)n * (f > 0 ? f : 1.0));
    return v < 2000 ? 2000 : v;
}

static void run_or_fail(const scenmc_model *m, const scenmc_params *p, int threads, uint64_t chunk,
                        scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = threads, .chunk = chunk};
    if (scenmc_run(m, p, &opt, r, &err) != SCENMC_OK)
        fail_msg("run failed: %s", err.msg);
}

static int same_counts(const scenmc_results *a, const scenmc_results *b)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (a->t[k].size != b->t[k].size ||
            memcmp(a->t[k].counts, b->t[k].counts, a->t[k].size * sizeof(uint64_t)) != 0)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- reproducibility */

static void test_threads_and_chunks_do_not_matter(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 30011; /* not a multiple of any chunk */
    p.seed = 42;
    scenmc_results ref, r;
    run_or_fail(m, &p, 1, 0, &ref);
    assert_int_equal(ref.n_trajectories, 30011);
    int threads[] = {2, 3, 2, 1};
    uint64_t chunks[] = {0, 1000, 7777, 1};
    for (int i = 0; i < 4; i++) {
        run_or_fail(m, &p, threads[i], chunks[i], &r);
        if (!same_counts(&ref, &r))
            fail_msg("counts differ with %d threads and chunk %llu", threads[i],
                     (unsigned long long)chunks[i]);
        scenmc_results_free(&r);
    }
    /* A different seed gives different counts. */
    p.seed = 43;
    run_or_fail(m, &p, 2, 0, &r);
    assert_false(same_counts(&ref, &r));
    scenmc_results_free(&r);
    /* Trajectory ranges compose: [0, a) + [a, N) equals [0, N) (shards, resume). */
    scenmc_results a, b;
    p.seed = 42;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options oa = {.threads = 2, .first = 0, .last = 12345};
    scenmc_run_options ob = {.threads = 3, .first = 12345, .last = 30011};
    assert_int_equal(scenmc_run(m, &p, &oa, &a, &err), SCENMC_OK);
    assert_int_equal(scenmc_run(m, &p, &ob, &b, &err), SCENMC_OK);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < ref.t[k].size; i++)
            assert_int_equal(a.t[k].counts[i] + b.t[k].counts[i], ref.t[k].counts[i]);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_results_free(&ref);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_tables_are_consistent(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 5000;
    scenmc_results r;
    run_or_fail(m, &p, 2, 0, &r);
    size_t Y = (size_t)r.n_years, S = (size_t)r.n_scenarios;
    for (size_t y = 0; y < Y; y++) {
        uint64_t tot = 0, kb = 0;
        for (size_t s = 0; s < S; s++)
            tot += r.t[SCENMC_T_SCENARIO].counts[y * S + s];
        for (int b = 0; b < r.n_bins; b++)
            kb += r.t[SCENMC_T_CONSISTENCY].counts[y * (size_t)r.n_bins + (size_t)b];
        assert_int_equal(tot, 5000);
        assert_int_equal(kb, 5000);
    }
    uint64_t li = 0, fs = 0;
    for (size_t i = 0; i < r.t[SCENMC_T_LOCK_IN].size; i++)
        li += r.t[SCENMC_T_LOCK_IN].counts[i];
    for (size_t i = 0; i < r.t[SCENMC_T_FINAL_STATE].size; i++)
        fs += r.t[SCENMC_T_FINAL_STATE].counts[i];
    assert_int_equal(li, 5000);
    assert_int_equal(fs, 5000);
    /* Lock-in counts by final scenario equal the final year's scenario counts. */
    for (size_t s = 0; s < S; s++) {
        uint64_t c = 0;
        for (size_t y = 0; y < Y; y++)
            c += r.t[SCENMC_T_LOCK_IN].counts[y * S + s];
        assert_int_equal(c, r.t[SCENMC_T_SCENARIO].counts[(Y - 1) * S + s]);
    }
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- statistics */

static int n_chi2_tests;

/* Pearson chi-square of observed counts against probabilities, cells whose
 * expected count is below 5 pooled (tests/testref.c); fails below p = 1e-6. */
static void expect_fit(const char *what, int a, int b, const uint64_t *obs, const double *prob, size_t n,
                       uint64_t total)
{
    n_chi2_tests++;
    double pv = testref_chi2_pvalue_counts(obs, prob, n, total);
    if (pv < 1e-6)
        fail_msg("%s (%d, %d): chi-square p-value %.3g < 1e-6", what, a, b, pv);
}

/* beta = 0: every revision is uniform, so (docs/model.md, section 7)
 * P(s_i(t) = b) = 1/n_i + (p_i(b) - 1/n_i) exp(-lambda_i (t - t0)).
 * Unequal rates exercise the descriptor choice; a fixed start the initial term.
 * 11 years x 10 descriptors = 110 tests: false failure < 1.1e-4. */
static void test_beta0_marginals_closed_form(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = 0;
    p.n_trajectories = scaled(200000);
    p.seed = 7;
    for (int d = 0; d < m->n_descriptors; d++)
        p.rate[d] = 0.15 + 0.1 * d;
    p.start = calloc(SCENMC_MAX_DESCRIPTORS, sizeof(int)); /* a constant size: gcc cannot bound n_descriptors */
    for (int d = 0; d < m->n_descriptors; d++)
        p.start[d] = d % m->descriptors[d].n_variants;
    scenmc_results r;
    run_or_fail(m, &p, 2, 0, &r);
    const scenmc_table *va = &r.t[SCENMC_T_VARIANT];
    size_t V = (size_t)m->n_variants;
    n_chi2_tests = 0;
    for (int y = 0; y < r.n_years; y++)
        for (int d = 0; d < m->n_descriptors; d++) {
            const scenmc_descriptor *D = &m->descriptors[d];
            double prob[SCENMC_MAX_VARIANTS];
            for (int b = 0; b < D->n_variants; b++) {
                double p0 = p.start[d] == b, u = 1.0 / D->n_variants;
                prob[b] = u + (p0 - u) * exp(-p.rate[d] * y);
            }
            if (y == 0) {
                for (int b = 0; b < D->n_variants; b++)
                    assert_int_equal(va->counts[(size_t)y * V + (size_t)(D->offset + b)],
                                     b == p.start[d] ? p.n_trajectories : 0);
                continue;
            }
            expect_fit("beta=0 marginal (year, descriptor)", y, d,
                       va->counts + (size_t)y * V + (size_t)D->offset, prob,
                       (size_t)D->n_variants, p.n_trajectories);
        }
    print_message("beta=0: %d chi-square tests passed\n", n_chi2_tests);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* test_small_model (tests/testutil.c): 4 descriptors, 36 states, scores chosen
 * to make the Boltzmann distribution far from uniform.
 * w_X = 0, h = 0: the chain is reversible with stationary distribution
 * pi(s) ~ exp(beta w_C K(s)) (docs/model.md, section 7), computed here by enumeration.
 * After 40 years at rate 4 the chain has mixed far below the sampling error
 * (test_exact checks the distance is below 1e-9). 36 cells, one test:
 * false failure 1e-6. */
static void test_long_horizon_boltzmann(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = scaled(400000);
    p.seed = 11;
    scenmc_results r;
    run_or_fail(m, &p, 2, 0, &r);
    assert_int_equal(r.n_scenarios, 3); /* two scenarios + unclassified */
    uint64_t n = scenmc_model_state_count(m);
    assert_int_equal(n, 36);
    double *pi = calloc(n, sizeof(double)), z = 0;
    int s[4];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int e = 0; e < 2; e++) {
                    s[0] = a, s[1] = b, s[2] = c, s[3] = e;
                    /* K by hand from the blocks above, pair by pair. */
                    static const double AB[3][2] = {{3, -2}, {0, 1}, {-3, 2}};
                    static const double AC[3][3] = {{2, 0, -1}, {-1, 2, 0}, {0, -2, 3}};
                    static const double BC[2][3] = {{1, -1, 0}, {-2, 2, 1}};
                    static const double CE[3][2] = {{2, -2}, {0, 0}, {-3, 3}};
                    static const double AE[3][2] = {{1, 0}, {0, 1}, {-1, 2}};
                    double K = AB[a][b] + AC[a][c] + BC[b][c] + CE[c][e] + AE[a][e];
                    assert_close(K, scenmc_model_total_consistency(m, s), 0);
                    size_t idx = (size_t)(((a * 2 + b) * 3 + c) * 2 + e);
                    pi[idx] = exp(0.4 * K);
                    z += pi[idx];
                }
    for (uint64_t i = 0; i < n; i++)
        pi[i] /= z;
    n_chi2_tests = 0;
    expect_fit("Boltzmann final states", 0, 0, r.t[SCENMC_T_FINAL_STATE].counts, pi, n,
               p.n_trajectories);
    free(pi);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- against the exact solver */

/* The default model, loaded once for compare_with_exact and the field-mode test,
 * and its exact tables at each beta asked for: beta 0.5 is compared twice (the
 * table engine and field mode), and a solve of the default model is the
 * slowest part of these tests under the sanitizers. Only the model, beta and
 * years enter the exact tables, and these callers change nothing else but
 * the seed and N (which only the run uses). Freed by the group teardown. */
#define N_KEPT 8
static scenmc_model *g_default;
static struct {
    double beta;
    scenmc_results ex;
} g_exact[N_KEPT];
static int g_n_exact;

static scenmc_model *shared_default_model(void)
{
    if (!g_default)
        g_default = default_model();
    return g_default;
}

static int shared_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < g_n_exact; i++)
        scenmc_results_free(&g_exact[i].ex);
    g_n_exact = 0;
    scenmc_model_free(g_default);
    g_default = NULL;
    return 0;
}

/* The exact tables of m at p: kept ones for the shared default model at the
 * same beta; *keep says whether the caller must leave them unfreed. */
static void exact_for(const scenmc_model *m, const scenmc_params *p, scenmc_results *ex, int *keep)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    *keep = m == g_default && g_n_exact < N_KEPT;
    for (int i = 0; *keep && i < g_n_exact; i++)
        if (g_exact[i].beta == p->beta) {
            *ex = g_exact[i].ex;
            return;
        }
    if (scenmc_exact(m, p, 2, ex, &err) != SCENMC_OK)
        fail_msg("exact: %s", err.msg);
    if (*keep) {
        g_exact[g_n_exact].beta = p->beta;
        g_exact[g_n_exact++].ex = *ex;
    }
}

/* Every table of run against exact, year by year. Conditional tables are
 * tested given their observed denominators. At most about 1,000 tests at
 * p < 1e-6: false failure < 1e-3 per call. */
static void compare_run_with_exact(const scenmc_model *m, const scenmc_params *pp,
                                   const scenmc__engine_tuning *tune, const char *label)
{
    scenmc_params p;
    scenmc_params_copy(&p, pp);
    scenmc_results mc, ex;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 2};
    if (scenmc__run_tuned(m, &p, &opt, tune, &mc, &err) != SCENMC_OK)
        fail_msg("run failed: %s", err.msg);
    int keep;
    exact_for(m, &p, &ex, &keep);
    size_t Y = (size_t)mc.n_years, S = (size_t)mc.n_scenarios, V = (size_t)m->n_variants;
    uint64_t N = p.n_trajectories;
    const scenmc_table *sc = &mc.t[SCENMC_T_SCENARIO], *va = &mc.t[SCENMC_T_VARIANT];
    n_chi2_tests = 0;
    for (size_t y = 0; y < Y; y++) {
        int yi = (int)y;
        expect_fit("scenario", yi, 0, sc->counts + y * S, ex.t[SCENMC_T_SCENARIO].prob + y * S,
                   S, N);
        for (int d = 0; d < m->n_descriptors; d++) {
            size_t o = (size_t)m->descriptors[d].offset, nv = (size_t)m->descriptors[d].n_variants;
            expect_fit("variant", yi, d, va->counts + y * V + o,
                       ex.t[SCENMC_T_VARIANT].prob + y * V + o, nv, N);
            for (size_t s = 0; s < S; s++) {
                uint64_t ns = sc->counts[y * S + s];
                if (ns > 0)
                    expect_fit("scenario_variant (year, descriptor)", yi, d,
                               mc.t[SCENMC_T_SCENARIO_VARIANT].counts + (y * S + s) * V + o,
                               ex.t[SCENMC_T_SCENARIO_VARIANT].prob + (y * S + s) * V + o, nv, ns);
            }
        }
        for (size_t v = 0; v < V; v++) {
            uint64_t nvv = va->counts[y * V + v];
            if (nvv > 0)
                expect_fit("early_warning (year, variant)", yi, (int)v,
                           mc.t[SCENMC_T_EARLY_WARNING].counts + (y * V + v) * S,
                           ex.t[SCENMC_T_EARLY_WARNING].prob + (y * V + v) * S, S, nvv);
        }
        expect_fit("consistency", yi, 0, mc.t[SCENMC_T_CONSISTENCY].counts + y * (size_t)mc.n_bins,
                   ex.t[SCENMC_T_CONSISTENCY].prob + y * (size_t)mc.n_bins, (size_t)mc.n_bins, N);
        if (y + 1 < Y)
            for (size_t a = 0; a < S; a++) {
                uint64_t na = sc->counts[y * S + a];
                if (na > 0)
                    expect_fit("scenario_transition (year, from)", yi, (int)a,
                               mc.t[SCENMC_T_TRANSITION].counts + (y * S + a) * S,
                               ex.t[SCENMC_T_TRANSITION].prob + (y * S + a) * S, S, na);
            }
    }
    expect_fit("lock_in", 0, 0, mc.t[SCENMC_T_LOCK_IN].counts, ex.t[SCENMC_T_LOCK_IN].prob,
               Y * S, N);
    expect_fit("final_state", 0, 0, mc.t[SCENMC_T_FINAL_STATE].counts,
               ex.t[SCENMC_T_FINAL_STATE].prob, mc.t[SCENMC_T_FINAL_STATE].size, N);
    print_message("%s: %d chi-square tests against the exact solver passed\n", label, n_chi2_tests);
    scenmc_results_free(&mc);
    if (!keep)
        scenmc_results_free(&ex);
    scenmc_params_free(&p);
}

/* The default model at one beta. */
static void compare_with_exact(double beta, uint64_t seed)
{
    scenmc_model *m = shared_default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = beta;
    p.seed = seed;
    p.n_trajectories = scaled(1000000);
    char label[64];
    snprintf(label, sizeof label, "default model, beta=%g", beta);
    compare_run_with_exact(m, &p, NULL, label);
    scenmc_params_free(&p);
}

/* A model for the engine's other paths: descriptors of 5 and 6 variants
 * (the 8-wide weight vectors), unequal rates, an uneven start, cross impacts
 * with a self-impact block, and a bias. 180 states. */
#define WIDE_MODEL_BODY \
    "name: wide\n" \
    "years: {start: 0, end: 6}\n" \
    "descriptors:\n" \
    "  - {id: A, variants: [a1, a2, a3, a4, a5], rate: 0.8, initial: [0.4, 0.3, 0.1, 0.1, 0.1]}\n" \
    "  - {id: B, variants: [b1, b2, b3, b4, b5, b6], rate: 0.3}\n" \
    "  - {id: C, variants: [c1, c2]}\n" \
    "  - {id: E, variants: [e1, e2, e3], initial: [0.2, 0.5, 0.3]}\n" \
    "consistency:\n" \
    "  - {between: [A, B], scores: [[3, -2, 0, 1, -1, 2], [0, 1, -3, 2, 0, -1], [-3, 2, 1, 0, 2, 0],\n" \
    "                              [1, 0, 2, -2, 3, -1], [-1, -1, 0, 3, 0, 2]]}\n" \
    "  - {between: [A, C], scores: [[2, -1], [0, 1], [-2, 3], [1, 1], [-3, 0]]}\n" \
    "  - {between: [B, E], scores: [[1, 0, -1], [-2, 2, 0], [0, -1, 3], [2, 2, -2], [-1, 0, 1], [3, -3, 0]]}\n" \
    "  - {between: [C, E], scores: [[2, -2, 0], [-1, 1, 2]]}\n" \
    "cross_impact:\n" \
    "  - {from: A, to: E, impacts: [[4, -2, 0], [0, 3, -3], [-5, 1, 2], [1, 0, 0], [2, -1, -1]]}\n" \
    "  - {from: C, to: A, impacts: [[1, 0, -2, 3, 0], [-1, 2, 0, 0, 1]]}\n" \
    "  - {from: B, to: B, impacts: [[0, 1, 0, 0, 0, -1], [1, 0, 0, 0, 0, 0], [0, 0, 0, 2, 0, 0],\n" \
    "                               [0, 0, -2, 0, 0, 0], [0, 0, 0, 0, 0, 1], [-1, 0, 0, 0, 1, 0]]}\n" \
    "scenarios:\n"                                                                               \
    "  - {name: S1, when: {A: a1}}\n"                                                             \
    "  - {name: S2, when: {C: c2, E: e3}}\n"                                                      \
    "defaults: {beta: 0.6, rate: 1}\n"
static const char wide_model[] = WIDE_MODEL_BODY "bias: {B: [0.5, 0, 0, -0.5, 1, 0]}\n";
/* The same with a bias of 600 on c1: a field of 360 at beta 0.6, too large
 * for products of exp(), so the engine takes weights from sums. */
static const char wide_model_log[] = WIDE_MODEL_BODY "bias: {B: [0.5, 0, 0, -0.5, 1, 0], C: [600, 0]}\n";

/* The wide model with automatic tables (one group), then with groups of at
 * most 8 joint variants (three groups, K from pair tables) and variants
 * tallied per descriptor instead of jointly. */
static void test_run_vs_exact_wide_variants(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(wide_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 104;
    p.n_trajectories = scaled(300000);
    compare_run_with_exact(m, &p, NULL, "wide model, one group");
    scenmc__engine_tuning tune = {.group_limit = 8, .split_tally = 1};
    p.seed = 105;
    compare_run_with_exact(m, &p, &tune, "wide model, three groups, split tally");
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Weights from sums and exp() when the field is too large for products. */
static void test_run_vs_exact_log_domain(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(wide_model_log);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 108;
    p.n_trajectories = scaled(300000);
    compare_run_with_exact(m, &p, NULL, "wide model, log domain");
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A descriptor of 9 variants: the engine's general-width path. 54 states. */
static const char nine_model[] =
    "name: nine\n"
    "years: {start: 0, end: 5}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3, a4, a5, a6, a7, a8, a9]}\n"
    "  - {id: B, variants: [b1, b2, b3]}\n"
    "  - {id: C, variants: [c1, c2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[3, -2, 0], [0, 1, -3], [-3, 2, 1], [1, 0, 2], [-1, -1, 0],\n"
    "                              [2, 0, -2], [0, 3, -1], [-2, 1, 1], [1, -3, 2]]}\n"
    "  - {between: [A, C], scores: [[2, -1], [0, 1], [-2, 3], [1, 1], [-3, 0], [0, 2], [1, -2], [3, 0], [-1, 1]]}\n"
    "  - {between: [B, C], scores: [[1, -1], [-2, 2], [0, 3]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {B: b1}}\n"
    "  - {name: S2, when: {B: b2}}\n"
    "  - {name: S3, when: {B: b3}}\n"
    "defaults: {beta: 0.8, rate: 1.5}\n";

static void test_run_vs_exact_nine_variants(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(nine_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 106;
    p.n_trajectories = scaled(300000);
    compare_run_with_exact(m, &p, NULL, "nine variants");
    scenmc__engine_tuning tune = {.group_limit = 1}; /* three groups of one descriptor */
    p.seed = 107;
    compare_run_with_exact(m, &p, &tune, "nine variants, three groups");
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Field mode (more groups than the table engine takes): the default model
 * in ten groups of one descriptor, at beta 0.5 and at beta 20 (a field of
 * several hundred: the log domain). */
static void test_run_vs_exact_field_mode(void **state)
{
    (void)state;
    scenmc_model *m = shared_default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 109;
    p.n_trajectories = scaled(300000);
    scenmc__engine_tuning tune = {.group_limit = 1};
    compare_run_with_exact(m, &p, &tune, "default model, field mode");
    p.beta = 20;
    p.seed = 110;
    compare_run_with_exact(m, &p, &tune, "default model, field mode, beta 20");
    scenmc_params_free(&p);
}

/* How the engine groups descriptors into tables, and whether it tallies
 * variants jointly, changes no count: the weights differ only by rounding
 * (products of exp() of sums taken in another order), which moves a draw only
 * if its uniform falls within a few 1e-16 of a boundary (about 1e-9 for the
 * whole run). Group limits 1, 2 and 4 give nine or ten groups (field mode), 16
 * gives five (the table engine with a group count it does not unroll). */
static void test_grouping_does_not_change_counts(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 44;
    scenmc_error err;
    scenmc_error_clear(&err);
    /* Rate 4: about 400 revisions a trajectory, more than one round of the
     * lanes' queues, so the year ends are also taken across rounds. */
    const double rates[] = {0.5, 4};
    for (int k = 0; k < 2; k++) {
        scenmc_params_set_rate(&p, rates[k]);
        p.n_trajectories = k ? 5003 : 30011;
        scenmc_results ref, r;
        scenmc_run_options opt = {.threads = 2};
        if (scenmc_run(m, &p, &opt, &ref, &err) != SCENMC_OK)
            fail_msg("run: %s", err.msg);
        int limits[] = {1, 2, 4, 16, 64, 1024, 0};
        for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
            scenmc__engine_tuning tune = {.group_limit = limits[i],
                                          .split_tally = limits[i] == 0 || limits[i] == 4};
            if (scenmc__run_tuned(m, &p, &opt, &tune, &r, &err) != SCENMC_OK)
                fail_msg("run: %s", err.msg);
            if (!same_counts(&ref, &r))
                fail_msg("rate %g, group limit %d (split tally %d) changed the counts", rates[k], limits[i],
                         tune.split_tally);
            scenmc_results_free(&r);
        }
        scenmc_results_free(&ref);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Every specialised engine gives the plain reference engine's counts, bit
 * for bit: the same random words for the same purposes, and weights equal up
 * to rounding (which moves a draw only within a few 1e-16 of a boundary). */
static void expect_reference_counts(const scenmc_model *m, const scenmc_params *p, const int *limits,
                                    int n_limits, const char *what)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results ref, r;
    scenmc__engine_tuning reference = {.reference = 1};
    if (scenmc__run_tuned(m, p, NULL, &reference, &ref, &err) != SCENMC_OK)
        fail_msg("%s: reference run: %s", what, err.msg);
    assert_int_equal(ref.n_trajectories, p->n_trajectories);
    for (int i = 0; i < n_limits; i++)
        for (int split = 0; split < 2; split++) {
            scenmc_run_options o = {.threads = 2};
            scenmc__engine_tuning tune = {.group_limit = limits[i], .split_tally = split};
            if (scenmc__run_tuned(m, p, &o, &tune, &r, &err) != SCENMC_OK)
                fail_msg("%s: run: %s", what, err.msg);
            if (!same_counts(&ref, &r))
                fail_msg("%s: group limit %d (split tally %d) differs from the reference engine", what,
                         limits[i], split);
            scenmc_results_free(&r);
        }
    scenmc_results_free(&ref);
}

/* The default model (packed engine; table engine with five groups; field
 * mode from limit 4 down; fixed and random start; rate 4: several rounds of
 * the lanes' queues), the 5/6-variant model with cross impacts, bias and
 * unequal rates (packed width 8; table with three groups), the same in the
 * log domain (any-width engine), the 9-variant model (any width) and the
 * default model at beta 20 (field mode in the log domain). */
static void test_engines_match_reference(void **state)
{
    (void)state;
    const int limits[] = {1, 2, 4, 16, 64, 1024, 0}, wide_limits[] = {0, 8, 2, 1}, nine_limits[] = {0, 1, 3};
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 46;
    p.n_trajectories = 3001;
    free(p.start); /* a random start: one word per start block */
    p.start = NULL;
    expect_reference_counts(m, &p, limits, 7, "default model");
    p.start = calloc((size_t)m->n_descriptors, sizeof(int));
    assert_non_null(p.start);
    p.start[0] = 1;
    expect_reference_counts(m, &p, limits, 7, "default model, fixed start");
    free(p.start);
    p.start = NULL;
    scenmc_params_set_rate(&p, 4);
    p.n_trajectories = 1003;
    expect_reference_counts(m, &p, limits, 7, "default model, rate 4");
    scenmc_params_set_rate(&p, 0.5);
    p.beta = 20;
    expect_reference_counts(m, &p, limits, 7, "default model, beta 20");
    scenmc_params_free(&p);
    scenmc_model_free(m);
    const char *models[] = {wide_model, wide_model_log, nine_model};
    const char *names[] = {"wide model", "wide model, log domain", "nine variants"};
    for (int i = 0; i < 3; i++) {
        m = model_from_string(models[i]);
        scenmc_params_init(&p, m);
        p.seed = 47 + (uint64_t)i;
        p.n_trajectories = 3001;
        expect_reference_counts(m, &p, i < 2 ? wide_limits : nine_limits, i < 2 ? 4 : 3, names[i]);
        scenmc_params_free(&p);
        scenmc_model_free(m);
    }
}

static void test_run_vs_exact_beta0(void **state) { (void)state; compare_with_exact(0.0, 101); }
static void test_run_vs_exact_beta05(void **state) { (void)state; compare_with_exact(0.5, 102); }
static void test_run_vs_exact_beta2(void **state) { (void)state; compare_with_exact(2.0, 103); }

/* More than 2^24 states: the final-state table lists the most frequent states.
 * At beta = 0 descriptors evolve independently, so the start state's final
 * probability is prod_i (1/2 + 1/2 exp(-lambda t)) for binary descriptors
 * (docs/model.md, section 7). One binomial test at 5 sigma: false failure 6e-7. */
static void test_top_states_mode(void **state)
{
    (void)state;
    char yaml[4096] = "name: wide\nyears: {start: 0, end: 1}\ndescriptors:\n";
    for (int d = 0; d < 25; d++) {
        char line[64];
        snprintf(line, sizeof line, "  - {id: D%d, variants: [a, b]}\n", d);
        strcat(yaml, line);
    }
    strcat(yaml, "consistency:\n  - {between: [D0, D1], scores: [[1, 0], [0, 1]]}\n");
    scenmc_model *m = model_from_string(yaml);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = 0;
    scenmc_params_set_rate(&p, 0.02);
    p.start = calloc(25, sizeof(int));
    p.n_trajectories = scaled(40000);
    scenmc_results a, b;
    run_or_fail(m, &p, 1, 0, &a);
    run_or_fail(m, &p, 3, 777, &b);
    assert_false(a.full_states);
    assert_true(a.t[SCENMC_T_FINAL_STATE].size > 1);
    assert_int_equal(a.t[SCENMC_T_FINAL_STATE].size, b.t[SCENMC_T_FINAL_STATE].size);
    assert_memory_equal(a.t[SCENMC_T_FINAL_STATE].counts, b.t[SCENMC_T_FINAL_STATE].counts,
                        a.t[SCENMC_T_FINAL_STATE].size * sizeof(uint64_t));
    assert_memory_equal(a.top_state, b.top_state, a.t[SCENMC_T_FINAL_STATE].size * sizeof(uint64_t));
    assert_int_equal(a.n_top_distinct, b.n_top_distinct);
    assert_int_equal(a.top_state[0], 0); /* the start state, all first variants */
    double pstay = pow(0.5 + 0.5 * exp(-0.02), 25), N = (double)p.n_trajectories;
    double c = (double)a.t[SCENMC_T_FINAL_STATE].counts[0];
    assert_true(fabs(c - N * pstay) < 5 * sqrt(N * pstay * (1 - pstay)));
    for (size_t i = 1; i < a.t[SCENMC_T_FINAL_STATE].size; i++)
        assert_true(a.t[SCENMC_T_FINAL_STATE].counts[i] <= a.t[SCENMC_T_FINAL_STATE].counts[i - 1]);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- command line */

static void test_bad_command_lines(void **state)
{
    (void)state;
    static const struct {
        const char *args, *says;
    } cases[] = {
        {"-n 0", "-n '0'"},
        {"-n -5", "-n '-5'"},
        {"-n abc", "-n 'abc'"},
        {"-n 1e30", "-n '1e30'"},
        {"--beta nan", "--beta 'nan'"},
        {"--beta inf", "--beta 'inf'"},
        {"--beta -1", "expected a number >= 0"},
        {"--rate 0", "--rate 0"},
        {"--rate -2", "--rate -2"},
        {"--seed x", "--seed 'x'"},
        {"--threads 0", "--threads '0'"},
        {"--frobnicate", "unknown option '--frobnicate'"},
        {"--beta", "--beta needs a value"},
        {"-o /nonexistent-dir/x.h5", "/nonexistent-dir/x.h5: cannot write there"},
        {"--start IK=Nope", "not a variant of IK"},
        {"--start IK=1", "does not set descriptor KR"},
        {"a.yaml b.yaml", "more than one MODEL"},
        {"/nonexistent.yaml", "/nonexistent.yaml: cannot open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[512], *out = NULL;
        snprintf(cmd, sizeof cmd, "%s run -n 100 --quiet %s", SCENMC_BINARY, cases[i].args);
        /* The case's own -n comes last and wins where it is given. */
        int rc = run_capture(cmd, &out);
        if (rc != 2 || !strstr(out, cases[i].says))
            fail_msg("'%s': exit %d (expected 2), output:\n%s\n(expected it to say '%s')", cases[i].args,
                     rc, out, cases[i].says);
        free(out);
    }
}

static void test_run_writes_file_atomically(void **state)
{
    (void)state;
    char dir[] = "/tmp/scenmc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[1024], path[512], *out = NULL;
    snprintf(path, sizeof path, "%s/r.h5", dir);
    snprintf(cmd, sizeof cmd, "%s run -n 2000 --quiet -o %s", SCENMC_BINARY, path);
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);
    /* Exists now: refused without --force, accepted with it. */
    assert_int_equal(run_capture(cmd, &out), 2);
    assert_non_null(strstr(out, "already exists; use --force"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s run -n 2000 --quiet --force -o %s", SCENMC_BINARY, path);
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);
    /* Nothing but the results file is left in the directory. */
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    run_capture(cmd, &out);
    assert_string_equal(out, "r.h5\n");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(run_capture(cmd, NULL), 0);
}

/* A full disk: a clear message, exit 1, no partial file, an existing file untouched.
 * Needs a tiny tmpfs (root); skipped, saying why, where it cannot be mounted. */
static void test_disk_full(void **state)
{
    (void)state;
    char dir[] = "/tmp/scenmc-full-XXXXXX", cmd[1024], *out = NULL;
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=64k tmpfs %s", dir);
    if (run_capture(cmd, &out) != 0) {
        print_message("skipped: cannot mount a tiny tmpfs here (%s)\n", out);
        free(out);
        rmdir(dir);
        skip();
    }
    free(out);
    snprintf(cmd, sizeof cmd, "printf 'keep me' > %s/r.h5", dir);
    assert_int_equal(run_capture(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s run -n 2000 --quiet --force -o %s/r.h5", SCENMC_BINARY, dir);
    int rc = run_capture(cmd, &out);
    char ls[1024], *listing = NULL, *content = NULL;
    snprintf(ls, sizeof ls, "ls -A %s", dir);
    run_capture(ls, &listing);
    snprintf(ls, sizeof ls, "cat %s/r.h5", dir);
    run_capture(ls, &content);
    snprintf(ls, sizeof ls, "umount %s && rmdir %s", dir, dir);
    run_capture(ls, NULL);
    if (rc != 1 || !strstr(out, "No space left on device") || !strstr(out, "nothing was written"))
        fail_msg("exit %d, output: %s", rc, out);
    assert_string_equal(listing, "r.h5\n");
    assert_string_equal(content, "keep me");
    free(out);
    free(listing);
    free(content);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_and_chunks_do_not_matter),
        cmocka_unit_test(test_tables_are_consistent),
        cmocka_unit_test(test_beta0_marginals_closed_form),
        cmocka_unit_test(test_long_horizon_boltzmann),
        cmocka_unit_test(test_run_vs_exact_beta0),
        cmocka_unit_test(test_run_vs_exact_beta05),
        cmocka_unit_test(test_run_vs_exact_beta2),
        cmocka_unit_test(test_run_vs_exact_wide_variants),
        cmocka_unit_test(test_run_vs_exact_log_domain),
        cmocka_unit_test(test_run_vs_exact_nine_variants),
        cmocka_unit_test(test_run_vs_exact_field_mode),
        cmocka_unit_test(test_grouping_does_not_change_counts),
        cmocka_unit_test(test_engines_match_reference),
        cmocka_unit_test(test_top_states_mode),
        cmocka_unit_test(test_bad_command_lines),
        cmocka_unit_test(test_run_writes_file_atomically),
        cmocka_unit_test(test_disk_full),
    };
    return cmocka_run_group_tests(tests, NULL, shared_teardown);
}
