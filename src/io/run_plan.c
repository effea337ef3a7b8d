/* The plan of a Monte Carlo run: from a MODEL or a checkpoint, checked before
 * any compute is spent; after the run, the combine with the checkpoint and the
 * decision between finished results and a new checkpoint (docs/hpc.md). */
#include "io/run_plan.h"
#include "base/atomic_file.h"
#include "base/util.h"
#include "model/params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

void scenmc__run_plan_init(scenmc__run_plan *pl, const scenmc__run_request *req)
{
    memset(pl, 0, sizeof *pl);
    pl->req = *req;
    if (pl->req.size < 1)
        pl->req.size = 1;
}

void scenmc__run_plan_from_model(scenmc__run_plan *pl, scenmc_model *m)
{
    pl->m = m;
    scenmc_params_init(&pl->p, m);
    pl->have_p = 1;
}

/* A usage problem: a combination of options that cannot work. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static scenmc_status usage(scenmc__run_plan *pl, scenmc_error *err, const char *fmt, ...)
{
    pl->usage = 1;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s", line);
}

scenmc_status scenmc__run_plan_from_checkpoint(scenmc__run_plan *pl, unsigned read_flags,
                                              scenmc_error *err)
{
    const char *path = pl->req.resume;
    scenmc_status st = scenmc_results_read_info(path, &pl->m, &pl->ck, &pl->ck_info, read_flags, err);
    if (st == SCENMC_OK) {
        pl->have_ck = 1;
        st = scenmc_hpc_info_read(path, &pl->ck_hpc, err);
    }
    if (st != SCENMC_OK)
        return st;
    if (!pl->ck_hpc.checkpoint)
        return usage(pl, err, "--resume %s: not a checkpoint (no 'checkpoint' attribute); it holds "
                     "finished results", path);
    if (pl->ck.method != SCENMC_MONTE_CARLO)
        return usage(pl, err, "--resume %s: not Monte Carlo results", path);
    /* Ranges and counts must agree now, not after the compute ("internal error"). */
    uint64_t in_ranges = scenmc_ranges_count(pl->ck_hpc.done, pl->ck_hpc.n_done);
    if (in_ranges != pl->ck.n_trajectories)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--resume %s: the checkpoint is damaged: its "
                                "ranges done hold %llu trajectories, its counts %llu", path,
                                (unsigned long long)in_ranges,
                                (unsigned long long)pl->ck.n_trajectories);
    scenmc_params_copy(&pl->p, &pl->ck.params);
    pl->have_p = 1;
    return SCENMC_OK;
}

/* The same evidence: observations in the same order, likelihoods bit for
 * bit, the same observed start (where each was given may differ). */
static int same_given(const scenmc_observations *a, const scenmc_observations *b)
{
    if (a->n != b->n || !a->start != !b->start ||
        (a->start && (a->n_start != b->n_start || memcmp(a->start, b->start, sizeof(int) * (size_t)a->n_start))))
        return 0;
    for (int i = 0; i < a->n; i++) {
        const scenmc_observation *x = &a->obs[i], *y = &b->obs[i];
        if (x->year != y->year || x->descriptor != y->descriptor || x->n_variants != y->n_variants ||
            memcmp(x->likelihood, y->likelihood, sizeof(double) * (size_t)x->n_variants))
            return 0;
    }
    return 1;
}

scenmc_status scenmc__run_plan_given(scenmc__run_plan *pl, scenmc_observations *o, int *have,
                                    scenmc_error *err)
{
    if (!pl->have_ck || (!pl->ck.conditioned && !*have))
        return SCENMC_OK;
    if (!pl->ck.conditioned)
        return usage(pl, err, "--resume %s: the checkpoint is not conditioned on observations; give no "
                     "--given or --observations", pl->req.resume);
    if (!pl->ck.given)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--resume %s: the checkpoint is conditioned but "
                                "lists no observations: damaged", pl->req.resume);
    if (*have && !same_given(o, pl->ck.given))
        return usage(pl, err, "--resume %s: the observations on the command line are not the "
                     "checkpoint's; give no --given or --observations to use the checkpoint's",
                     pl->req.resume);
    if (!*have)
        scenmc_observations_copy(o, pl->ck.given);
    *have = 1;
    pl->req.given = 1;
    return SCENMC_OK;
}

scenmc_status scenmc__run_plan_same_model(scenmc__run_plan *pl, const scenmc_model *given,
                                         const char *given_path, scenmc_error *err)
{
    char h1[65], h2[65];
    scenmc_model_sha256_hex(given, h1);
    scenmc_model_sha256_hex(pl->m, h2);
    if (!strcmp(h1, h2))
        return SCENMC_OK;
    pl->usage = 1;
    return scenmc_error_add(err, SCENMC_E_INPUT, "--resume %s: the checkpoint was run with another "
                            "model than %s (SHA-256 %.12s... there, %.12s... here); give no MODEL to "
                            "use the checkpoint's", pl->req.resume, given_path, h2, h1);
}

/* The parameters: valid, and the checkpoint's when resuming. */
static scenmc_status check_params(scenmc__run_plan *pl, scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(&pl->p, err); /* the engine refuses what it cannot do */
    char why[256];
    if (st == SCENMC_OK && pl->have_ck && !scenmc_params_same(&pl->p, &pl->ck.params, why, sizeof why))
        return usage(pl, err, "--resume %s: the command line does not agree with the checkpoint, "
                     "which was run with other parameters (the command line gives %s); give no "
                     "parameter options to use the checkpoint's", pl->req.resume, why);
    return st;
}

/* --shard, --max-time and --ensemble: parsed, and only where they combine. */
static scenmc_status check_split(scenmc__run_plan *pl, scenmc_error *err)
{
    const scenmc__run_request *q = &pl->req;
    unsigned long long n = pl->p.n_trajectories;
    if (q->shard && scenmc_shard_parse(q->shard, &pl->shard_k, &pl->shard_m, err) != SCENMC_OK)
        return err->code;
    if (q->max_time && scenmc_duration_parse(q->max_time, &pl->max_time, err) != SCENMC_OK)
        return err->code;
    if (q->sd_given && !q->ensemble)
        return usage(pl, err, "--judgement-sd needs --ensemble M");
    if (q->ensemble > 0 && (uint64_t)q->ensemble > n)
        return usage(pl, err, "--ensemble %ld: more members than trajectories (%llu)", q->ensemble, n);
    if (q->ensemble && (q->shard || q->resume || q->ckpt || q->max_time || q->size > 1))
        return usage(pl, err, "--ensemble runs in one process, to the end: it does not combine with "
                     "--shard, --resume, --checkpoint, --max-time or MPI");
    /* The particle filter runs in one process, to the end. */
    if (q->smc && !q->given)
        return usage(pl, err, "--smc filters on observations: give --given or --observations");
    if (q->smc && (q->ensemble || q->size > 1 || q->shard || q->resume || q->ckpt || q->max_time))
        return usage(pl, err, "--smc runs in one process, to the end: it does not combine with "
                     "--ensemble, MPI, --shard, --resume, --checkpoint or --max-time");
    if (q->resume && q->shard)
        return usage(pl, err, "--resume takes the trajectory range from the checkpoint; give no "
                     "--shard");
    if (pl->shard_m && (uint64_t)pl->shard_m > n)
        return usage(pl, err, "--shard %s: more shards than trajectories (%llu)", q->shard, n);
    return SCENMC_OK;
}

/* Whether path is a regular file holding a scenmc checkpoint and (any_output
 * 0) one of this run: it records the same output (both none, or the same
 * name, as given or absolute). */
static int our_checkpoint(const scenmc__run_plan *pl, const char *path, int any_output)
{
    scenmc_hpc_info info;
    scenmc_error e;
    scenmc_error_clear(&e);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        scenmc_hpc_info_read(path, &info, &e) != SCENMC_OK)
        return 0;
    const char *rec = info.output;
    int same = rec ? pl->out && (!strcmp(rec, pl->out) || (pl->out_abs && !strcmp(rec, pl->out_abs)))
                   : !pl->out;
    int ours = info.checkpoint && (any_output || same);
    scenmc_hpc_info_free(&info);
    return ours;
}

/* The output's absolute name, recorded in checkpoints so that --resume
 * without -o writes where the interrupted run would have, from any folder. */
static char *absolute(const char *path)
{
    if (path[0] == '/')
        return scenmc__strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    char *abs = scenmc__xmalloc(strlen(cwd) + strlen(path) + 2);
    sprintf(abs, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
    return abs;
}

/* The output: -o, else (resuming) the checkpoint's, when it is absolute. */
static scenmc_status choose_output(scenmc__run_plan *pl, scenmc_error *err)
{
    const scenmc__run_request *q = &pl->req;
    pl->out = q->out;
    const char *rec = pl->have_ck ? pl->ck_hpc.output : NULL;
    if (!pl->out && rec && rec[0] != '/')
        return usage(pl, err, "--resume %s: the checkpoint's output '%s' is relative to the folder "
                     "the interrupted run started in; give -o FILE", q->resume, rec);
    if (!pl->out)
        pl->out = rec;
    if (pl->out && scenmc__path_check_name(pl->out, err) != SCENMC_OK)
        return err->code;
    if (pl->out)
        pl->out_abs = absolute(pl->out);
    return SCENMC_OK;
}

/* An existing checkpoint file that is not the one resumed: replaced (and
 * removed once the results are written) only when it is a checkpoint of
 * this run and --force was given. */
static scenmc_status check_stale(scenmc__run_plan *pl, scenmc_error *err)
{
    const scenmc__run_request *q = &pl->req;
    struct stat st;
    if (lstat(pl->ckpt, &st) != 0 || (q->resume && scenmc__same_file(pl->ckpt, q->resume)))
        return SCENMC_OK;
    if (!our_checkpoint(pl, pl->ckpt, 0))
        return usage(pl, err, "%s exists and is not a checkpoint of this run; scenmc does not "
                     "overwrite or remove it, with or without --force (give another --checkpoint)",
                     pl->ckpt);
    if (!q->force)
        return usage(pl, err, "%s exists: an earlier run was interrupted there. Continue it with "
                     "'scenmc run --resume %s', or pass --force to start afresh", pl->ckpt,
                     pl->ckpt);
    pl->stale_ckpt = 1;
    return SCENMC_OK;
}

/* Where the results and the checkpoint go, and whether they can be written. */
static scenmc_status check_files(scenmc__run_plan *pl, scenmc_error *err)
{
    const scenmc__run_request *q = &pl->req;
    if (choose_output(pl, err) != SCENMC_OK)
        return err->code;
    pl->ckpt = q->ckpt ? q->ckpt : q->resume;
    if (!pl->ckpt && pl->out && !q->ensemble && !q->smc) {
        pl->ckpt_buf = scenmc__xmalloc(strlen(pl->out) + 8);
        sprintf(pl->ckpt_buf, "%s.ckpt", pl->out);
        pl->ckpt = pl->ckpt_buf;
    }
    if (q->max_time && !pl->ckpt)
        return usage(pl, err, "--max-time needs a place for the checkpoint: give -o FILE.h5 "
                     "(checkpoint FILE.h5.ckpt) or --checkpoint FILE");
    if (pl->ckpt && scenmc__path_check_name(pl->ckpt, err) != SCENMC_OK)
        return usage(pl, err, "the checkpoint's name %s does not fit; give a shorter -o or "
                     "--checkpoint", q->ckpt ? "(--checkpoint)" : "(-o FILE + .ckpt)");
    if (pl->out && pl->ckpt && scenmc__same_file(pl->out, pl->ckpt))
        return usage(pl, err, "the checkpoint and the output are both %s; expected two files",
                     pl->out);
    if (q->rank != 0)
        return SCENMC_OK;
    /* Refuse unwritable or existing files before spending the compute (rank 0 writes). */
    if (pl->out && scenmc_output_check(pl->out, q->force, err) != SCENMC_OK)
        return err->code;
    if (pl->ckpt && check_stale(pl, err) != SCENMC_OK)
        return err->code;
    if (pl->ckpt && (!q->resume || !scenmc__same_file(pl->ckpt, q->resume)) &&
        scenmc_output_check(pl->ckpt, 1, err) != SCENMC_OK)
        return err->code;
    return SCENMC_OK;
}

scenmc_status scenmc__run_plan_check(scenmc__run_plan *pl, scenmc_error *err)
{
    pl->usage = 0;
    scenmc_status st = check_params(pl, err);
    if (st == SCENMC_OK)
        st = check_split(pl, err);
    if (st == SCENMC_OK)
        st = check_files(pl, err);
    return st;
}

void scenmc__run_plan_ranges(scenmc__run_plan *pl)
{
    scenmc_range target = {0, pl->p.n_trajectories};
    if (pl->shard_m)
        target = scenmc_slice(0, pl->p.n_trajectories, (uint64_t)pl->shard_k, (uint64_t)pl->shard_m);
    if (pl->have_ck) {
        target.first = pl->ck_hpc.target_first;
        target.last = pl->ck_hpc.target_last;
        pl->shard_k = pl->ck_hpc.shard_index;
        pl->shard_m = pl->ck_hpc.shard_count;
    }
    pl->target = target;
    scenmc_range *todo = scenmc__xcalloc(pl->ck_hpc.n_done + 2, sizeof(scenmc_range));
    size_t n_todo = scenmc_ranges_complement(pl->ck_hpc.done, pl->ck_hpc.n_done, target.first,
                                             target.last, todo);
    pl->mine = scenmc__xcalloc(n_todo + 1, sizeof(scenmc_range));
    pl->n_mine = scenmc_ranges_slice(todo, n_todo, (uint64_t)pl->req.rank + 1, (uint64_t)pl->req.size,
                                     pl->mine);
    free(todo);
}

scenmc_status scenmc__run_combine(scenmc__run_plan *pl, scenmc_results *r, scenmc_range **all,
                                 size_t *n_all, scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    if (pl->have_ck) {
        size_t n = *n_all + pl->ck_hpc.n_done;
        *all = scenmc__xrealloc(*all, (n + 1) * sizeof(scenmc_range));
        memcpy(*all + *n_all, pl->ck_hpc.done, pl->ck_hpc.n_done * sizeof(scenmc_range));
        *n_all = n;
        double wall = r->wall_seconds + pl->ck.wall_seconds;
        int threads = r->threads;
        if (pl->ck.n_trajectories)
            st = scenmc_results_add(r, &pl->ck, err);
        r->wall_seconds = wall;
        r->threads = threads;
    }
    if (pl->req.ensemble)
        return st;
    *n_all = scenmc_ranges_normalize(*all, *n_all);
    if (st == SCENMC_OK &&
        (*n_all == (size_t)-1 || scenmc_ranges_count(*all, *n_all) != r->n_trajectories))
        st = scenmc_error_add(err, SCENMC_E_IO, "internal error: the trajectory ranges done do not "
                              "add up; nothing written");
    return st;
}

int scenmc__run_complete(const scenmc__run_plan *pl, const scenmc_range *all, size_t n_all)
{
    const scenmc_range *t = &pl->target;
    return pl->req.ensemble || (n_all == 1 && all[0].first == t->first && all[0].last == t->last) ||
           t->first == t->last;
}

void scenmc__run_checkpoint_info(const scenmc__run_plan *pl, scenmc_range *all, size_t n_all,
                                scenmc_results *r, scenmc_hpc_info *info)
{
    const scenmc_range *t = &pl->target;
    memset(info, 0, sizeof *info);
    info->checkpoint = 1;
    info->target_first = t->first;
    info->target_last = t->last;
    info->next = n_all && all[0].first == t->first ? all[0].last : t->first;
    info->n_done = n_all;
    info->done = all;
    info->output = (char *)(pl->out_abs ? pl->out_abs : pl->out);
    info->shard_index = pl->shard_k;
    info->shard_count = pl->shard_m;
    r->first = n_all ? all[0].first : t->first;
    r->last = n_all ? all[n_all - 1].last : t->first;
}

void scenmc__run_final_info(const scenmc__run_plan *pl, scenmc_results *r, scenmc_hpc_info *info)
{
    if (!pl->req.ensemble) {
        r->first = pl->target.first;
        r->last = pl->target.last;
    }
    memset(info, 0, sizeof *info);
    info->shard_index = pl->shard_k;
    info->shard_count = pl->shard_m;
}

int scenmc__run_ckpt_superseded(const scenmc__run_plan *pl)
{
    /* Checked again now: only a checkpoint is ever removed. */
    const char *r = pl->req.resume;
    if (r && scenmc__same_file(pl->ckpt, r))
        return our_checkpoint(pl, pl->ckpt, 1);
    return pl->stale_ckpt && our_checkpoint(pl, pl->ckpt, 0);
}

void scenmc__run_plan_free(scenmc__run_plan *pl)
{
    free(pl->mine);
    free(pl->ckpt_buf);
    free(pl->out_abs);
    if (pl->have_ck)
        scenmc_results_free(&pl->ck);
    scenmc_results_info_free(&pl->ck_info);
    scenmc_hpc_info_free(&pl->ck_hpc);
    if (pl->have_p)
        scenmc_params_free(&pl->p);
    scenmc_model_free(pl->m);
    memset(pl, 0, sizeof *pl);
}

/* Every point's parameters valid, so that a late point cannot fail after hours. */
static scenmc_status check_points(const scenmc_model *m, const scenmc_sweep_param *ps, int K,
                                  const scenmc_params *base, const scenmc__sweep_plan *pl,
                                  scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < pl->P && st == SCENMC_OK; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, base);
        st = scenmc_sweep_apply(m, ps, K, pl->values + (size_t)i * (size_t)K, &p, err);
        if (st == SCENMC_OK)
            st = scenmc__params_check_scheduled(&p, err);
        scenmc_params_free(&p);
    }
    return st;
}

scenmc_status scenmc__sweep_plan_make(const scenmc_model *m, const scenmc_sweep_param *ps, int K,
                                     int lhs_points, const scenmc_params *base, const char *shard,
                                     int rank, int size, scenmc__sweep_plan *pl, scenmc_error *err)
{
    memset(pl, 0, sizeof *pl);
    if (shard && scenmc_shard_parse(shard, &pl->shard_k, &pl->shard_m, err) != SCENMC_OK)
        return err->code;
    scenmc_status st = scenmc_sweep_design(ps, K, lhs_points, base->seed, &pl->values, &pl->P, err);
    if (st != SCENMC_OK)
        return st;
    if (pl->shard_m > pl->P) {
        pl->usage = 1;
        return scenmc_error_add(err, SCENMC_E_INPUT, "--shard %s: more shards than points (%d)", shard,
                                pl->P);
    }
    st = check_points(m, ps, K, base, pl, err);
    if (st != SCENMC_OK)
        return st;
    /* A shard computes the points [p_first, p_last); MPI ranks split each point's trajectories. */
    pl->p_first = 0;
    pl->p_last = pl->P;
    if (pl->shard_m) {
        scenmc_range sl = scenmc_slice(0, (uint64_t)pl->P, (uint64_t)pl->shard_k, (uint64_t)pl->shard_m);
        pl->p_first = (int)sl.first;
        pl->p_last = (int)sl.last;
    }
    pl->mine = scenmc_slice(0, base->n_trajectories, (uint64_t)rank + 1, (uint64_t)(size > 0 ? size : 1));
    return SCENMC_OK;
}

void scenmc__sweep_plan_free(scenmc__sweep_plan *pl)
{
    free(pl->values);
    memset(pl, 0, sizeof *pl);
}
