/* Monte Carlo conditioned on observations (scenmc_run with opt.given) and
 * the particle filter (scenmc_run_smc): docs/signposts.md, section 3.
 *
 * - every engine gives the reference engine's weighted counts, bit for bit,
 *   on any number of threads, chunks and ranges;
 * - hard evidence: the counts are exactly those of rejection, read from the
 *   unconditioned run's tables;
 * - hard and soft evidence: the conditioned tables, the evidence and the
 *   effective size agree with an exact forward-backward computed here, by
 *   GSL matrix exponentials of the generator of a two-descriptor model (an
 *   independent derivation: neither scenmc's exact solver nor its engine).
 *
 * Statistical checks use fixed seeds; each z-score is bounded by 5.5 (a
 * fresh seed would fail one of the ~100 cells with probability < 1e-5). */
#include "testutil.h"
#include "testref.h"
#include "engine/simulate.h"
#include "scenmc/observe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_hard(scenmc_observations *o, int year, int d, int v, int nv)
{
    double l[SCENMC_MAX_VARIANTS] = {0};
    l[v] = 1;
    scenmc_observations_add(o, year, d, l, nv, "test");
}

static int same_counts(const scenmc_results *a, const scenmc_results *b)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (a->t[k].size != b->t[k].size ||
            memcmp(a->t[k].counts, b->t[k].counts, a->t[k].size * sizeof(uint64_t)) != 0)
            return 0;
    return a->weight_sum == b->weight_sum && a->weight_sq_sum[0] == b->weight_sq_sum[0] &&
           a->weight_sq_sum[1] == b->weight_sq_sum[1];
}

static void run_or_fail(const scenmc_model *m, const scenmc_params *p, const scenmc_run_options *o,
                        const scenmc__engine_tuning *tune, scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc__run_tuned(m, p, o, tune, r, &err) != SCENMC_OK)
        fail_msg("run failed: %s", err.msg);
}

/* Observations on the default model: a hard one in the start year + 3 and a
 * soft one (unless hard_only) in the year after. */
static void default_observations(const scenmc_model *m, int year_start, int hard_only, scenmc_observations *o)
{
    scenmc_observations_init(o);
    add_hard(o, year_start + 3, 0, 1, m->descriptors[0].n_variants);
    if (hard_only)
        return;
    double l[SCENMC_MAX_VARIANTS];
    for (int b = 0; b < m->descriptors[3].n_variants; b++)
        l[b] = 0.15 + 0.3 * b;
    scenmc_observations_add(o, year_start + 4, 3, l, m->descriptors[3].n_variants, "soft");
}

/* ---------------------------------------------------------------- bit for bit */

static void expect_reference(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                             const char *what)
{
    scenmc_results ref, r;
    scenmc__engine_tuning reference = {.reference = 1};
    scenmc_run_options opt = {.threads = 2, .given = o};
    run_or_fail(m, p, &opt, &reference, &ref);
    assert_true(ref.conditioned);
    assert_true(ref.weight_sum > 0);
    const int limits[] = {0, 1, 2, 4, 16, 1024};
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        for (int split = 0; split < 2; split++) {
            scenmc__engine_tuning tune = {.group_limit = limits[i], .split_tally = split};
            run_or_fail(m, p, &opt, &tune, &r);
            if (!same_counts(&ref, &r))
                fail_msg("%s: group limit %d (split %d) differs from the reference engine", what, limits[i], split);
            assert_int_equal(r.weight_one, ref.weight_one);
            scenmc_results_free(&r);
        }
    scenmc_results_free(&ref);
}

static void test_engines_match_reference(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 71;
    p.n_trajectories = 2003;
    free(p.start);
    p.start = NULL;
    for (int hard = 0; hard < 2; hard++) {
        scenmc_observations o;
        default_observations(m, p.year_start, hard, &o);
        expect_reference(m, &p, &o, hard ? "hard" : "soft");
        scenmc_params_set_rate(&p, 4); /* several rounds of the lanes' queues */
        expect_reference(m, &p, &o, hard ? "hard, rate 4" : "soft, rate 4");
        scenmc_params_set_rate(&p, 0.5);
        p.beta = 20; /* field mode in the log domain */
        expect_reference(m, &p, &o, hard ? "hard, beta 20" : "soft, beta 20");
        p.beta = m->beta;
        scenmc_observations_free(&o);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Threads, chunks and ranges (shards, resumed runs, MPI ranks) do not change
 * the weighted counts nor the weight sums. */
static void test_threads_and_ranges(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 72;
    p.n_trajectories = 20011;
    scenmc_observations o;
    default_observations(m, p.year_start, 0, &o);
    scenmc_results ref, r, a, b;
    scenmc_run_options opt = {.threads = 1, .given = &o};
    run_or_fail(m, &p, &opt, NULL, &ref);
    assert_int_equal(ref.weight_one, (uint64_t)1 << 24);
    const int threads[] = {2, 3, 2};
    const uint64_t chunks[] = {0, 1000, 1};
    for (int i = 0; i < 3; i++) {
        scenmc_run_options oi = {.threads = threads[i], .chunk = chunks[i], .given = &o};
        run_or_fail(m, &p, &oi, NULL, &r);
        if (!same_counts(&ref, &r))
            fail_msg("%d threads, chunk %llu: the counts differ", threads[i], (unsigned long long)chunks[i]);
        assert_true(r.log_evidence == ref.log_evidence && r.effective_size == ref.effective_size);
        scenmc_results_free(&r);
    }
    scenmc_run_options oa = {.threads = 2, .first = 0, .last = 7777, .given = &o};
    scenmc_run_options ob = {.threads = 3, .first = 7777, .last = 20011, .given = &o};
    run_or_fail(m, &p, &oa, NULL, &a);
    run_or_fail(m, &p, &ob, NULL, &b);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_results_add(&a, &b, &err), SCENMC_OK);
    assert_true(same_counts(&ref, &a));
    assert_true(a.log_evidence == ref.log_evidence && a.effective_size == ref.effective_size);
    /* A conditioned part does not add to an unconditioned one. */
    scenmc_run_options plain = {.threads = 2, .first = 0, .last = 100};
    scenmc_results u;
    run_or_fail(m, &p, &plain, NULL, &u);
    assert_int_not_equal(scenmc_results_add(&a, &u, &err), SCENMC_OK);
    scenmc_results_free(&u);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_results_free(&ref);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Hard evidence is rejection: weights 0 or 1, and the counts are those of
 * the accepted trajectories, read exactly from the unconditioned run (the
 * observation's variant in the early-warning table by final scenario). */
static void test_hard_is_rejection(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 73;
    p.n_trajectories = 30000;
    const int Y = p.year_end - p.year_start + 1, d = 2, v = 1, y = 5;
    scenmc_observations o;
    scenmc_observations_init(&o);
    add_hard(&o, p.year_start + y, d, v, m->descriptors[d].n_variants);
    scenmc_results plain, r;
    scenmc_run_options opt = {.threads = 2};
    run_or_fail(m, &p, &opt, NULL, &plain);
    opt.given = &o;
    run_or_fail(m, &p, &opt, NULL, &r);
    assert_int_equal(r.weight_one, 1);
    const size_t V = (size_t)m->n_variants, S = (size_t)r.n_scenarios, u = (size_t)(m->descriptors[d].offset + v);
    uint64_t accepted = plain.t[SCENMC_T_VARIANT].counts[(size_t)y * V + u];
    assert_true(accepted > 1000 && accepted < p.n_trajectories);
    assert_int_equal(r.weight_sum, accepted);
    assert_int_equal(r.weight_sq_sum[0], accepted); /* weights 0 or 1 */
    assert_true(r.effective_size == (double)accepted);
    for (size_t f = 0; f < S; f++) {
        uint64_t want = plain.t[SCENMC_T_EARLY_WARNING].counts[((size_t)y * V + u) * S + f];
        assert_int_equal(r.t[SCENMC_T_SCENARIO].counts[(size_t)(Y - 1) * S + f], want);
        assert_int_equal(r.t[SCENMC_T_EARLY_WARNING].counts[((size_t)y * V + u) * S + f], want);
        assert_close(r.t[SCENMC_T_SCENARIO].prob[(size_t)(Y - 1) * S + f], (double)want / (double)accepted, 1e-15);
    }
    /* The observed variant has probability 1 in its year, the others 0. */
    for (int b = 0; b < m->descriptors[d].n_variants; b++)
        assert_true(r.t[SCENMC_T_VARIANT].prob[(size_t)y * V + (size_t)(m->descriptors[d].offset + b)] == (b == v));
    /* The evidence: the accepted fraction, with its binomial standard error. */
    double q = (double)accepted / (double)p.n_trajectories;
    assert_close(exp(r.log_evidence), q, 1e-12);
    assert_close(r.evidence_se, sqrt(q * (1 - q) / (double)(p.n_trajectories - 1)), 1e-12);
    scenmc_results_free(&plain);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- exact, independently */

/* Two descriptors, A (3 variants) and B (2), consistency only: 6 states. */
static const char two_model[] =
    "name: two\n"
    "years: {start: 0, end: 6}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1], [0, 1], [-2, 2]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a2, B: b2}}\n"
    "defaults: {beta: 0.8, rate: 0.7}\n";

#define NS 6 /* states: s = a * 2 + b */
#define NY 7

/* The model typed in again as testref's chain (tests/testref.c): variants
 * a1 a2 a3 b1 b2, consistency only; descriptor i rings at rate lambda and
 * takes variant c with probability exp(beta * C) / sum (docs/model.md,
 * section 5). */
static const double two_C[3][2] = {{2, -1}, {0, 1}, {-2, 2}};

static gsl_matrix *two_year(double beta, double lambda)
{
    static double C[5 * 5];
    memset(C, 0, sizeof C);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            C[a * 5 + 3 + b] = C[(3 + b) * 5 + a] = two_C[a][b];
    testref_chain ch = {.D = 2, .V = 5, .nvar = {3, 2}, .off = {0, 3}, .C = C, .beta = beta, .w_c = 1,
                        .rate = {lambda, lambda}};
    assert_int_equal(testref_states(&ch), NS);
    return testref_year_matrix(&ch, NULL);
}

/* The two-descriptor model's exact conditioned state distribution by year
 * (normalised into p1), the weights' moments E[L], E[L^2], and m2[y][s] =
 * E[L^2 ; state s at y]. */
typedef struct two_exact {
    double p1[NY][NS], m2[NY][NS], EL, EL2;
} two_exact;

/* Forward-backward (tests/testref.c) from a uniform start, with each year's
 * likelihood raised to the power k = 1 (the conditioned marginals) and k = 2
 * (the second moments of the weights). */
static void two_exact_solve(const scenmc_observations *o, two_exact *x)
{
    gsl_matrix *P = two_year(0.8, 0.7);
    double p0[NS], lik[2][NY * NS];
    for (int s = 0; s < NS; s++)
        p0[s] = 1.0 / NS; /* a uniform start */
    for (int k = 1; k <= 2; k++)
        for (int y = 0; y < NY; y++)
            for (int s = 0; s < NS; s++) {
                int st[2] = {s / 2, s % 2};
                lik[k - 1][y * NS + s] = pow(scenmc_observations_likelihood(o, y, st), k);
            }
    x->EL = testref_forward_backward(NS, NY, P, p0, lik[0], &x->p1[0][0]);
    x->EL2 = testref_forward_backward(NS, NY, P, p0, lik[1], &x->m2[0][0]);
    for (int y = 0; y < NY; y++)
        for (int s = 0; s < NS; s++)
            x->p1[y][s] /= x->EL;
    gsl_matrix_free(P);
}

/* z-score of a weighted estimate p_hat of p = E[L x] / E[L] (x an
 * indicator) from N trajectories: the ratio estimator's variance
 * E[L^2 (x - p)^2] / (N E[L]^2), with E[L^2 x] = m2x. */
static double ratio_z(double p_hat, double p, double m2x, const two_exact *x, double N)
{
    double v = (m2x * (1 - 2 * p) + p * p * x->EL2) / (N * x->EL * x->EL);
    if (v <= 0)
        return p_hat == p ? 0 : INFINITY;
    return (p_hat - p) / sqrt(v);
}

static int n_z;
static void expect_z(const char *what, int y, int i, double z)
{
    n_z++;
    if (!(fabs(z) < 5.5))
        fail_msg("%s, year %d, cell %d: z = %.3g", what, y, i, z);
}

/* The run's variant, scenario and final-state tables against the exact
 * conditioned distribution; the evidence and the effective size too. */
static void check_two_tables(const scenmc_results *r, const two_exact *x, const char *what)
{
    const double N = (double)r->n_trajectories;
    for (int y = 0; y < NY; y++) {
        /* variants: A's (a) and B's (3 + b) */
        for (int v = 0; v < 5; v++) {
            double p = 0, m2 = 0;
            for (int s = 0; s < NS; s++)
                if (v < 3 ? s / 2 == v : s % 2 == v - 3) {
                    p += x->p1[y][s];
                    m2 += x->m2[y][s];
                }
            expect_z(what, y, v, ratio_z(r->t[SCENMC_T_VARIANT].prob[y * 5 + v], p, m2, x, N));
        }
        /* scenarios: S1 (a1), S2 (a2, b2), unclassified */
        for (int c = 0; c < 3; c++) {
            double p = 0, m2 = 0;
            for (int s = 0; s < NS; s++) {
                int sc = s / 2 == 0 ? 0 : (s / 2 == 1 && s % 2 == 1) ? 1 : 2;
                if (sc == c) {
                    p += x->p1[y][s];
                    m2 += x->m2[y][s];
                }
            }
            expect_z(what, y, 10 + c, ratio_z(r->t[SCENMC_T_SCENARIO].prob[y * 3 + c], p, m2, x, N));
        }
    }
    for (int s = 0; s < NS; s++)
        expect_z(what, NY - 1, 20 + s,
                 ratio_z(r->t[SCENMC_T_FINAL_STATE].prob[s], x->p1[NY - 1][s], x->m2[NY - 1][s], x, N));
    /* the evidence E[L], its standard error sqrt(Var L / N), Kish's ESS */
    double sd = sqrt((x->EL2 - x->EL * x->EL) / N);
    expect_z(what, -1, 0, (exp(r->log_evidence) - x->EL) / sd);
    assert_close(r->evidence_se / sd, 1, 0.05);
    assert_close(r->effective_size / N, x->EL * x->EL / x->EL2, 0.02);
}

static void test_two_descriptors_exact(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(two_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 200000;
    p.seed = 74;
    for (int soft = 0; soft < 2; soft++) {
        scenmc_observations o;
        scenmc_observations_init(&o);
        if (soft) {
            const double lb[2] = {0.8, 0.2}, la[3] = {0.1, 0.3, 0.9};
            scenmc_observations_add(&o, 2, 1, lb, 2, "soft B");
            scenmc_observations_add(&o, 4, 0, la, 3, "soft A");
        } else {
            add_hard(&o, 2, 1, 0, 2);
            add_hard(&o, 4, 0, 2, 3);
        }
        two_exact x;
        two_exact_solve(&o, &x);
        scenmc_results r;
        scenmc_run_options opt = {.threads = 2, .given = &o};
        run_or_fail(m, &p, &opt, NULL, &r);
        assert_int_equal(r.weight_one, soft ? (uint64_t)1 << 24 : 1);
        check_two_tables(&r, &x, soft ? "soft evidence" : "hard evidence");
        scenmc_results_free(&r);
        scenmc_observations_free(&o);
    }
    print_message("%d z-scores within 5.5\n", n_z);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Against scenmc's exact conditioning (scenmc_exact_given, forward-backward
 * by uniformization) on the default model: hard evidence in 2023 and 2026,
 * every cell of the scenario and variant tables of every year (binomial
 * z-scores over the accepted trajectories), and the evidence of hard and of
 * soft evidence within 5.5 of its standard error sd(L) / sqrt(N). */
static void test_default_model_vs_exact_given(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 100000;
    p.seed = 78;
    for (int soft = 0; soft < 2; soft++) {
        scenmc_observations o;
        scenmc_observations_init(&o);
        add_hard(&o, p.year_start + 3, 4, 1, m->descriptors[4].n_variants);
        add_hard(&o, p.year_start + 6, 9, 0, m->descriptors[9].n_variants);
        if (soft) {
            double l[SCENMC_MAX_VARIANTS];
            for (int b = 0; b < m->descriptors[2].n_variants; b++)
                l[b] = b ? 0.3 : 0.9;
            scenmc_observations_add(&o, p.year_start + 8, 2, l, m->descriptors[2].n_variants, "soft");
        }
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_results ex, r;
        /* the reference on one thread: a second costs more CPU than it saves */
        if (scenmc_exact_given(m, &p, &o, 1, &ex, &err) != SCENMC_OK)
            fail_msg("exact: %s", err.msg);
        scenmc_run_options opt = {.threads = 2, .given = &o};
        run_or_fail(m, &p, &opt, NULL, &r);
        expect_z("evidence", -1, soft, (exp(r.log_evidence) - exp(ex.log_evidence)) / r.evidence_se);
        for (int t = 0; t < 2 && !soft; t++) {
            const scenmc_table *c = &r.t[t ? SCENMC_T_VARIANT : SCENMC_T_SCENARIO], *e = &ex.t[t ? SCENMC_T_VARIANT : SCENMC_T_SCENARIO];
            const double W = (double)r.weight_sum;
            for (size_t i = 0; i < c->size; i++) {
                double q = e->prob[i], sd = sqrt(W * q * (1 - q));
                expect_z(t ? "variant" : "scenario", (int)(i / c->dims[1]), (int)(i % c->dims[1]),
                         sd > 0 ? ((double)c->counts[i] - W * q) / sd : (double)c->counts[i] - W * q);
            }
        }
        scenmc_results_free(&ex);
        scenmc_results_free(&r);
        scenmc_observations_free(&o);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- particle filter */

static void smc_or_fail(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o, int threads,
                        scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_run_smc(m, p, o, threads, r, &err) != SCENMC_OK)
        fail_msg("particle filter failed: %s", err.msg);
}

/* A pure function of the seed and N: 1, 2 and 3 threads give the same
 * counts, weights and estimates; another seed other counts. */
static void test_smc_threads(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.seed = 75;
    p.n_trajectories = 5003;
    scenmc_observations o;
    default_observations(m, p.year_start, 0, &o);
    double l[SCENMC_MAX_VARIANTS] = {0.2, 0.9, 0.5, 0.5, 0.5, 0.5};
    scenmc_observations_add(&o, p.year_end, 5, l, m->descriptors[5].n_variants, "final year");
    scenmc_results a, b;
    smc_or_fail(m, &p, &o, 1, &a);
    assert_true(a.conditioned);
    assert_int_equal(a.weight_one, (uint64_t)1 << 24); /* the final year's soft weights stay */
    for (int t = 2; t <= 3; t++) {
        smc_or_fail(m, &p, &o, t, &b);
        if (!same_counts(&a, &b))
            fail_msg("%d threads: the particle filter's counts differ", t);
        assert_true(a.log_evidence == b.log_evidence && a.effective_size == b.effective_size);
        scenmc_results_free(&b);
    }
    p.seed = 76;
    smc_or_fail(m, &p, &o, 2, &b);
    assert_false(same_counts(&a, &b));
    scenmc_results_free(&b);
    scenmc_results_free(&a);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* |p_hat - p| within 6 binomial standard deviations of the smallest
 * effective size of an observation year (the paths before it descend from
 * about that many particles; systematic resampling adds less than that). */
static void expect_smc_close(const char *what, int y, int i, double p_hat, double p, double ess)
{
    n_z++;
    double sd = sqrt(fmax(p * (1 - p), 1e-12) / ess);
    if (!(fabs(p_hat - p) <= 6 * sd))
        fail_msg("%s, year %d, cell %d: %.5f, exact %.5f (%.2g sd)", what, y, i, p_hat, p, fabs(p_hat - p) / sd);
}

static void check_smc_tables(const scenmc_results *r, const two_exact *x, const char *what)
{
    const double ess = r->effective_size;
    for (int y = 0; y < NY; y++)
        for (int v = 0; v < 5; v++) {
            double p = 0;
            for (int s = 0; s < NS; s++)
                if (v < 3 ? s / 2 == v : s % 2 == v - 3)
                    p += x->p1[y][s];
            expect_smc_close(what, y, v, r->t[SCENMC_T_VARIANT].prob[y * 5 + v], p, ess);
        }
    for (int s = 0; s < NS; s++)
        expect_smc_close(what, NY - 1, 20 + s, r->t[SCENMC_T_FINAL_STATE].prob[s], x->p1[NY - 1][s], ess);
    /* the evidence: each year's mean weight has relative variance below 1/ESS */
    double Z = exp(r->log_evidence);
    if (!(fabs(Z - x->EL) <= 6 * x->EL * sqrt(3 / ess)))
        fail_msg("%s: evidence %.6g, exact %.6g", what, Z, x->EL);
}

/* The particle filter against the exact forward-backward: hard and soft
 * evidence resampled in years 2 and 4, and soft evidence in the final year
 * (weighted, not resampled). */
static void test_smc_two_descriptors_exact(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(two_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 100000;
    p.seed = 77;
    for (int kind = 0; kind < 3; kind++) {
        scenmc_observations o;
        scenmc_observations_init(&o);
        if (kind == 0) {
            add_hard(&o, 2, 1, 0, 2);
            add_hard(&o, 4, 0, 2, 3);
        } else {
            const double lb[2] = {0.8, 0.2}, la[3] = {0.1, 0.3, 0.9};
            scenmc_observations_add(&o, 2, 1, lb, 2, "soft B");
            scenmc_observations_add(&o, kind == 1 ? 4 : NY - 1, 0, la, 3, "soft A");
        }
        two_exact x;
        two_exact_solve(&o, &x);
        scenmc_results r;
        smc_or_fail(m, &p, &o, 2, &r);
        assert_int_equal(r.weight_one, kind == 2 ? (uint64_t)1 << 24 : 1);
        assert_true(r.effective_size > 0.01 * (double)p.n_trajectories);
        check_smc_tables(&r, &x, kind == 0 ? "smc, hard" : kind == 1 ? "smc, soft" : "smc, soft final year");
        scenmc_results_free(&r);
        scenmc_observations_free(&o);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- errors and the command line */

static void test_errors(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 100;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_results r;
    assert_int_equal(scenmc_run_smc(m, &p, &o, 1, &r, &err), SCENMC_E_INPUT); /* nothing to filter on */
    add_hard(&o, p.year_end + 1, 0, 0, m->descriptors[0].n_variants);
    scenmc_run_options opt = {.threads = 1, .given = &o};
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(m, &p, &opt, &r, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "outside the model's years"));
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run_smc(m, &p, &o, 1, &r, &err), SCENMC_E_INPUT);
    scenmc_observations_free(&o);
    scenmc_observations_init(&o);
    add_hard(&o, p.year_start, 0, 0, m->descriptors[0].n_variants);
    o.obs[0].n_variants = 99; /* an observation made for another model */
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(m, &p, &opt, &r, &err), SCENMC_E_INPUT);
    o.obs[0].n_variants = m->descriptors[0].n_variants;
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_command_line(void **state)
{
    (void)state;
    const char *b = SCENMC_BINARY;
    assert_int_equal(sh("%s run -n 3000 --no-progress --given 2023:DA=2", b), 0);
    assert_non_null(strstr(sh_out, "Conditioned on 1 observation (hard evidence): P(observations) = "));
    assert_non_null(strstr(sh_out, "effective sample size"));
    assert_int_equal(sh("%s run -n 3000 -q --smc --given 2023:DA=2 --given 2025:SY=1", b), 0);
    /* Rare observations: a warning that suggests --smc, even with --quiet. */
    assert_int_equal(sh("%s run -n 20000 -q --given 2021:DA=1,SY=2,KM=1,FS=1 --given 2022:DA=2", b), 0);
    assert_non_null(strstr(sh_out, "warning: effective sample size"));
    assert_non_null(strstr(sh_out, "--smc"));
    assert_int_equal(sh("%s run -n 100 -q --smc", b), 2);
    assert_non_null(strstr(sh_out, "--smc filters on observations"));
    assert_int_equal(sh("%s run -n 100 -q --smc --given 2023:DA=2 --shard 1/2", b), 2);
    /* Shards of a conditioned run merge into the whole run, bit for bit. */
    char dir[] = "/tmp/test_mcgiven_XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *g = "--given 2023:DA=2 --given 2024:KM=1";
    assert_int_equal(sh("cd %s && %s run -n 30000 -q %s -o whole.h5 && %s run -n 30000 -q %s --shard 1/2 -o a.h5 "
                        "&& %s run -n 30000 -q %s --shard 2/2 -o b.h5 && %s merge -q a.h5 b.h5 -o m.h5",
                        dir, b, g, b, g, b, g, b), 0);
    char pw[300], pm[300];
    snprintf(pw, sizeof pw, "%s/whole.h5", dir);
    snprintf(pm, sizeof pm, "%s/m.h5", dir);
    scenmc_model *mw, *mm;
    scenmc_results rw, rm;
    read_or_fail(pw, &mw, &rw);
    read_or_fail(pm, &mm, &rm);
    assert_true(rw.conditioned && rm.conditioned && rw.weight_sum > 0);
    assert_true(same_counts(&rw, &rm));
    scenmc_results_free(&rw);
    scenmc_results_free(&rm);
    scenmc_model_free(mw);
    scenmc_model_free(mm);
    remove_tree(dir);
    assert_int_equal(sh("%s run -n 100 -q --given 2099:DA=2", b), 2);
    assert_int_equal(sh("%s run -n 100 -q --given 2023:DA=Nothing", b), 2);
    assert_int_equal(sh("%s run --help", b), 0);
    assert_non_null(strstr(sh_out, "--smc"));
    assert_non_null(strstr(sh_out, "--given YEAR:ID=V"));
    free(sh_out);
    sh_out = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engines_match_reference),
        cmocka_unit_test(test_threads_and_ranges),
        cmocka_unit_test(test_hard_is_rejection),
        cmocka_unit_test(test_two_descriptors_exact),
        cmocka_unit_test(test_default_model_vs_exact_given),
        cmocka_unit_test(test_smc_threads),
        cmocka_unit_test(test_smc_two_descriptors_exact),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
