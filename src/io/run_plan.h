/* The plan of a Monte Carlo run beyond one process (docs/hpc.md): where the
 * model and parameters come from (a MODEL or a checkpoint), which options
 * combine, which trajectories this process computes, and, after the run,
 * whether the work is complete or a checkpoint is due. Used by `scenmc run`
 * and `scenmc sweep`; nothing here prints. */
#ifndef SCENMC_IO_RUN_PLAN_H
#define SCENMC_IO_RUN_PLAN_H

#include "scenmc/hpc.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"
#include "scenmc/sweep.h"

/* What was asked for (the command line's strings; NULL when not given). */
typedef struct scenmc__run_request {
    const char *resume;   /* a checkpoint to continue */
    const char *out;      /* the results file */
    const char *ckpt;     /* the checkpoint file */
    const char *shard;    /* "K/M" */
    const char *max_time; /* a duration */
    int force;            /* overwrite the output (and a stale checkpoint) */
    long ensemble;        /* judgement-uncertainty members, 0: none */
    int sd_given;         /* the ensemble's noise was given */
    int rank, size;       /* this MPI process and their number (0, 1 without MPI) */
    int given;            /* conditioned on observations (--given, --observations) */
    int smc;              /* the particle filter (--smc) */
} scenmc__run_request;

typedef struct scenmc__run_plan {
    scenmc__run_request req;
    scenmc_model *m;         /* owned: the MODEL's, or the checkpoint's */
    scenmc_params p;         /* the defaults, then what the caller set */
    int have_p;
    int have_ck;             /* resuming: the checkpoint's counts and attributes */
    scenmc_results ck;
    scenmc_results_info ck_info;
    scenmc_hpc_info ck_hpc;
    int shard_k, shard_m;    /* 0, 0 when not a shard */
    double max_time;         /* seconds, 0 when none */
    const char *out, *ckpt;  /* where results and checkpoints go, or NULL */
    char *ckpt_buf;          /* owns ckpt when it is the output's name + .ckpt */
    char *out_abs;           /* out as an absolute name (recorded in checkpoints), or NULL */
    int stale_ckpt;          /* rank 0: an earlier, interrupted run left ckpt */
    int usage;               /* the last error was a bad combination of options */
    scenmc_range target;     /* the trajectories the whole run is to compute */
    scenmc_range *mine;      /* this process's share of what is left */
    size_t n_mine;
} scenmc__run_plan;

void scenmc__run_plan_init(scenmc__run_plan *pl, const scenmc__run_request *req);
/* The plan from a MODEL: takes m over, the parameters default to its. */
void scenmc__run_plan_from_model(scenmc__run_plan *pl, scenmc_model *m);
/* The plan from req.resume: its model, counts, ranges and parameters. */
scenmc_status scenmc__run_plan_from_checkpoint(scenmc__run_plan *pl, unsigned read_flags,
                                              scenmc_error *err);
/* Resuming with a MODEL given too: it must be the checkpoint's. */
scenmc_status scenmc__run_plan_same_model(scenmc__run_plan *pl, const scenmc_model *given,
                                         const char *given_path, scenmc_error *err);
/* Resuming: the observations to condition on are the checkpoint's. o
 * (*have: set from the command line) must then be the same, or is set to
 * them; a checkpoint without observations takes none. */
scenmc_status scenmc__run_plan_given(scenmc__run_plan *pl, scenmc_observations *o, int *have,
                                    scenmc_error *err);
/* Once the caller has set pl->p: checks the parameters, the options that
 * must agree, and (rank 0) the files, before any compute is spent. */
scenmc_status scenmc__run_plan_check(scenmc__run_plan *pl, scenmc_error *err);
/* The trajectories to compute (all, a shard, or what the checkpoint has not
 * done) and this process's share of them (pl->mine). */
void scenmc__run_plan_ranges(scenmc__run_plan *pl);

/* Rank 0 after the run: adds the checkpoint's counts to r and its ranges to
 * *all (every process's ranges done, malloc'd) and checks that they add up. */
scenmc_status scenmc__run_combine(scenmc__run_plan *pl, scenmc_results *r, scenmc_range **all,
                                 size_t *n_all, scenmc_error *err);
/* Whether the ranges done cover the target (an ensemble always does). */
int scenmc__run_complete(const scenmc__run_plan *pl, const scenmc_range *all, size_t n_all);
/* The checkpoint of an incomplete run: its attributes (info->done points
 * into all) and the span of r. */
void scenmc__run_checkpoint_info(const scenmc__run_plan *pl, scenmc_range *all, size_t n_all,
                                scenmc_results *r, scenmc_hpc_info *info);
/* A complete run: r spans the target; info holds the shard attributes. */
void scenmc__run_final_info(const scenmc__run_plan *pl, scenmc_results *r, scenmc_hpc_info *info);
/* Whether writing the results makes the checkpoint obsolete (to remove):
 * the one resumed, or a stale one of this run, and still a checkpoint. */
int scenmc__run_ckpt_superseded(const scenmc__run_plan *pl);
void scenmc__run_plan_free(scenmc__run_plan *pl);

/* The plan of a sweep: its points, the shard's share of them and this
 * process's share of every point's trajectories (common random numbers). */
typedef struct scenmc__sweep_plan {
    double *values;          /* [P][K], malloc'd */
    int P;
    int shard_k, shard_m;    /* 0, 0 when not a shard */
    int p_first, p_last;     /* the points this shard computes */
    scenmc_range mine;       /* this process's trajectories of each point */
    int usage;               /* the error was a bad combination of options */
} scenmc__sweep_plan;

/* The design (lhs_points 0: the grid) and the shard "K/M" (or NULL), every
 * point's parameters checked before any compute is spent. */
scenmc_status scenmc__sweep_plan_make(const scenmc_model *m, const scenmc_sweep_param *ps, int K,
                                     int lhs_points, const scenmc_params *base, const char *shard,
                                     int rank, int size, scenmc__sweep_plan *pl, scenmc_error *err);
void scenmc__sweep_plan_free(scenmc__sweep_plan *pl);

#endif
