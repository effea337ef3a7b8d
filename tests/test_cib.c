/* Tests of CIB consistency (src/cib.c): hand-checked small models, the
 * ScenarioWizard sample, and a naive reference (every state, every
 * descriptor, every variant, from the definition) against the fast
 * enumeration, pruned search, top states and basins on random models. */
#include "testutil.h"

#include "scenmc/cib.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static scenmc_model *load_file(const char *rel)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_load(src_path(rel), &m, &err) != SCENMC_OK)
        fail_msg("%s did not load:\n%s", rel, err.msg);
    return m;
}

static scenmc_cib_list enumerate(const scenmc_model *m, double k, int method, int threads,
                                 uint64_t max_stored)
{
    scenmc_cib_options o;
    scenmc_cib_options_init(&o);
    o.max_ic = k;
    o.method = method;
    o.threads = threads;
    o.max_stored = max_stored;
    scenmc_cib_list l;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_cib_enumerate(m, &o, &l, &err) != SCENMC_OK)
        fail_msg("enumerate: %s", err.msg);
    return l;
}

static scenmc_cib_basin_result basins(const scenmc_model *m, uint64_t starts, uint64_t seed,
                                      int threads)
{
    scenmc_cib_basin_options o;
    scenmc_cib_basin_options_init(&o);
    o.starts = starts;
    o.seed = seed;
    o.threads = threads;
    scenmc_cib_basin_result b;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_cib_basins(m, &o, &b, &err) != SCENMC_OK)
        fail_msg("basins: %s", err.msg);
    return b;
}

/* The reference: IC(s) straight from the definition (docs/model.md, section 8). */
static double naive_ic(const scenmc_model *m, const int *s)
{
    int cross = m->cross_impact != NULL;
    const double *M = cross ? m->cross_impact : m->consistency;
    size_t V = (size_t)m->n_variants;
    double ic = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *Di = &m->descriptors[i];
        double best = -INFINITY, mine = 0;
        for (int b = 0; b < Di->n_variants; b++) {
            double B = 0;
            for (int j = 0; j < m->n_descriptors; j++) {
                if (!cross && j == i)
                    continue;
                size_t u = (size_t)(m->descriptors[j].offset + s[j]);
                B += M[u * V + (size_t)(Di->offset + b)];
            }
            if (B > best)
                best = B;
            if (b == s[i])
                mine = B;
        }
        if (best - mine > ic)
            ic = best - mine;
    }
    return ic;
}

/* The reference successor: every descriptor to its best variant, keeping
 * its own unless strictly beaten, ties to the lowest index. */
static void naive_step(const scenmc_model *m, const int *s, int *t)
{
    int cross = m->cross_impact != NULL;
    const double *M = cross ? m->cross_impact : m->consistency;
    size_t V = (size_t)m->n_variants;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *Di = &m->descriptors[i];
        double B[SCENMC_MAX_VARIANTS], best = -INFINITY;
        for (int b = 0; b < Di->n_variants; b++) {
            B[b] = 0;
            for (int j = 0; j < m->n_descriptors; j++) {
                if (!cross && j == i)
                    continue;
                size_t u = (size_t)(m->descriptors[j].offset + s[j]);
                B[b] += M[u * V + (size_t)(Di->offset + b)];
            }
            if (B[b] > best)
                best = B[b];
        }
        t[i] = s[i];
        if (best > B[s[i]] + 1e-9)
            for (int b = Di->n_variants - 1; b >= 0; b--)
                if (B[b] >= best - 1e-9)
                    t[i] = b;
    }
}

/* A random model as YAML: D descriptors of nmin..nmax variants, a
 * consistency matrix or a cross-impact matrix (with some self-impacts),
 * integer entries -3..3, or halves when `halves`. */
static uint64_t lcg_state;
static int rnd(int n)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((lcg_state >> 33) % (uint64_t)n);
}

static char *random_model_yaml(uint64_t seed, int D, int nmin, int nmax, int cross, int halves)
{
    lcg_state = seed * 0x9e3779b97f4a7c15ULL + 7;
    size_t cap = 1 << 20, len = 0;
    char *y = malloc(cap);
#define OUT(...) (len += (size_t)snprintf(y + len, cap - len, __VA_ARGS__))
    OUT("format: scenmc-model\nformat_version: 1\nname: random %llu\n"
        "years: {start: 2020, end: 2030}\n"
        "scale: {consistency: [-3, 3], cross_impact: [-20, 20]}\ndescriptors:\n",
        (unsigned long long)seed);
    int n[16];
    for (int i = 0; i < D; i++) {
        n[i] = nmin + rnd(nmax - nmin + 1);
        OUT("  - id: D%d\n    variants: [", i);
        for (int b = 0; b < n[i]; b++)
            OUT("%sv%d", b ? ", " : "", b);
        OUT("]\n");
    }
    if (cross) {
        OUT("cross_impact:\n");
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++) {
                if (i == j && rnd(3) != 0)
                    continue; /* self-impact blocks now and then */
                OUT("  - {from: D%d, to: D%d, impacts: [", i, j);
                for (int a = 0; a < n[i]; a++) {
                    OUT("%s[", a ? ", " : "");
                    for (int b = 0; b < n[j]; b++) {
                        int v = rnd(7) - 3;
                        if (halves)
                            OUT("%s%g", b ? ", " : "", v / 2.0);
                        else
                            OUT("%s%d", b ? ", " : "", v);
                    }
                    OUT("]");
                }
                OUT("]}\n");
            }
    } else {
        OUT("consistency:\n");
        for (int i = 0; i < D; i++)
            for (int j = i + 1; j < D; j++) {
                OUT("  - {between: [D%d, D%d], scores: [", i, j);
                for (int a = 0; a < n[i]; a++) {
                    OUT("%s[", a ? ", " : "");
                    for (int b = 0; b < n[j]; b++) {
                        int v = rnd(7) - 3;
                        if (halves)
                            OUT("%s%g", b ? ", " : "", v / 2.0);
                        else
                            OUT("%s%d", b ? ", " : "", v);
                    }
                    OUT("]");
                }
                OUT("]}\n");
            }
    }
#undef OUT
    if (len >= cap)
        fail_msg("random model too large");
    return y;
}

static scenmc_model *random_model(uint64_t seed, int D, int nmin, int nmax, int cross, int halves)
{
    char *y = random_model_yaml(seed, D, nmin, nmax, cross, halves);
    scenmc_model *m = model_from_string(y);
    free(y);
    return m;
}

/* ------------------------------------------------- a hand-checked CIB model */

/* Three descriptors A {a1, a2}, B {b1, b2}, C {c1, c2, c3}; cross impacts
 * (row: source, column: target), with one self-impact: a1 -> a1 = 1.
 * What each variant receives:
 *   on A (a1, a2):  from a1 [1 0]  a2 [0 0]  b1 [1 0]  b2 [0 1]
 *                        c1 [0 1]  c2 [1 0]  c3 [0 0]
 *   on B (b1, b2):  from a1 [2 0]  a2 [0 2]  c1 [0 0]  c2 [1 -1]  c3 [0 1]
 *   on C (c1..c3):  from a1 [1 1 0]  a2 [0 0 1]  b1 [0 1 1]  b2 [1 0 0]
 * By hand, balances per descriptor and the gap max - chosen:
 *  idx state     A       B        C        gaps A,B,C  IC
 *   0  a1 b1 c1  [2 1]   [2 0]    [1 2 1]  0 0 1       1
 *   1  a1 b1 c2  [3 0]   [3 -1]   [1 2 1]  0 0 0       0  consistent
 *   2  a1 b1 c3  [2 0]   [2 1]    [1 2 1]  0 0 1       1
 *   3  a1 b2 c1  [1 2]   [2 0]    [2 1 0]  1 2 0       2
 *   4  a1 b2 c2  [2 1]   [3 -1]   [2 1 0]  0 4 1       4
 *   5  a1 b2 c3  [1 1]   [2 1]    [2 1 0]  0 1 2       2  (A: a tie, thanks to the self-impact)
 *   6  a2 b1 c1  [1 1]   [0 2]    [0 1 2]  0 2 2       2
 *   7  a2 b1 c2  [2 0]   [1 1]    [0 1 2]  2 0 1       2
 *   8  a2 b1 c3  [1 0]   [0 3]    [0 1 2]  1 3 0       3
 *   9  a2 b2 c1  [0 2]   [0 2]    [1 0 1]  0 0 0       0  consistent (C: tie c1 = c3)
 *  10  a2 b2 c2  [1 1]   [1 1]    [1 0 1]  0 0 1       1
 *  11  a2 b2 c3  [0 1]   [0 3]    [1 0 1]  0 0 0       0  consistent (C: tie)
 * Consistent: 1, 9, 11. IC <= 1: also 0, 2, 10 (6 states); IC <= 2: also 3, 5,
 * 6, 7 (10 states). Global succession (keep unless strictly beaten, ties to
 * the lowest variant):
 *   0 -> 1, 2 -> 1, 3 -> 6 (A: a2, B: b1), 4 -> 0, 5 -> 0 (A keeps a1 on the
 *   tie), 6 -> 11, 7 -> 2, 8 -> 5, 10 -> 9 (C: c2 beaten by c1 and c3 equally:
 *   the lowest, c1).
 * Basins: state 1 <- {0, 2, 4, 5, 7, 8} (7 states), 9 <- {10} (2), 11 <- {3, 6} (3). */
static const char *hand_cross =
    "format: scenmc-model\nformat_version: 1\nname: hand cross\n"
    "years: {start: 2020, end: 2030}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "  - {id: C, variants: [c1, c2, c3]}\n"
    "cross_impact:\n"
    "  - {from: A, to: A, impacts: [[1, 0], [0, 0]]}\n"
    "  - {from: A, to: B, impacts: [[2, 0], [0, 2]]}\n"
    "  - {from: A, to: C, impacts: [[1, 1, 0], [0, 0, 1]]}\n"
    "  - {from: B, to: A, impacts: [[1, 0], [0, 1]]}\n"
    "  - {from: B, to: C, impacts: [[0, 1, 1], [1, 0, 0]]}\n"
    "  - {from: C, to: A, impacts: [[0, 1], [1, 0], [0, 0]]}\n"
    "  - {from: C, to: B, impacts: [[0, 0], [1, -1], [0, 1]]}\n"
    "scenarios:\n"
    "  - {name: both2, when: {A: a2, B: b2}}\n";

static void test_hand_cross_ties(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(hand_cross);
    assert_int_equal(scenmc_model_state_count(m), 12);
    static const double ic_hand[12] = {1, 0, 1, 2, 4, 2, 2, 2, 3, 0, 1, 0};
    scenmc_error err;
    scenmc_error_clear(&err);
    int s[3];
    for (uint64_t k = 0; k < 12; k++) {
        scenmc_cib_state_decode(m, k, s);
        assert_int_equal(scenmc_cib_state_index(m, s), k);
        /* the CIB names are the model's numbering */
        assert_int_equal(scenmc_state_index(m, s), k);
        int t[3];
        scenmc_state_from_index(m, k, t);
        assert_memory_equal(s, t, sizeof s);
        double ic;
        assert_int_equal(scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, NULL, NULL, &err),
                         SCENMC_OK);
        assert_close(ic, ic_hand[k], 0);
    }
    /* State 5 (a1 b2 c3): A's balances [1 1], a1's 1 being its self-impact. */
    scenmc_cib_state_decode(m, 5, s);
    double bal[7];
    assert_int_equal(scenmc_cib_impact_balance(m, s, SCENMC_CIB_AUTO, bal, &err), SCENMC_OK);
    static const double bal5[7] = {1, 1, 2, 1, 2, 1, 0};
    for (int v = 0; v < 7; v++)
        assert_close(bal[v], bal5[v], 0);
    /* Margins of state 1 (a1 b1 c2): A 3 - 0, B 3 - (-1), C 2 - 1; impact score 3+3+2. */
    double margins[3], tis, ic;
    scenmc_cib_state_decode(m, 1, s);
    assert_int_equal(scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, margins, &tis, &err),
                     SCENMC_OK);
    assert_close(margins[0], 3, 0);
    assert_close(margins[1], 4, 0);
    assert_close(margins[2], 1, 0);
    assert_close(tis, 8, 0);
    /* State 9 (a2 b2 c1): C ties c1 = c3, margin 0. */
    scenmc_cib_state_decode(m, 9, s);
    scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, margins, NULL, &err);
    assert_close(margins[0], 2, 0);
    assert_close(margins[1], 2, 0);
    assert_close(margins[2], 0, 0);
    assert_int_equal(scenmc_model_scenario_of(m, s), 0);

    /* Enumeration, both methods, several thread counts. */
    for (int method = 0; method < 2; method++)
        for (int threads = 1; threads <= 3; threads++) {
            scenmc_cib_list l = enumerate(m, 0, method, threads, 100);
            assert_int_equal(l.n_found, 3);
            assert_int_equal(l.n_stored, 3);
            assert_int_equal(l.index[0], 1);
            assert_int_equal(l.index[1], 9);
            assert_int_equal(l.index[2], 11);
            assert_int_equal(l.uses_cross, 1);
            scenmc_cib_list_free(&l);
            l = enumerate(m, 1, method, threads, 100);
            assert_int_equal(l.n_found, 6);
            static const uint64_t k1[6] = {0, 1, 2, 9, 10, 11};
            for (int k = 0; k < 6; k++) {
                assert_int_equal(l.index[k], k1[k]);
                assert_close(l.ic[k], ic_hand[k1[k]], 0);
            }
            scenmc_cib_list_free(&l);
            l = enumerate(m, 2, method, threads, 100);
            assert_int_equal(l.n_found, 10);
            scenmc_cib_list_free(&l);
            l = enumerate(m, 2.5, method, threads, 100);
            assert_int_equal(l.n_found, 10);
            scenmc_cib_list_free(&l);
            l = enumerate(m, 4, method, threads, 100);
            assert_int_equal(l.n_found, 12);
            scenmc_cib_list_free(&l);
        }
    scenmc_cib_list l = enumerate(m, 0, SCENMC_CIB_SWEEP, 2, 100);
    assert_true(l.have_hist);
    assert_int_equal(l.ic_hist[0], 3); /* IC = 0 */
    assert_int_equal(l.ic_hist[1], 3); /* IC = 1 */
    assert_int_equal(l.ic_hist[2], 4); /* IC = 2 */
    assert_int_equal(l.ic_hist[3], 1);
    assert_int_equal(l.ic_hist[4], 1);
    scenmc_cib_list_free(&l);

    /* Succession: the tie rules. */
    static const int next_hand[12] = {1, 1, 1, 6, 0, 0, 11, 2, 5, 9, 9, 11};
    for (uint64_t k = 0; k < 12; k++) {
        int t[3], changed;
        scenmc_cib_state_decode(m, k, s);
        assert_int_equal(scenmc_cib_succession_step(m, s, SCENMC_CIB_AUTO, t, &changed, &err),
                         SCENMC_OK);
        assert_int_equal(scenmc_cib_state_index(m, t), next_hand[k]);
        assert_int_equal(changed == 0, ic_hand[k] == 0);
    }
    /* Basins: 7, 2, 3, no cycles, whatever the threads. */
    for (int threads = 1; threads <= 3; threads++) {
        scenmc_cib_basin_result b = basins(m, 0, 0, threads);
        assert_true(b.exact);
        assert_int_equal(b.n_starts, 12);
        assert_int_equal(b.n_fixed, 3);
        assert_int_equal(b.n_cycles, 0);
        assert_int_equal(b.in_cycles, 0);
        assert_int_equal(b.attractors[0].index, 1);
        assert_int_equal(b.attractors[0].basin, 7);
        assert_int_equal(b.attractors[1].index, 9);
        assert_int_equal(b.attractors[1].basin, 2);
        assert_int_equal(b.attractors[2].index, 11);
        assert_int_equal(b.attractors[2].basin, 3);
        assert_int_equal(b.attractors[2].cycle_length, 1);
        scenmc_cib_basins_free(&b);
    }
    /* Random starts: shares near 7/12, 2/12, 3/12. */
    scenmc_cib_basin_result b = basins(m, 60000, 5, 2);
    assert_false(b.exact);
    assert_int_equal(b.n_fixed, 3);
    assert_int_equal(b.attractors[0].basin + b.attractors[1].basin + b.attractors[2].basin, 60000);
    static const double share[3] = {7 / 12.0, 2 / 12.0, 3 / 12.0};
    for (int k = 0; k < 3; k++) {
        double lo, hi;
        scenmc_cib_wilson(b.attractors[k].basin, 60000, 4.0, &lo, &hi); /* 4 sigma */
        assert_true(lo <= share[k] && share[k] <= hi);
    }
    scenmc_cib_basins_free(&b);
    scenmc_model_free(m);
}

/* ------------------------------------------- a hand-checked consistency model */

/* X {x1, x2}, Y {y1, y2}, Z {z1, z2}; consistency scores
 *   X-Y [[3, -1], [0, 1]]   X-Z [[1, -2], [2, 0]]   Y-Z [[-3, 2], [1, 1]]
 * K(s) by hand (index = 4x + 2y + z):
 *   0 x1y1z1: 3+1-3 = 1      4 x2y1z1: 0+2-3 = -1
 *   1 x1y1z2: 3-2+2 = 3      5 x2y1z2: 0+0+2 = 2
 *   2 x1y2z1: -1+1+1 = 1     6 x2y2z1: 1+2+1 = 4
 *   3 x1y2z2: -1-2+1 = -2    7 x2y2z2: 1+0+1 = 2
 * Top 3: 6 (4), 1 (3), then the tie at 2 goes to the lower index, 5.
 * With --min-pair 0 (no pair below 0) only 5, 6, 7 remain: 6 (4), 5 (2), 7 (2).
 * With --min-pair -2 (drops the -3 pairs, y1 z1): the top 3 is unchanged.
 * CIB with C (sum over the other descriptors), state 6 = x2 y2 z1:
 *   X: from y2 [-1 1], z1 [1 2] -> [0 3]; Y: from x2 [0 1], z1 [-3 1] -> [-3 2];
 *   Z: from x2 [2 0], y2 [1 1] -> [3 1]: consistent, margins 3, 5, 2. */
static const char *hand_consistency =
    "format: scenmc-model\nformat_version: 1\nname: hand consistency\n"
    "years: {start: 2020, end: 2030}\n"
    "descriptors:\n"
    "  - {id: X, variants: [x1, x2]}\n"
    "  - {id: Y, variants: [y1, y2]}\n"
    "  - {id: Z, variants: [z1, z2]}\n"
    "consistency:\n"
    "  - {between: [X, Y], scores: [[3, -1], [0, 1]]}\n"
    "  - {between: [X, Z], scores: [[1, -2], [2, 0]]}\n"
    "  - {between: [Y, Z], scores: [[-3, 2], [1, 1]]}\n";

static scenmc_cib_top_result top(const scenmc_model *m, uint64_t n, int use_min, double min_pair,
                                 int threads)
{
    scenmc_cib_top_options o;
    scenmc_cib_top_options_init(&o);
    o.n = n;
    o.use_min_pair = use_min;
    o.min_pair = min_pair;
    o.threads = threads;
    scenmc_cib_top_result r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_cib_top(m, &o, &r, &err) != SCENMC_OK)
        fail_msg("top: %s", err.msg);
    return r;
}

static void test_hand_consistency_top(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(hand_consistency);
    static const double k_hand[8] = {1, 3, 1, -2, -1, 2, 4, 2};
    int s[3];
    for (uint64_t k = 0; k < 8; k++) {
        scenmc_cib_state_decode(m, k, s);
        assert_close(scenmc_model_total_consistency(m, s), k_hand[k], 0);
    }
    for (int threads = 1; threads <= 3; threads++) {
        scenmc_cib_top_result r = top(m, 3, 0, 0, threads);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.index[0], 6);
        assert_int_equal(r.index[1], 1);
        assert_int_equal(r.index[2], 5);
        assert_close(r.k[0], 4, 0);
        assert_close(r.k[1], 3, 0);
        assert_close(r.k[2], 2, 0);
        scenmc_cib_top_free(&r);
        r = top(m, 5, 1, 0, threads);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.index[0], 6);
        assert_int_equal(r.index[1], 5);
        assert_int_equal(r.index[2], 7);
        scenmc_cib_top_free(&r);
        r = top(m, 3, 1, -2, threads);
        assert_int_equal(r.index[0], 6);
        assert_int_equal(r.index[1], 1);
        assert_int_equal(r.index[2], 5);
        scenmc_cib_top_free(&r);
        r = top(m, 100, 0, 0, threads); /* more than there are: all 8 */
        assert_int_equal(r.n, 8);
        assert_int_equal(r.index[7], 3);
        scenmc_cib_top_free(&r);
    }
    double margins[3], ic;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_cib_state_decode(m, 6, s);
    assert_int_equal(scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, margins, NULL, &err),
                     SCENMC_OK);
    assert_close(ic, 0, 0);
    assert_close(margins[0], 3, 0);
    assert_close(margins[1], 5, 0);
    assert_close(margins[2], 2, 0);
    scenmc_cib_list l = enumerate(m, 0, SCENMC_CIB_PRUNE, 2, 10);
    for (uint64_t k = 0; k < l.n_stored; k++) {
        scenmc_cib_state_decode(m, l.index[k], s);
        assert_close(naive_ic(m, s), 0, 1e-12);
    }
    assert_true(l.n_found >= 1);
    scenmc_cib_list_free(&l);
    scenmc_model_free(m);
}

/* ------------------------------------------------ the ScenarioWizard sample */

static void test_scenariowizard_sample(void **state)
{
    (void)state;
    scenmc_model *m = load_file("tests/data/cib/cib_global.yaml");
    assert_non_null(m->cross_impact);
    assert_int_equal(scenmc_model_state_count(m), 36);
    /* CIB_global.sl, 1-based variants and total impact scores, by index. */
    static const int expect[4][3] = {{1, 2, 3}, {2, 2, 2}, {2, 3, 2}, {3, 1, 3}};
    static const double tis[4] = {8, 9, 15, 12};
    for (int method = 0; method < 2; method++) {
        scenmc_cib_list l = enumerate(m, 0, method, 2, 100);
        assert_int_equal(l.n_found, 4);
        assert_int_equal(l.n_stored, 4);
        for (int k = 0; k < 4; k++) {
            int s[3];
            scenmc_cib_state_decode(m, l.index[k], s);
            for (int i = 0; i < 3; i++)
                assert_int_equal(s[i] + 1, expect[k][i]);
            double ic, t;
            scenmc_error err;
            scenmc_error_clear(&err);
            assert_int_equal(scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, NULL, &t, &err),
                             SCENMC_OK);
            assert_close(ic, 0, 0);
            assert_close(t, tis[k], 0);
        }
        scenmc_cib_list_free(&l);
    }
    scenmc_cib_basin_result b = basins(m, 0, 0, 2);
    assert_int_equal(b.n_fixed, 4);
    uint64_t sum = 0;
    for (uint64_t k = 0; k < b.n_fixed + b.n_cycles; k++)
        sum += b.attractors[k].basin;
    assert_int_equal(sum, 36);
    scenmc_cib_basins_free(&b);
    scenmc_model_free(m);
}

/* ------------------------------------------------ against the reference */

/* Every state's naive IC, and the lists for K = 0, 1, 2 by both methods and
 * thread counts. */
static uint64_t found_total[3]; /* states found for K = 0, 1, 2, over the models checked */

static void check_against_naive(const scenmc_model *m)
{
    uint64_t n = scenmc_model_state_count(m);
    double *ic = malloc(n * sizeof *ic);
    int s[16];
    for (uint64_t k = 0; k < n; k++) {
        scenmc_cib_state_decode(m, k, s);
        ic[k] = naive_ic(m, s);
    }
    for (int K = 0; K <= 2; K++) {
        uint64_t expect = 0;
        for (uint64_t k = 0; k < n; k++)
            expect += ic[k] <= K + 1e-9;
        found_total[K] += expect;
        for (int method = 0; method < 2; method++)
            for (int threads = 1; threads <= 4; threads += 3) {
                scenmc_cib_list l = enumerate(m, K, method, threads, n);
                if (l.n_found != expect)
                    fail_msg("%s: K %d method %d threads %d: %llu found, %llu expected", m->name, K,
                             method, threads, (unsigned long long)l.n_found,
                             (unsigned long long)expect);
                assert_int_equal(l.n_stored, expect);
                uint64_t j = 0;
                for (uint64_t k = 0; k < n; k++)
                    if (ic[k] <= K + 1e-9) {
                        assert_int_equal(l.index[j], k);
                        assert_close(l.ic[j], ic[k], 1e-9);
                        j++;
                    }
                if (method == SCENMC_CIB_SWEEP) {
                    uint64_t h0 = 0, total = 0;
                    for (uint64_t k = 0; k < n; k++)
                        h0 += ic[k] <= 1e-9;
                    for (int b = 0; b < SCENMC_CIB_HIST_BINS; b++)
                        total += l.ic_hist[b];
                    assert_int_equal(l.ic_hist[0], h0);
                    assert_int_equal(total, n);
                }
                scenmc_cib_list_free(&l);
            }
        /* A short list is the lowest indices, whatever the threads. */
        if (expect > 2) {
            for (int threads = 1; threads <= 3; threads++) {
                scenmc_cib_list l = enumerate(m, K, SCENMC_CIB_PRUNE, threads, 2);
                assert_int_equal(l.n_found, expect);
                assert_int_equal(l.n_stored, 2);
                uint64_t j = 0;
                for (uint64_t k = 0; k < n && j < 2; k++)
                    if (ic[k] <= K + 1e-9)
                        assert_int_equal(l.index[j++], k);
                scenmc_cib_list_free(&l);
            }
        }
    }
    free(ic);
}

static void test_enumerate_random_models(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        int cross = seed % 2, halves = seed % 3 == 0;
        int D = 3 + (int)(seed % 5);
        scenmc_model *m = random_model(seed, D, 2, D > 5 ? 3 : 4, cross, halves);
        check_against_naive(m);
        scenmc_model_free(m);
    }
    /* the models must give the search something to find */
    print_message("random models: %llu, %llu, %llu states with IC <= 0, 1, 2\n",
                  (unsigned long long)found_total[0], (unsigned long long)found_total[1],
                  (unsigned long long)found_total[2]);
    assert_true(found_total[0] >= 10);
    assert_true(found_total[2] > found_total[1] && found_total[1] > found_total[0]);
}

/* The reference basins: follow the naive successor from every state. */
static void check_basins(const scenmc_model *m)
{
    uint64_t n = scenmc_model_state_count(m);
    uint64_t *attr = malloc(n * sizeof *attr); /* each start's attractor (lowest index) */
    uint64_t *len = malloc(n * sizeof *len);
    uint64_t *seen = malloc(n * sizeof *seen);
    int s[16], t[16];
    for (uint64_t k = 0; k < n; k++) {
        /* walk until a state repeats; the cycle is from its first visit */
        uint64_t steps = 0, x = k;
        for (uint64_t q = 0; q < n; q++)
            seen[q] = UINT64_MAX;
        while (seen[x] == UINT64_MAX) {
            seen[x] = steps++;
            scenmc_cib_state_decode(m, x, s);
            naive_step(m, s, t);
            x = scenmc_cib_state_index(m, t);
        }
        uint64_t lo = x, y = x, l = 0;
        do {
            scenmc_cib_state_decode(m, y, s);
            naive_step(m, s, t);
            y = scenmc_cib_state_index(m, t);
            lo = y < lo ? y : lo;
            l++;
        } while (y != x);
        attr[k] = lo;
        len[k] = l;
    }
    for (int threads = 1; threads <= 3; threads += 2) {
        scenmc_cib_basin_result b = basins(m, 0, 0, threads);
        uint64_t sum = 0, in_cycles = 0;
        for (uint64_t a = 0; a < b.n_fixed + b.n_cycles; a++) {
            const scenmc_cib_attractor *A = &b.attractors[a];
            uint64_t cnt = 0;
            for (uint64_t k = 0; k < n; k++)
                if (attr[k] == A->index) {
                    cnt++;
                    assert_int_equal(len[k], A->cycle_length);
                }
            assert_int_equal(cnt, A->basin);
            assert_true(A->basin >= 1);
            assert_int_equal(A->cycle_length == 1, a < b.n_fixed);
            if (A->cycle_length == 1) {
                scenmc_cib_state_decode(m, A->index, s);
                assert_close(naive_ic(m, s), 0, 1e-9);
            } else {
                in_cycles += A->basin;
            }
            sum += A->basin;
        }
        assert_int_equal(sum, n);
        assert_int_equal(in_cycles, b.in_cycles);
        /* every consistent state is a fixed point of its own */
        scenmc_cib_list l = enumerate(m, 0, SCENMC_CIB_PRUNE, threads, n);
        assert_int_equal(l.n_found, b.n_fixed);
        for (uint64_t k = 0; k < l.n_stored; k++)
            assert_int_equal(l.index[k], b.attractors[k].index);
        scenmc_cib_list_free(&l);
        scenmc_cib_basins_free(&b);
    }
    /* Random starts: the same attractors, counts summing to the starts, and
     * the same result whatever the threads. */
    scenmc_cib_basin_result r1 = basins(m, 5000, 42, 1), r3 = basins(m, 5000, 42, 3);
    assert_int_equal(r1.n_fixed, r3.n_fixed);
    assert_int_equal(r1.n_cycles, r3.n_cycles);
    uint64_t sum = 0;
    for (uint64_t a = 0; a < r1.n_fixed + r1.n_cycles; a++) {
        assert_int_equal(r1.attractors[a].index, r3.attractors[a].index);
        assert_int_equal(r1.attractors[a].basin, r3.attractors[a].basin);
        assert_int_equal(r1.attractors[a].cycle_length, r3.attractors[a].cycle_length);
        uint64_t k;
        for (k = 0; k < n && attr[k] != r1.attractors[a].index; k++)
            ;
        assert_true(k < n); /* a real attractor */
        assert_int_equal(len[k], r1.attractors[a].cycle_length);
        sum += r1.attractors[a].basin;
    }
    assert_int_equal(sum, 5000);
    scenmc_cib_basins_free(&r1);
    scenmc_cib_basins_free(&r3);
    free(attr);
    free(len);
    free(seen);
}

static void test_basins_random_models(void **state)
{
    (void)state;
    for (uint64_t seed = 21; seed <= 30; seed++) {
        scenmc_model *m = random_model(seed, 3 + (int)(seed % 4), 2, 4, seed % 2, seed % 3 == 0);
        check_basins(m);
        scenmc_model_free(m);
    }
}

typedef struct {
    double k;
    uint64_t idx;
} kref;

static int cmp_kref(const void *pa, const void *pb)
{
    const kref *a = pa, *b = pb;
    if (a->k != b->k)
        return a->k > b->k ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void test_top_random_models(void **state)
{
    (void)state;
    for (uint64_t seed = 41; seed <= 48; seed++) {
        scenmc_model *m = random_model(seed, 4 + (int)(seed % 4), 2, 4, 0, seed % 3 == 0);
        uint64_t n = scenmc_model_state_count(m);
        size_t V = (size_t)m->n_variants;
        for (int use_min = 0; use_min <= 1; use_min++) {
            double min_pair = -1;
            kref *ref = malloc(n * sizeof *ref);
            uint64_t nr = 0;
            int s[16];
            for (uint64_t k = 0; k < n; k++) {
                scenmc_cib_state_decode(m, k, s);
                int bad = 0;
                for (int i = 0; i < m->n_descriptors && use_min; i++)
                    for (int j = i + 1; j < m->n_descriptors; j++) {
                        size_t u = (size_t)(m->descriptors[i].offset + s[i]);
                        size_t v = (size_t)(m->descriptors[j].offset + s[j]);
                        if (m->scored[u * V + v] && m->consistency[u * V + v] < min_pair)
                            bad = 1;
                    }
                if (!bad) {
                    ref[nr].k = scenmc_model_total_consistency(m, s);
                    ref[nr].idx = k;
                    nr++;
                }
            }
            qsort(ref, nr, sizeof *ref, cmp_kref);
            for (uint64_t want = 1; want <= 40; want += 13)
                for (int threads = 1; threads <= 3; threads += 2) {
                    scenmc_cib_top_result r = top(m, want, use_min, min_pair, threads);
                    assert_int_equal(r.n, want < nr ? want : nr);
                    for (uint64_t k = 0; k < r.n; k++) {
                        assert_int_equal(r.index[k], ref[k].idx);
                        assert_close(r.k[k], ref[k].k, 1e-9);
                    }
                    scenmc_cib_top_free(&r);
                }
            free(ref);
        }
        scenmc_model_free(m);
    }
}

/* ------------------------------------------------------- the default model */

static void test_vasternorrland(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    assert_int_equal(scenmc_model_load_default(&m, &err), SCENMC_OK);
    assert_null(m->cross_impact);
    assert_int_equal(scenmc_model_state_count(m), 27648);
    check_against_naive(m);
    scenmc_cib_list l = enumerate(m, 0, SCENMC_CIB_PRUNE, 0, 100);
    assert_int_equal(l.uses_cross, 0);
    assert_int_equal(l.n_found, 6);
    scenmc_cib_list_free(&l);
    scenmc_cib_basin_result b = basins(m, 0, 0, 0);
    uint64_t sum = 0;
    for (uint64_t a = 0; a < b.n_fixed + b.n_cycles; a++)
        sum += b.attractors[a].basin;
    assert_int_equal(sum, 27648);
    assert_int_equal(b.n_fixed, 6);
    scenmc_cib_basins_free(&b);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------ refusals */

static void test_refusals(void **state)
{
    (void)state;
    scenmc_error err;
    /* 65 two-variant descriptors: 2^65 states do not fit in 64 bits. */
    size_t cap = 1 << 16, len = 0;
    char *y = malloc(cap);
    len += (size_t)snprintf(y + len, cap - len, "format: scenmc-model\nformat_version: 1\n"
                            "name: huge\nyears: {start: 2020, end: 2030}\ndescriptors:\n");
    for (int i = 0; i < 65; i++)
        len += (size_t)snprintf(y + len, cap - len, "  - {id: D%d, variants: [a, b]}\n", i);
    snprintf(y + len, cap - len, "consistency:\n  - {between: [D0, D1], scores: [[1, 0], [0, 1]]}\n");
    scenmc_model *huge = model_from_string(y);
    free(y);
    assert_int_equal(scenmc_model_state_count(huge), 0);
    scenmc_cib_options o;
    scenmc_cib_options_init(&o);
    scenmc_cib_list l;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_enumerate(huge, &o, &l, &err), SCENMC_E_LIMIT);
    assert_non_null(strstr(err.msg, "2^64"));
    scenmc_cib_basin_options bo;
    scenmc_cib_basin_options_init(&bo);
    scenmc_cib_basin_result b;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_basins(huge, &bo, &b, &err), SCENMC_E_LIMIT);
    scenmc_model_free(huge);

    scenmc_model *m = model_from_string(hand_consistency);
    /* the state-to-basin map over a memory limit */
    bo.max_memory = 16;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_basins(m, &bo, &b, &err), SCENMC_E_LIMIT);
    assert_non_null(strstr(err.msg, "--starts"));
    /* no cross-impact matrix to use */
    o.use_cross = SCENMC_CIB_CROSS;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_enumerate(m, &o, &l, &err), SCENMC_E_INPUT);
    o.use_cross = SCENMC_CIB_AUTO;
    o.max_ic = -1;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_enumerate(m, &o, &l, &err), SCENMC_E_INPUT);
    int s[3] = {0, 2, 0};
    double ic;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_cib_inconsistency(m, s, SCENMC_CIB_AUTO, &ic, NULL, NULL, &err),
                     SCENMC_E_INPUT);
    scenmc_model_free(m);
}

static void test_wilson(void **state)
{
    (void)state;
    double lo, hi;
    scenmc_cib_wilson(5, 10, 1.959964, &lo, &hi); /* textbook: 0.2366 .. 0.7634 */
    assert_close(lo, 0.23659, 1e-4);
    assert_close(hi, 0.76341, 1e-4);
    scenmc_cib_wilson(0, 20, 1.959964, &lo, &hi); /* 0 .. 0.1611 */
    assert_close(lo, 0, 0);
    assert_close(hi, 0.16113, 1e-4);
}

/* ---------------------------------------------------------------- the CLI */

static const char *last_line(char *out)
{
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = '\0';
    char *nl = strrchr(out, '\n');
    return nl ? nl + 1 : out;
}

static void test_cli(void **state)
{
    (void)state;
    char cmd[8192], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s consistent %s --count", SCENMC_BINARY,
             src_path("tests/data/cib/cib_global.yaml"));
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_string_equal(last_line(out), "4");
    free(out);

    snprintf(cmd, sizeof cmd, "%s consistent --count --threads 1", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_string_equal(last_line(out), "6");
    free(out);

    snprintf(cmd, sizeof cmd, "%s consistent %s --max-ic 1 --count", SCENMC_BINARY,
             src_path("tests/data/cib/cib_global.yaml"));
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);

    snprintf(cmd, sizeof cmd, "%s consistent %s", SCENMC_BINARY,
             src_path("tests/data/cib/cib_global.yaml"));
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "4 consistent states"));
    assert_non_null(strstr(out, "[2 3 2]"));
    assert_non_null(strstr(out, "Alrt"));
    free(out);

    static const char *bad[] = {"--max-ic abc", "--max-ic -1", "--top 0", "--top x",
                                "--threads 0", "--starts 0 --basins", "--limit -3",
                                "--matrix both", "--bogus", "--top 3 --basins",
                                "--min-pair 1", "--starts 10", "--count --top 2",
                                "--max-ic"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(cmd, sizeof cmd, "%s consistent %s", SCENMC_BINARY, bad[k]);
        int rc = run_capture(cmd, &out);
        if (rc != 2)
            fail_msg("'%s' exited %d; expected 2:\n%s", cmd, rc, out);
        free(out);
    }
    /* --matrix cross on a model without one; --top on one without consistency */
    snprintf(cmd, sizeof cmd, "%s consistent --matrix cross", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 2);
    free(out);
    snprintf(cmd, sizeof cmd, "%s consistent %s --top 3", SCENMC_BINARY,
             src_path("tests/data/cib/cib_global.yaml"));
    assert_int_equal(run_capture(cmd, &out), 2);
    free(out);

    snprintf(cmd, sizeof cmd, "%s consistent --help", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "--basins"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s consistent --top 5 --min-pair -2", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "#5"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s consistent --basins --starts 1000 --seed 3", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "95% CI"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_cross_ties),
        cmocka_unit_test(test_hand_consistency_top),
        cmocka_unit_test(test_scenariowizard_sample),
        cmocka_unit_test(test_enumerate_random_models),
        cmocka_unit_test(test_basins_random_models),
        cmocka_unit_test(test_top_random_models),
        cmocka_unit_test(test_vasternorrland),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
