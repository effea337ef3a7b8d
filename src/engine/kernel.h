/* Tables derived once from (model, params) for the hot loops of the Monte
 * Carlo engines and the exact solver: the hot loops see only flat arrays.
 * scenmc__kernel_base holds what both need (all the exact solver uses);
 * scenmc__kernel embeds it and adds the random stream's tables and the Monte
 * Carlo layouts. */
#ifndef SCENMC_KERNEL_H
#define SCENMC_KERNEL_H

#include "scenmc/scenmc.h"

/* Most groups for the table engine; more groups use field mode. */
#define SCENMC_MAX_TABLE_GROUPS 8

/* Most joint variants of a start block (one random word each). */
#define SCENMC_START_BLOCK 256

/* What a revision of one descriptor needs, in one place (table engine). */
typedef struct scenmc__desc {
    size_t blk;              /* first double of the descriptor's block in the table (all rows) */
    int group;               /* its group */
    int radix;               /* weight of its variant in the group's joint variant */
} scenmc__desc;

/* Bits of a group's field in the packed engine's word (kernel.h, packed). */
#define SCENMC_PACKED_BITS(G) ((G) <= 2 ? 32 : 21)

typedef struct scenmc__kernel_base {
    int D, V, Y, S;          /* descriptors, variants, observation years, scenario slots */
    int *offset, *n_var;     /* [D] */
    double *W;               /* [V*V] beta*(w_C*C + w_X*X), row = source variant */
    double *C;               /* [V*V] consistency (for the total consistency K) */
    double *h;               /* [V] beta*bias (zeros when none) */
    double lambda;           /* Lambda: the sum of the descriptors' revision rates */
    /* scenario of a state: a lookup over the descriptors named in conditions */
    int *scen_stride;        /* [D] (0 for descriptors no scenario names) */
    int *scen_table;         /* [prod of named descriptors' variant counts] */
    uint64_t *state_stride;  /* [D] mixed-radix weights of the full state index */
    double bin_lo, bin_width, inv_bin_width; /* the consistency histogram's bins */
    int n_bins;
    int full_states;         /* the final-state table covers every state */
} scenmc__kernel_base;

scenmc_status scenmc__kernel_base_init(scenmc__kernel_base *b, const scenmc_model *m, const scenmc_params *p,
                                      const scenmc_results *shape, scenmc_error *err);
void scenmc__kernel_base_free(scenmc__kernel_base *b);

typedef struct scenmc__kernel {
    scenmc__kernel_base base; /* what the exact solver also uses */
    /* Grouped field tables for the Monte Carlo engine (built by
     * scenmc__kernel_build_groups). Consecutive descriptors form groups of at
     * most group_limit joint variants; joint variant c of group g is table
     * row group_row[g] + c. For descriptor i and row r, the entry at
     * table + desc[i].blk + r * 2 pw[i] holds
     *   [0, pw[i]):         exp(sum W[u][o_i+b]) (log domain: the sum)
     *   [pw[i], 2 pw[i]):   sum C[u][o_i+b]
     * over the row's variants u, for i's variants b, padded to pw[i] (a
     * multiple of 4) with weight 0 (log domain: -inf) and consistency 0. The
     * bias h is folded into group 0. The weight of variant b of descriptor i
     * in a state is then the product over groups of one entry each: nothing
     * V-long is updated when a variant changes. Descriptor D is a phantom with
     * one variant (weight 1), used to pad lanes that have run out of revisions. */
    int log_domain;          /* fields too large for exp(): weights from sums */
    int field_mode;          /* more than SCENMC_MAX_TABLE_GROUPS groups: see below */
    int n_groups, group_limit;
    int *group_first;        /* [n_groups + 1] first descriptor of each group */
    int *group_row;          /* [n_groups + 1] first table row of each group; last = rows */
    int *pw;                 /* [D + 1] padded width of each descriptor's entries */
    scenmc__desc *desc;       /* [D + 1] each descriptor's block, group and radix (the
                              * weight of its variant in its group's joint variant) */
    int max_pw;
    size_t row_len;          /* doubles per row over all blocks: sum of 2 pw[i] */
    double *table;           /* [rows * row_len], 64-byte aligned */
    int *row_group;          /* [rows] group of each row */
    uint16_t *row_variant;   /* [rows * group_width]: global variant of each of the row's descriptors */
    /* Start state, one word per start block: consecutive descriptors of at
     * most SCENMC_START_BLOCK joint variants (a fixed rule, so the random
     * stream does not depend on the table groups); the block's joint initial
     * distribution (independent descriptors) is inverted with a guide table. */
    int n_blocks, block_width;
    int blocks_are_groups;   /* the start blocks are the table groups (same limit) */
    int *block_first;        /* [n_blocks + 1] first descriptor of each block */
    int *block_row;          /* [n_blocks + 1] first joint variant of each block */
    uint8_t *block_digit;    /* [joint variants * block_width]: each descriptor's variant */
    double *start_cum;       /* [joint variants] cumulative within each block; last 2 */
    int *start_guide;        /* [4 * joint variants]: cell j of block b at 4 * block_row[b] + j */
    int group_width;         /* most descriptors in a group */
    int *row_scen;           /* [rows] the row's part of the scenario lookup index */
    uint64_t *group_state_stride; /* [n_groups] weight of c in the full state index */
    /* Total consistency from the group rows, when there are few groups:
     * one group: K = K_in[row_0]; else the sum over group pairs g < h of
     * K_pair[K_pair_base[g*G+h] + row_g * group_rows[h] + row_h], each table
     * holding the pairs across the two groups plus the pairs within group g
     * (h = g + 1) or within group h (the last pair). NULL: the engine tracks
     * K per revision. */
    double *K_in;            /* [rows] pairs within the row's group */
    double *K_pair;          /* pairs across two groups (and folded K_in) */
    ptrdiff_t *K_pair_base;  /* [G*G] */
    int *group_rows;         /* [G] rows of each group */
    /* Packed engine: one to three groups, widths W = max_pw of 4 or 8, the
     * ratio domain and pair tables. Its weights are ptable[(row * (D + 1) +
     * i) * W + b] (the table's, row-major). A lane's rows are one word: group
     * g's row times row_bytes in bits F g to F g + F - 1, F = packed_bits
     * (32 for up to two groups, else 21), and a revision of descriptor i from
     * variant a to b adds (b - a) * unit[i] to it. */
    int packed;
    int packed_bits;         /* SCENMC_PACKED_BITS(n_groups) */
    double *ptable;          /* 64-byte aligned */
    int row_bytes;           /* (D + 1) W sizeof(double) */
    uint64_t row_inverse;    /* ceil(2^32 / row_bytes): row = (offset * row_inverse) >> 32 */
    uint64_t *unit;          /* [D + 1] (the phantom: 0) */
    /* Up to two groups: per state of the groups' rows (c_0 * info_rows +
     * c_1, c_g the row within group g), its scenario | consistency bin << 16;
     * NULL with three (the year lookups from row_scen and the pair tables). */
    uint32_t *state_info;
    int info_rows;           /* rows of group 1 (1 when there is one group) */
    /* Field mode (many groups): each lane keeps its field F (exp(F) in the
     * ratio domain) and consistency field over all V variants, started from
     * one row per group and updated by a V-long row when a variant changes. */
    double *field_F, *field_G; /* [rows * V] each group row's part (h in group 0) */
    int *pair_base;          /* [D] first row of descriptor j's (a, b) pairs */
    double *ratio;           /* [pairs * V] exp(W[o_j+b][.] - W[o_j+a][.]); NULL in the log domain */
    double *dC;              /* [pairs * V] C[o_j+b][.] - C[o_j+a][.] */
    double *init_p;          /* [V] initial probabilities */
    int *start;              /* [D] or NULL */
    /* yearly revision count ~ Poisson(Lambda): CDF table with a guide table */
    int n_pois;              /* CDF entries */
    double *pois_cdf;        /* [n_pois], last entry 1 */
    int n_guide;             /* guide cells */
    int *pois_guide;         /* [n_guide] first CDF entry to search from */
    /* which descriptor a revision hits */
    int equal_rates;
    double *desc_cum;        /* [D] cumulative lambda_i / Lambda */
    double *desc_prob;       /* [D] lambda_i / Lambda */
    int joint_tally;         /* set by the engine: see simulate.c */
    int top_states;          /* count final states in a map (too many for a table) */
} scenmc__kernel;

/* The base, then the random stream's tables (start, Poisson counts, which
 * descriptor a revision hits) and the domain of the weights. */
scenmc_status scenmc__kernel_init(scenmc__kernel *k, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc_results *shape, scenmc_error *err);
/* The grouped tables of the Monte Carlo engine (after scenmc__kernel_init). */
scenmc_status scenmc__kernel_build_groups(scenmc__kernel *k, int group_limit, scenmc_error *err);
void scenmc__kernel_free(scenmc__kernel *k);

/* Heat-bath probabilities of descriptor i's variants given the field F
 * (F[u] = h[u] + sum_j W[s_j][u]); writes n_var[i] values to prob. */
void scenmc__kernel_heat_bath(const scenmc__kernel_base *b, const double *F, int i, double *prob);

/* Inversion of a cumulative distribution cum (last entry >= 1) through a
 * guide table of n_guide cells: the first j with cum[j] >= u. The cells are
 * much finer than the steps, so the search rarely takes a step (a
 * predictable branch). */
static inline int scenmc__guide_draw(const double *cum, const int *guide, int n_guide, double u)
{
    int j = guide[(int)(u * n_guide)];
    while (cum[j] < u)
        j++;
    return j;
}

/* Cell g starts the search at the answer for (g - 1/2) / n_guide: at or
 * below the answer for any u that lands in the cell, rounding of u * n_guide
 * included. */
void scenmc__guide_build(const double *cum, int *guide, int n_guide);

static inline int scenmc__consistency_bin(const scenmc__kernel_base *b, double K)
{
    /* floor(x) without a libm call; the width is a power of 2, so multiplying
     * by its inverse is exact. */
    double x = (K - b->bin_lo) * b->inv_bin_width + 0.5;
    return x < 1 ? 0 : (x >= b->n_bins ? b->n_bins - 1 : (int)x);
}

/* Total consistency of the state with these group rows, from the pair tables. */
static inline double scenmc__rows_consistency(const scenmc__kernel *k, const int *rw, const int G)
{
    if (G == 1)
        return k->K_in[rw[0]];
    double K = 0;
    for (int g = 0; g < G; g++)
        for (int h = g + 1; h < G; h++)
            K += k->K_pair[k->K_pair_base[g * G + h] + (ptrdiff_t)rw[g] * k->group_rows[h] + rw[h]];
    return K;
}

/* K(s) from the kernel's consistency matrix (overrides applied). */
double scenmc__kernel_total_consistency(const scenmc__kernel_base *b, const int *s);

#endif
