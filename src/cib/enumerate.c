/* Enumeration of the states with IC <= K: the tasks of the walk run in
 * parallel, each keeping its states in index order under a shared budget of
 * max_stored; the lists are then joined in task order (enumerate.h). */
#include "cib/enumerate.h"
#include "cib/walk.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef scenmc__cib_walker walker;

void scenmc_cib_options_init(scenmc_cib_options *o)
{
    memset(o, 0, sizeof *o);
    o->use_cross = SCENMC_CIB_AUTO;
    o->max_ic = 0;
    o->method = SCENMC_CIB_PRUNE;
    o->threads = 0;
    o->max_stored = 1000000;
}

void scenmc_cib_list_free(scenmc_cib_list *l)
{
    if (!l)
        return;
    free(l->index);
    free(l->ic);
    l->index = NULL;
    l->ic = NULL;
    l->n_stored = 0;
}

typedef struct {
    uint64_t found, n_st;
    uint64_t *idx;
    double *ic;
} task_out;

/* One enumeration: its space, bounds and tasks. */
typedef struct {
    const scenmc_cib_options *o;
    scenmc__cib_space sp;
    int mode;
    scenmc__cib_bounds bounds;
    int p;             /* tasks are the prefixes of the first p descriptors */
    uint64_t n_tasks;
    task_out *tasks;   /* [n_tasks] */
    uint64_t visited;
    uint64_t hist[SCENMC_CIB_HIST_BINS];
} job;

static scenmc_status check_options(const scenmc_cib_options *o, scenmc_error *err)
{
    if (!(o->max_ic >= 0) || !isfinite(o->max_ic))
        return scenmc_error_add(err, SCENMC_E_INPUT, "maximum inconsistency %g; expected a "
                                "finite number >= 0", o->max_ic);
    if (o->method != SCENMC_CIB_PRUNE && o->method != SCENMC_CIB_SWEEP)
        return scenmc_error_add(err, SCENMC_E_INPUT, "enumeration method %d; expected prune (0) "
                                "or sweep (1)", o->method);
    return SCENMC_OK;
}

static void job_free(job *j)
{
    for (uint64_t t = 0; j->tasks && t < j->n_tasks; t++) {
        free(j->tasks[t].idx);
        free(j->tasks[t].ic);
    }
    free(j->tasks);
    scenmc__cib_bounds_free(&j->bounds);
    scenmc__cib_space_free(&j->sp);
}

/* The space, the pruning bounds and the task list. */
static scenmc_status job_init(job *j, const scenmc_model *m, const scenmc_cib_options *o,
                              int nt, scenmc_error *err)
{
    memset(j, 0, sizeof *j);
    j->o = o;
    scenmc_status st = scenmc__cib_space_init(&j->sp, m, o->use_cross, err);
    if (st != SCENMC_OK)
        return st;
    j->mode = o->method == SCENMC_CIB_SWEEP ? SCENMC_CIB_LEAF_SWEEP : SCENMC_CIB_LEAF_PRUNE;
    if (j->mode == SCENMC_CIB_LEAF_PRUNE && !scenmc__cib_bounds_build(&j->bounds, &j->sp)) {
        job_free(j);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the pruning bounds");
    }
    j->p = scenmc__cib_split_depth(&j->sp, 256 * (uint64_t)nt, &j->n_tasks);
    j->tasks = calloc(j->n_tasks, sizeof *j->tasks);
    if (!j->tasks) {
        job_free(j);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for %llu tasks",
                                (unsigned long long)j->n_tasks);
    }
    return SCENMC_OK;
}

/* Runs task t with w and moves its list into the job. */
static void run_one(job *j, walker *w, uint64_t t)
{
    w->found = 0;
    w->n_st = w->cap_st = 0;
    w->idx = NULL;
    w->ic = NULL;
    scenmc__cib_run_task(w, j->p, t);
    j->tasks[t].found = w->found;
    j->tasks[t].n_st = w->n_st;
    j->tasks[t].idx = w->idx;
    j->tasks[t].ic = w->ic;
    w->idx = NULL;
    w->ic = NULL;
}

/* Every task, in parallel; 0 when out of memory. */
static int search(job *j, int nt)
{
    const scenmc_cib_options *o = j->o;
    uint64_t used = 0, visited = 0;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(+ : visited)
    {
        walker w;
        int ok = scenmc__cib_walker_init(&w, &j->sp, j->mode, &j->bounds, o->max_ic + SCENMC_CIB_TOL);
        w.store = o->max_stored > 0;
        w.budget_used = &used;
        w.budget = o->max_stored;
        if (!ok)
            scenmc__cib_fail(&failed);
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < j->n_tasks; t++) {
            if (!ok)
                continue;
            run_one(j, &w, t);
            if (w.nomem)
                scenmc__cib_fail(&failed);
        }
        visited += w.visited;
#pragma omp critical(scenmc_cib_hist)
        for (int k = 0; k < SCENMC_CIB_HIST_BINS; k++)
            j->hist[k] += w.hist[k];
        scenmc__cib_walker_free(&w);
    }
    j->visited = visited;
    return !failed;
}

/* The first `want` states by index into out: whole tasks in order,
 * re-running a task whose list the shared budget cut short. 0 when out of
 * memory. */
static int collect(job *j, uint64_t want, scenmc_cib_list *out)
{
    out->index = malloc(want * sizeof *out->index);
    out->ic = malloc(want * sizeof *out->ic);
    if (!out->index || !out->ic)
        return 0;
    uint64_t need = want;
    walker rw;
    int have_rw = 0, ok = 1;
    for (uint64_t t = 0; t < j->n_tasks && need && ok; t++) {
        uint64_t take = j->tasks[t].found < need ? j->tasks[t].found : need;
        if (!take)
            continue;
        const uint64_t *ix = j->tasks[t].idx;
        const double *ic = j->tasks[t].ic;
        if (j->tasks[t].n_st < take) {
            if (!have_rw) {
                have_rw = 1;
                if (!scenmc__cib_walker_init(&rw, &j->sp, j->mode, &j->bounds,
                                            j->o->max_ic + SCENMC_CIB_TOL)) {
                    ok = 0;
                    break;
                }
                rw.store = 1;
            }
            rw.found = rw.n_st = 0;
            rw.halt = 0;
            rw.stop_after = take;
            scenmc__cib_run_task(&rw, j->p, t);
            if (rw.nomem || rw.n_st < take) {
                ok = 0;
                break;
            }
            ix = rw.idx;
            ic = rw.ic;
        }
        memcpy(out->index + out->n_stored, ix, take * sizeof *ix);
        memcpy(out->ic + out->n_stored, ic, take * sizeof *ic);
        out->n_stored += take;
        need -= take;
    }
    if (have_rw)
        scenmc__cib_walker_free(&rw);
    return ok;
}

scenmc_status scenmc_cib_enumerate(const scenmc_model *m, const scenmc_cib_options *o,
                                   scenmc_cib_list *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc__now();
    scenmc_status st = check_options(o, err);
    if (st != SCENMC_OK)
        return st;
    int nt = scenmc__cib_thread_count(o->threads);
    job j;
    st = job_init(&j, m, o, nt, err);
    if (st != SCENMC_OK)
        return st;
    int ok = search(&j, nt);
    uint64_t found = 0;
    for (uint64_t t = 0; t < j.n_tasks; t++)
        found += j.tasks[t].found;
    uint64_t want = found < o->max_stored ? found : o->max_stored;
    if (ok && want)
        ok = collect(&j, want, out);
    out->n_states = j.sp.n_states;
    out->n_found = found;
    out->n_visited = j.visited;
    out->uses_cross = j.sp.uses_cross;
    out->have_hist = j.mode == SCENMC_CIB_LEAF_SWEEP;
    memcpy(out->ic_hist, j.hist, sizeof j.hist);
    job_free(&j);
    if (!ok) {
        scenmc_cib_list_free(out);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory while listing the states "
                                "found; expected fewer (lower the number of states kept)");
    }
    out->seconds = scenmc__now() - t0;
    return SCENMC_OK;
}
