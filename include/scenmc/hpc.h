/* scenmc: beyond one machine (docs/hpc.md).
 *
 * Trajectory ranges and shards, checkpoint files, merging shard files and the
 * MPI glue. Everything rests on one property of scenmc_run: its counts are a
 * pure function of (model, params, trajectory range), and counts of disjoint
 * ranges add exactly. So MPI ranks, job-array shards and resumed runs only
 * choose ranges; the result is bit for bit that of one uninterrupted run.
 */
#ifndef SCENMC_HPC_H
#define SCENMC_HPC_H

#include "scenmc/scenmc.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- ranges */

/* A half-open range of trajectory indices [first, last). */
typedef struct scenmc_range {
    uint64_t first, last;
} scenmc_range;

/* The k-th (1-based) of M slices of [first, last): with n = last - first,
 * [first + floor(n (k-1) / M), first + floor(n k / M)), computed without
 * overflow. Slices are disjoint and cover [first, last) exactly. */
scenmc_range scenmc_slice(uint64_t first, uint64_t last, uint64_t k, uint64_t M);

/* Parses "K/M" (1 <= K <= M <= 1000000). */
scenmc_status scenmc_shard_parse(const char *s, int *k, int *M, scenmc_error *err);

/* Parses a duration: "90", "90s", "10m", "2h", "1d", "1:30" (m:s),
 * "1:30:00" (h:m:s) or "2-00:00:00" (SLURM's d-h:m:s). Seconds, > 0. */
scenmc_status scenmc_duration_parse(const char *s, double *seconds, scenmc_error *err);

/* Sorts ranges by first, drops empty ones and joins touching ones; returns
 * the new count. Returns (size_t)-1 when two ranges overlap. */
size_t scenmc_ranges_normalize(scenmc_range *r, size_t n);
/* Total number of trajectories in the ranges. */
uint64_t scenmc_ranges_count(const scenmc_range *r, size_t n);
/* [first, last) minus the (normalized) ranges done: out needs n + 1 slots. */
size_t scenmc_ranges_complement(const scenmc_range *done, size_t n, uint64_t first, uint64_t last,
                                scenmc_range *out);
/* The k-th (1-based) of M slices of the trajectories in the (normalized)
 * ranges, counted in order as if they were one list: out needs n slots. */
size_t scenmc_ranges_slice(const scenmc_range *r, size_t n, uint64_t k, uint64_t M, scenmc_range *out);

/* Runs every range in order (scenmc_run with first/last; opt's first and
 * last are ignored) and adds the counts into r, which it initialises. The
 * progress callback sees the trajectories done over all ranges. When the
 * callback stops the run, returns SCENMC_E_INTERRUPTED with r holding what
 * was done; either way done[] (n slots) receives the ranges completed and
 * *n_done their count. r->first and r->last span them; an empty list still
 * gives an initialised r with no trajectories. */
scenmc_status scenmc_run_ranges(const scenmc_model *m, const scenmc_params *p,
                                const scenmc_run_options *opt, const scenmc_range *ranges, size_t n,
                                scenmc_results *r, scenmc_range *done, size_t *n_done,
                                scenmc_error *err);

/* ---------------------------------------------------------------- checkpoints and shards */

/* What a results file says beyond scenmc_results (root attributes written by
 * scenmc_hpc_write, docs/hpc.md):
 *   checkpoint = 1, checkpoint_target_first, checkpoint_target_last (the range
 *   the interrupted run was to compute), checkpoint_next (the first trajectory
 *   of that range not done), checkpoint_output (where the finished results go,
 *   "" if nowhere), and the dataset /checkpoint/done [n, 2] (the ranges done);
 *   shard_index, shard_count (a run with --shard K/M). */
typedef struct scenmc_hpc_info {
    int checkpoint;             /* 1: a checkpoint, not finished results */
    uint64_t target_first, target_last;
    uint64_t next;
    size_t n_done;
    scenmc_range *done;         /* [n_done] malloc'd, normalized */
    char *output;               /* malloc'd, or NULL */
    int shard_index, shard_count; /* 0 when not a shard */
} scenmc_hpc_info;

/* Writes r like scenmc_output_write, adding info's attributes (info may be
 * NULL), atomically: a temporary file beside path gets everything, is
 * flushed to disk, then renamed over path. */
scenmc_status scenmc_hpc_write(const char *path, const scenmc_results *r,
                               const scenmc_write_options *opt, const scenmc_hpc_info *info,
                               scenmc_error *err);
/* Reads those attributes from a results file (zeros when absent). */
scenmc_status scenmc_hpc_info_read(const char *path, scenmc_hpc_info *info, scenmc_error *err);
void scenmc_hpc_info_free(scenmc_hpc_info *info);

/* Whether two parameter sets are the same, bit for bit; when not, a short
 * description of the first difference ("seed 1 here, 2 there") goes to why. */
int scenmc_params_same(const scenmc_params *a, const scenmc_params *b, char *why, size_t n);

/* ---------------------------------------------------------------- merge */

/* Reads the results files (scenmc_results_read_info with read_flags), checks
 * that they belong together (Monte Carlo, format version, model SHA-256,
 * parameters incl. seed and N, no checkpoints) and that their trajectory
 * ranges are disjoint and cover [0, N) exactly, and adds them: *out gets
 * exactly the tables of one run over [0, N). On a mismatch, SCENMC_E_INPUT
 * and messages naming the files. Free with scenmc_results_free(out), then
 * scenmc_model_free(*model). */
scenmc_status scenmc_merge_files(const char *const *paths, int n, unsigned read_flags,
                                 scenmc_model **model, scenmc_results *out, scenmc_error *err);

/* Sweep files written with --shard K/M carry the root attributes
 * sweep_point_first, sweep_point_last and sweep_n_points. This checks that
 * such files belong together (model, base parameters, swept parameters,
 * design, N) and cover the points [0, P) exactly, and writes one sweep file
 * with every point, tables bit for bit those of one sweep. */
scenmc_status scenmc_merge_sweep_files(const char *const *paths, int n, const char *out_path,
                                       const scenmc_write_options *opt, int *n_points,
                                       scenmc_error *err);
#ifdef __cplusplus
}
#endif
#endif
