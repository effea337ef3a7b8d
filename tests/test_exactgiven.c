/* Exact conditioning (scenmc_exact_given) against derivations made here:
 * - brute force on a 3-descriptor model: the generator written down from the
 *   model's definition (docs/model.md, sections 2-5; tests/testref.c) with the
 *   matrices typed in again below, one year = expm(Q) (GSL), and every path over the six
 *   years enumerated with its weight start x likelihoods x transitions; each
 *   table is then a ratio of path sums (the evidence: the sum of them all);
 * - Bayes by hand from unconditioned solves: a hard observation at year t is
 *   the year-t distribution restricted and renormalised, and the later years
 *   that distribution propagated, i.e. a mixture of solves from each state;
 * - the error naming an observation of probability zero. */
#include "testutil.h"
#include "testref.h"

#include "scenmc/observe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ model */

static const char given_model[] =
    "name: given3\n"
    "years: {start: 2020, end: 2025}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3], rate: 0.8, initial: [0.5, 0.3, 0.2]}\n"
    "  - {id: B, variants: [b1, b2], rate: 0.5}\n"
    "  - {id: C, variants: [c1, c2], rate: 1.2, initial: [0.7, 0.3]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[3, -2], [0, 1], [-3, 2]]}\n"
    "  - {between: [A, C], scores: [[2, -1], [-1, 2], [0, -2]]}\n"
    "  - {between: [B, C], scores: [[1, -1], [-2, 2]]}\n"
    "cross_impact:\n"
    "  - {from: A, to: C, impacts: [[1, 0], [0, 2], [-1, 1]]}\n"
    "  - {from: C, to: A, impacts: [[0, 1, -1], [2, 0, 0]]}\n"
    "bias:\n"
    "  B: [0, 0.5]\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a2, B: b2}}\n"
    "defaults: {beta: 0.7}\n";

/* The same model typed in again: variants a1 a2 a3 b1 b2 c1 c2 (offsets 0, 3, 5). */
enum { D3 = 3, V7 = 7, N12 = 12, Y6 = 6, S3 = 3 };
static const int nvar[D3] = {3, 2, 2}, off[D3] = {0, 3, 5};
static const double rate[D3] = {0.8, 0.5, 1.2}, beta = 0.7;
static const double init[V7] = {0.5, 0.3, 0.2, 0.5, 0.5, 0.7, 0.3};
static const double bias[V7] = {0, 0, 0, 0, 0.5, 0, 0};
static double Cm[V7][V7], Xm[V7][V7];

static void set_sym(int u, int v, double x)
{
    Cm[u][v] = Cm[v][u] = x;
}

static void fill_matrices(void)
{
    static const double ab[3][2] = {{3, -2}, {0, 1}, {-3, 2}}, ac[3][2] = {{2, -1}, {-1, 2}, {0, -2}};
    static const double bc[2][2] = {{1, -1}, {-2, 2}};
    static const double xac[3][2] = {{1, 0}, {0, 2}, {-1, 1}}, xca[2][3] = {{0, 1, -1}, {2, 0, 0}};
    memset(Cm, 0, sizeof Cm);
    memset(Xm, 0, sizeof Xm);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++) {
            set_sym(a, 3 + b, ab[a][b]);
            set_sym(a, 5 + b, ac[a][b]);
            Xm[a][5 + b] = xac[a][b];
            Xm[5 + b][a] = xca[b][a];
        }
    for (int b = 0; b < 2; b++)
        for (int c = 0; c < 2; c++)
            set_sym(3 + b, 5 + c, bc[b][c]);
}

static void decode(int x, int *s)
{
    s[0] = x / 4;
    s[1] = (x / 2) % 2;
    s[2] = x % 2;
}

/* S1: A = a1; S2: A = a2 and B = b2; otherwise unclassified (2). */
static int scenario(const int *s)
{
    return s[0] == 0 ? 0 : (s[0] == 1 && s[1] == 1 ? 1 : 2);
}

/* The typed-in model as testref's chain (tests/testref.c): Q[x][y] =
 * lambda_i P_i(b | x) for y = x with descriptor i moved to b (heat bath over
 * the impact balance), one year = exp(Q) by GSL. */
static void one_year(double P[N12][N12])
{
    fill_matrices();
    testref_chain ch = {.D = D3, .V = V7, .C = &Cm[0][0], .X = &Xm[0][0], .bias = bias, .beta = beta,
                        .w_c = 1, .w_x = 1};
    for (int d = 0; d < D3; d++) {
        ch.nvar[d] = nvar[d];
        ch.off[d] = off[d];
        ch.rate[d] = rate[d];
    }
    gsl_matrix *E = testref_year_matrix(&ch, NULL);
    for (int x = 0; x < N12; x++)
        for (int y = 0; y < N12; y++)
            P[x][y] = gsl_matrix_get(E, (size_t)x, (size_t)y);
    gsl_matrix_free(E);
}

/* ------------------------------------------------------------ brute force */

/* An observation as the test sees it: year index, descriptor, likelihoods. */
typedef struct tobs {
    int y, d;
    double lik[3];
} tobs;

/* Path sums over all 12^6 paths (tests/testref.c): joint (not yet divided) tables. */
typedef struct brute {
    double P[N12][N12];
    double L[Y6][N12]; /* likelihood of each state in each year */
    double evidence;
    double sc[Y6][S3], va[Y6][V7], sv[Y6][S3][V7], tr[Y6][S3][S3], ew[Y6][V7][S3], li[Y6][S3];
    double fin[N12];
} brute;

static brute *brute_run(const tobs *obs, int n_obs, const int *start)
{
    brute *B = calloc(1, sizeof *B);
    one_year(B->P);
    testref_chain ch = {.D = D3, .V = V7};
    for (int d = 0; d < D3; d++)
        ch.nvar[d] = nvar[d], ch.off[d] = off[d];
    int scen[N12];
    double p0[N12];
    for (int x = 0; x < N12; x++) {
        int s[D3];
        decode(x, s);
        scen[x] = scenario(s);
    }
    testref_initial(&ch, init, start, p0);
    for (int t = 0; t < Y6; t++)
        for (int x = 0; x < N12; x++) {
            int s[D3];
            decode(x, s);
            B->L[t][x] = 1;
            for (int i = 0; i < n_obs; i++)
                if (obs[i].y == t)
                    B->L[t][x] *= obs[i].lik[s[obs[i].d]];
        }
    const double *K[Y6];
    for (int t = 0; t < Y6; t++)
        K[t] = &B->P[0][0];
    testref_paths T = {0};
    testref_paths_run(&T, &ch, Y6, p0, K, &B->L[0][0], scen, S3);
    B->evidence = T.total;
    memcpy(B->sc, T.sc, sizeof B->sc);
    memcpy(B->va, T.va, sizeof B->va);
    memcpy(B->sv, T.sv, sizeof B->sv);
    memcpy(B->tr, T.tr, sizeof B->tr);
    memcpy(B->ew, T.ew, sizeof B->ew);
    memcpy(B->li, T.lock, sizeof B->li);
    memcpy(B->fin, T.fin, sizeof B->fin);
    testref_paths_free(&T);
    return B;
}

/* ---------------------------------------------------------------- solving */

static void to_observations(const tobs *obs, int n_obs, scenmc_observations *o)
{
    scenmc_observations_init(o);
    for (int i = 0; i < n_obs; i++) {
        char where[64];
        snprintf(where, sizeof where, "obs%d", i);
        scenmc_observations_add(o, 2020 + obs[i].y, obs[i].d, obs[i].lik, nvar[obs[i].d], where);
    }
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static void close_or_nan(double got, double want, double tol, const char *what, int y)
{
    if (isnan(want) && isnan(got))
        return;
    if (!(fabs(got - want) <= tol))
        fail_msg("%s, year index %d: %.17g, brute force %.17g", what, y, got, want);
}

/* Every conditioned table of r against the path sums. */
static void compare_with_brute(const scenmc_results *r, const brute *B)
{
    const double E = B->evidence, tol = 1e-10;
    assert_int_equal(r->n_scenarios, S3);
    assert_true(r->conditioned);
    close_or_nan(r->log_evidence, log(E), 1e-10, "log evidence", 0);
    for (int t = 0; t < Y6; t++) {
        for (int a = 0; a < S3; a++) {
            close_or_nan(r->t[SCENMC_T_SCENARIO].prob[t * S3 + a], B->sc[t][a] / E, tol, "scenario", t);
            close_or_nan(r->t[SCENMC_T_LOCK_IN].prob[t * S3 + a], B->li[t][a] / E, tol, "lock_in", t);
            for (int u = 0; u < V7; u++)
                close_or_nan(r->t[SCENMC_T_SCENARIO_VARIANT].prob[(t * S3 + a) * V7 + u],
                             ratio(B->sv[t][a][u], B->sc[t][a]), tol, "scenario_variant", t);
            for (int b = 0; b < S3 && t + 1 < Y6; b++)
                close_or_nan(r->t[SCENMC_T_TRANSITION].prob[(t * S3 + a) * S3 + b],
                             ratio(B->tr[t][a][b], B->sc[t][a]), tol, "transition", t);
        }
        for (int u = 0; u < V7; u++) {
            close_or_nan(r->t[SCENMC_T_VARIANT].prob[t * V7 + u], B->va[t][u] / E, tol, "variant", t);
            for (int f = 0; f < S3; f++)
                close_or_nan(r->t[SCENMC_T_EARLY_WARNING].prob[(t * V7 + u) * S3 + f],
                             ratio(B->ew[t][u][f], B->va[t][u]), tol, "early_warning", t);
        }
    }
    for (int x = 0; x < N12; x++)
        close_or_nan(r->t[SCENMC_T_FINAL_STATE].prob[x], B->fin[x] / E, tol, "final_state", Y6 - 1);
}

static void check_against_brute(const tobs *obs, int n_obs, const int *start)
{
    scenmc_model *m = model_from_string(given_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    if (start) {
        p.start = malloc(sizeof(int) * D3);
        memcpy(p.start, start, sizeof(int) * D3);
    }
    scenmc_observations o;
    to_observations(obs, n_obs, &o);
    scenmc_results r = exact_given_or_fail(m, &p, &o);
    brute *B = brute_run(obs, n_obs, start);
    compare_with_brute(&r, B);
    assert_non_null(r.given);
    assert_int_equal(r.given->n, n_obs);
    free(B);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------ tests */

/* Hard evidence in 2020 (with the initial distribution), 2022 and 2024:
 * smoothing before 2024, filtering in 2025. */
static void test_hard_against_paths(void **state)
{
    (void)state;
    const tobs obs[] = {{0, 2, {1, 0}}, {2, 1, {0, 1}}, {4, 0, {0, 1, 0}}};
    check_against_brute(obs, 3, NULL);
}

/* Soft evidence, two reports of different descriptors in one year (they
 * multiply) and the last observation in the last year (every year smoothed). */
static void test_soft_against_paths(void **state)
{
    (void)state;
    const tobs obs[] = {{1, 0, {0.2, 0.7, 0.1}}, {3, 2, {0.9, 0.4}}, {3, 1, {0.3, 0.8}}, {5, 0, {0.1, 0.5, 0.6}}};
    check_against_brute(obs, 4, NULL);
}

/* A fixed start and one soft observation in the first year only: filtering
 * from 2020 on, nothing to smooth. */
static void test_fixed_start_against_paths(void **state)
{
    (void)state;
    const int start[D3] = {2, 0, 1};
    const tobs obs[] = {{0, 1, {0.4, 0.9}}, {1, 2, {0.25, 1}}};
    check_against_brute(obs, 2, start);
}

/* The observed start of an observations file is the fixed start: the same
 * tables as p->start, and the evidence of the other observations only. */
static void test_observed_start(void **state)
{
    (void)state;
    const int start[D3] = {1, 1, 0};
    const tobs obs[] = {{3, 0, {0.3, 1, 0.2}}};
    scenmc_model *m = model_from_string(given_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations o;
    to_observations(obs, 1, &o);
    o.start = malloc(sizeof(int) * D3);
    memcpy(o.start, start, sizeof(int) * D3);
    o.n_start = D3;
    scenmc_results r = exact_given_or_fail(m, &p, &o);
    brute *B = brute_run(obs, 1, start);
    compare_with_brute(&r, B);
    assert_non_null(r.params.start);
    assert_int_equal(r.params.start[0], 1);
    assert_non_null(r.given->start);
    free(B);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* P(x at year t) of an unconditioned solve ending at t (its final-state table). */
static double *distribution_at(const scenmc_model *m, int year_end)
{
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = year_end;
    scenmc_results r = exact_or_fail(m, &p);
    double *q = malloc(sizeof(double) * r.n_states);
    memcpy(q, r.t[SCENMC_T_FINAL_STATE].prob, sizeof(double) * r.n_states);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    return q;
}

/* A hard observation A = a2 in 2022, by Bayes from unconditioned solves: in
 * 2022 the plain distribution restricted to A = a2 and renormalised; later,
 * the mixture over those states of solves started there in 2022. */
static void test_hard_is_restrict_and_propagate(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(given_model);
    double *q = distribution_at(m, 2022), z = 0;
    int s[D3];
    for (int x = 0; x < N12; x++) {
        decode(x, s);
        z += (q[x] = s[0] == 1 ? q[x] : 0);
    }
    double want_sc[Y6][S3] = {{0}}, want_va[Y6][V7] = {{0}};
    for (int x = 0; x < N12; x++) {
        if (q[x] == 0)
            continue;
        decode(x, s);
        scenmc_params p;
        scenmc_params_init(&p, m);
        p.year_start = 2022;
        p.start = malloc(sizeof(int) * D3);
        memcpy(p.start, s, sizeof(int) * D3);
        scenmc_results r = exact_given_or_fail(m, &p, NULL);
        for (int t = 2; t < Y6; t++) {
            for (int a = 0; a < S3; a++)
                want_sc[t][a] += q[x] / z * r.t[SCENMC_T_SCENARIO].prob[(t - 2) * S3 + a];
            for (int u = 0; u < V7; u++)
                want_va[t][u] += q[x] / z * r.t[SCENMC_T_VARIANT].prob[(t - 2) * V7 + u];
        }
        scenmc_results_free(&r);
        scenmc_params_free(&p);
    }
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_observations_add_given(&o, m, "2022:A=a2", &err), SCENMC_OK);
    scenmc_results r = exact_given_or_fail(m, &p, &o);
    assert_close(r.log_evidence, log(z), 1e-12);
    for (int t = 2; t < Y6; t++) {
        for (int a = 0; a < S3; a++)
            assert_close(r.t[SCENMC_T_SCENARIO].prob[t * S3 + a], want_sc[t][a], 1e-12);
        for (int u = 0; u < V7; u++)
            assert_close(r.t[SCENMC_T_VARIANT].prob[t * V7 + u], want_va[t][u], 1e-12);
    }
    free(q);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The Västernorrland model, DA = Datamonopol seen in 2030: the final-state
 * table is the plain one restricted and renormalised, the evidence the plain
 * P(DA = Datamonopol in 2030). */
static void test_default_model_last_year(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r0, r;
    scenmc_error err;
    scenmc_error_clear(&err);
    /* the plain reference on one thread: on this small state space a second
     * thread costs more CPU than it saves */
    assert_int_equal(scenmc_exact(m, &p, 1, &r0, &err), SCENMC_OK);
    scenmc_observations o;
    scenmc_observations_init(&o);
    assert_int_equal(scenmc_observations_add_given(&o, m, "2030:DA=Datamonopol", &err), SCENMC_OK);
    /* one thread too: test_threads_same shows the thread count changes no bit */
    assert_int_equal(scenmc_exact_given(m, &p, &o, 1, &r, &err), SCENMC_OK);
    int d = scenmc_model_find_descriptor(m, "DA"), v = scenmc_model_find_variant(m, d, "Datamonopol");
    int u = m->descriptors[d].offset + v, Y = r.n_years;
    double ev = r0.t[SCENMC_T_VARIANT].prob[(size_t)(Y - 1) * (size_t)m->n_variants + (size_t)u];
    assert_close(r.log_evidence, log(ev), 1e-11);
    int *s = malloc(sizeof(int) * (size_t)m->n_descriptors);
    for (uint64_t x = 0; x < r.n_states; x++) {
        scenmc_state_from_index(m, x, s);
        double want = s[d] == v ? r0.t[SCENMC_T_FINAL_STATE].prob[x] / ev : 0;
        assert_close(r.t[SCENMC_T_FINAL_STATE].prob[x], want, 1e-12);
    }
    free(s);
    scenmc_results_free(&r0);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* No observations: scenmc_exact's tables bit for bit, not conditioned. */
static void test_none_is_unconditioned(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(given_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r0, r;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact(m, &p, 2, &r0, &err), SCENMC_OK);
    scenmc_observations o;
    scenmc_observations_init(&o);
    r = exact_given_or_fail(m, &p, &o);
    assert_false(r.conditioned);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        assert_memory_equal(r.t[k].prob, r0.t[k].prob, sizeof(double) * r.t[k].size);
    scenmc_results_free(&r0);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Conditioned tables do not depend on the number of threads (bit for bit);
 * the evidence is scenmc_exact_filter's. */
static void test_threads_same(void **state)
{
    (void)state;
    const tobs obs[] = {{1, 0, {0.2, 0.7, 0.1}}, {3, 1, {0, 1}}};
    scenmc_model *m = model_from_string(given_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations o;
    to_observations(obs, 2, &o);
    scenmc_results r[2];
    for (int i = 0; i < 2; i++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_exact_given(m, &p, &o, 1 + 2 * i, &r[i], &err), SCENMC_OK);
    }
    assert_true(r[0].log_evidence == r[1].log_evidence);
    double le; /* forward filtering alone gives the same evidence (calibrate's) */
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact_filter(m, &p, &o, 2, &le, NULL, &err), SCENMC_OK);
    assert_close(le, r[0].log_evidence, 1e-14);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        assert_memory_equal(r[0].t[k].prob, r[1].t[k].prob, sizeof(double) * r[0].t[k].size);
    scenmc_results_free(&r[0]);
    scenmc_results_free(&r[1]);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* An impossible observation is an input error naming it and its year, even
 * after a possible one of the same year (from a fixed start, in 2020). */
static void test_probability_zero_named(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(given_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_params_parse_start(&p, m, "A=a1,B=b1,C=c1", &err), SCENMC_OK);
    scenmc_observations o;
    scenmc_observations_init(&o);
    assert_int_equal(scenmc_observations_add_given(&o, m, "2021:C=c2", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_add_given(&o, m, "2020:B=b1", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_add_given(&o, m, "2020:A=a3", &err), SCENMC_OK);
    scenmc_results r;
    assert_int_equal(scenmc_exact_given(m, &p, &o, 2, &r, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "--given 2020:A=a3"));
    assert_non_null(strstr(err.msg, "in 2020"));
    assert_null(strstr(err.msg, "B=b1"));
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The command line: the evidence printed is the library's, an impossible
 * observation exits with 2 naming it, --stationary refuses observations. */
static void test_command_line(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/given3.yaml", scratch_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(given_model, f);
    fclose(f);
    const tobs obs[] = {{2, 1, {0, 1}}, {4, 0, {0, 1, 0}}};
    brute *B = brute_run(obs, 2, NULL);
    assert_int_equal(sh("%s exact %s --given 2022:B=b2 --given 2024:A=2 -o %s/g.h5", SCENMC_BINARY, path,
                        scratch_dir), 0);
    const char *at = strstr(sh_out, "evidence P(observations) = ");
    assert_non_null(at);
    assert_close(strtod(at + strlen("evidence P(observations) = "), NULL), B->evidence, 1e-5 * B->evidence); /* %.6g */
    free(B);
    assert_int_equal(sh("%s exact %s --start A=a1,B=b1,C=c1 --given 2020:C=c2", SCENMC_BINARY, path), 2);
    assert_non_null(strstr(sh_out, "--given 2020:C=c2: what was observed in 2020 has probability 0"));
    assert_int_equal(sh("%s exact %s --stationary --given 2021:C=c2", SCENMC_BINARY, path), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_against_paths),
        cmocka_unit_test(test_soft_against_paths),
        cmocka_unit_test(test_fixed_start_against_paths),
        cmocka_unit_test(test_observed_start),
        cmocka_unit_test(test_hard_is_restrict_and_propagate),
        cmocka_unit_test(test_default_model_last_year),
        cmocka_unit_test(test_none_is_unconditioned),
        cmocka_unit_test(test_threads_same),
        cmocka_unit_test(test_probability_zero_named),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
