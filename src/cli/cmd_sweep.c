/* scenmc sweep: the engine over a design of parameter points. */
#include "cli.h"
#include "hpc_cli.h"
#include "scenmc/reader.h"
#include "scenmc/sweep.h"
#include "summary.h"
#include "cli/sched_cli.h"
#include "model/params.h"
#include "scenmc/schedule.h"
#include "base/util.h"
#include "io/checkpoint.h"
#include "io/mpi.h"
#include "io/run_plan.h"
#include "io/sweep_journal.h"
#include "base/atomic_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sweep_head[] =
    "usage: scenmc sweep [MODEL] --param NAME=SPEC [--param ...] [options]\n\n"
    "Runs the engine at every point of a parameter design and writes one HDF5\n"
    "file: every table of 'scenmc run' with a leading 'point' dimension, plus\n"
    "/sweep/param_name and /sweep/value (docs/file-format.md). Every point uses\n"
    "the same seed (common random numbers): trajectory k draws the same random\n"
    "numbers at every point, so differences between points are far less noisy\n"
    "than independent runs, and a point equals a standalone 'scenmc run' with\n"
    "those parameters.\n\n"
    "NAME: beta | rate (every descriptor) | rate.ID | w-consistency | w-cross |\n"
    "      initial.ID=VARIANT (its start probability; the others keep their\n"
    "      proportions) | cell:ID=VARIANT,ID=VARIANT (a consistency score; both\n"
    "      symmetric entries) | cross:ID=VARIANT,ID=VARIANT (a cross impact, from\n"
    "      the first to the second) | trend.K.scale (every value of the K-th\n"
    "      trend or push times x) | intervene.K.year (the first year of the K-th\n"
    "      intervention) | shock.K.hazard (the K-th shock's hazard per year);\n"
    "      K counts from 1 within each kind (trends and pushes together;\n"
    "      interventions; shocks), the model file's first, then the command\n"
    "      line's in the order given (docs/interventions.md)\n"
    "SPEC: START:STOP:STEP | lin:START:STOP:COUNT | a,b,c\n"
    "Several --param make a full factorial grid (the last one fastest).\n\n"
    "options:\n";
enum { K_PARAM = CLI_KEY_FIRST, K_DESIGN, K_SHARD, K_PROGRESS, K_NO_PROGRESS };
static const cli_option sweep_options[] = {
    {"param", K_PARAM, 1, "  --param NAME=SPEC      a swept parameter (repeatable)\n"},
    {"design", K_DESIGN, 1,
     "  --design lhs:K         K Latin-hypercube points over the parameters' ranges\n"
     "                         instead of the grid\n"},
    CLI_PARAMS,
    CLI_SCHEDULE_OPTIONS,
    CLI_OUTPUT_OPTION("the sweep file (atomically)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (per MPI rank; default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0,
     "  -q, --quiet            no table and no notes; no progress unless --progress\n"},
    {"progress", K_PROGRESS, 0,
     "  --progress             progress on standard error even with --quiet (a bar on a\n"
     "                         terminal, else a line about every 10 s; the default\n"
     "                         without --quiet)\n"},
    {"no-progress", K_NO_PROGRESS, 0, "  --no-progress          no progress, table as usual\n"},
    CLI_HELP_OPTION,
    CLI_HELP("\nbeyond one machine (docs/hpc.md):\n"),
    {"shard", K_SHARD, 1,
     "  --shard K/M            only the K-th of M slices of the points [P(K-1)/M, PK/M);\n"
     "                         'scenmc merge' joins the M sweep files into one equal to the\n"
     "                         whole sweep, bit for bit\n"},
    CLI_END,
};
static const char sweep_foot[] =
    "  Under mpirun/srun every point's trajectories are split over the ranks, rank 0\n"
    "  adds the counts exactly and writes the file.\n"
    "  With -o OUT every point is saved in the folder OUT.points as it finishes; the\n"
    "  file is assembled from them at the end and the folder removed. A sweep that\n"
    "  failed or was stopped (a signal: exit 3) is resumed by the same command: it\n"
    "  computes only the missing points.\n";
static const cli_command sweep_command = {"sweep", sweep_head, sweep_foot, sweep_options};

/* A sweep from the command line. */
typedef struct sweep_cmd {
    scenmc_model *m;
    scenmc_params base;
    const char *out, *start, *design, *shard;
    int force, quiet, progress, no_progress;
    long threads, lhs;
    scenmc_sweep_param *ps;
    int K;
    scenmc__sweep_plan plan;
    int S, final_year;
    double *final_prob; /* [P][S] */
    int argc;
    char **argv;
    char *cl;                 /* the command line, recorded in the files */
    scenmc__sweep_journal j;  /* rank 0 with -o: the points saved so far */
    unsigned char *fresh;     /* [P]: computed by this process (rank 0) */
    int computed;             /* points computed by this process */
    long fail_after;          /* SCENMC_TEST_FAIL_AFTER_POINTS, or -1 */
    hpc_stopper stop;
} sweep_cmd;

/* One option into sc; 0, or EXIT_USAGE after saying why. */
static int sweep_option(const cli_arg *o, sweep_cmd *sc)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    int k = cli_param_apply("sweep", o, &sc->base, &sc->start);
    if (k)
        return k < 0 ? EXIT_USAGE : 0;
    switch (o->key) {
    case K_PARAM:
        if (scenmc_sweep_param_parse(sc->m, o->value, &sc->ps[sc->K], &err) != SCENMC_OK) {
            cli_print_error("sweep", &err);
            return EXIT_USAGE;
        }
        sc->K++;
        return 0;
    case K_DESIGN: sc->design = o->value; return 0;
    case K_SHARD: sc->shard = o->value; return 0;
    case CLI_K_OUTPUT: sc->out = o->value; return 0;
    case CLI_K_THREADS:
        return cli_parse_int("sweep", "--threads", o->value, 1, 4096, &sc->threads) ? 0 : EXIT_USAGE;
    case CLI_K_FORCE: sc->force = 1; return 0;
    case CLI_K_QUIET: sc->quiet = 1; return 0;
    case K_PROGRESS: sc->progress = 1; sc->no_progress = 0; return 0;
    case K_NO_PROGRESS: sc->no_progress = 1; sc->progress = 0; return 0;
    }
    return 0;
}

/* --design: grid (lhs 0) or lhs:K. */
static int sweep_design(sweep_cmd *sc)
{
    const char *d = sc->design;
    sc->lhs = 0;
    if (!d || !strcmp(d, "grid"))
        return 0;
    if (strncmp(d, "lhs:", 4))
        return cli_usage_error("sweep", "--design '%s': expected grid or lhs:K", d);
    return cli_parse_int("sweep", "--design lhs:K", d + 4, 1, 1000000, &sc->lhs) ? 0 : EXIT_USAGE;
}

/* Plan: the options, the base parameters, the points; checked before the compute. */
static int sweep_plan(const cli_args *a, sweep_cmd *sc, const hpc_proc *h)
{
    int rc = 0;
    sc->ps = scenmc__xcalloc((size_t)a->n_opts + 1, sizeof *sc->ps);
    for (int k = 0; k < a->n_opts && !rc; k++)
        rc = sweep_option(&a->opts[k], sc);
    if (!rc)
        rc = sweep_design(sc);
    if (!rc && sc->K == 0)
        rc = cli_usage_error("sweep", "no --param given; expected at least one NAME=SPEC");
    if (!rc)
        rc = cli_schedule("sweep", a, sc->m, &sc->base);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ((sc->start && scenmc_params_parse_start(&sc->base, sc->m, sc->start, &err) != SCENMC_OK) ||
                scenmc__params_check_scheduled(&sc->base, &err) != SCENMC_OK ||
                (sc->out && h->rank == 0 && scenmc_output_check(sc->out, sc->force, &err) != SCENMC_OK))) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && scenmc__sweep_plan_make(sc->m, sc->ps, sc->K, (int)sc->lhs, &sc->base, sc->shard, h->rank,
                                      h->size, &sc->plan, &err) != SCENMC_OK) {
        if (sc->plan.usage)
            cli_usage_error("sweep", "%s", err.msg);
        else
            cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    return rc;
}

/* The text that says which sweep a folder of points belongs to: everything a
 * point's counts depend on (model, base parameters, seed, N, the points'
 * values) and the slice of points, one item a line. */
static char *sweep_design_text(const sweep_cmd *sc)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    char sha[65];
    scenmc_model_sha256_hex(sc->m, sha);
    uint64_t values = hpc_hash_bytes(UINT64_C(14695981039346656037), pl->values,
                                     (size_t)pl->P * (size_t)sc->K * sizeof(double));
    const scenmc_schedule *sch = sc->base.schedule;
    size_t n = 600;
    for (int j = 0; j < sc->K; j++)
        n += strlen(sc->ps[j].name) + 8;
    for (int i = 0; sch && i < sch->n; i++)
        n += (sch->ch[i].where ? strlen(sch->ch[i].where) : 0) + 40;
    char *t = scenmc__xmalloc(n);
    int at = snprintf(t, n, "scenmc sweep points 1\nmodel %s\n", sha);
    /* The changes in words before the hash that covers them, so that a folder
     * of another schedule is refused naming the change (none: older folders). */
    for (int i = 0; sch && i < sch->n; i++) {
        const scenmc_change *c = &sch->ch[i];
        at += snprintf(t + at, n - (size_t)at, "change %s\n", c->where ? c->where : scenmc_change_kind_names[c->kind]);
    }
    at += snprintf(t + at, n - (size_t)at, "parameters %016llx\nseed %llu\ntrajectories %llu\ndesign %s\n"
                   "points %d\nslice %d to %d\n", (unsigned long long)hpc_params_hash(&sc->base),
                   (unsigned long long)sc->base.seed, (unsigned long long)sc->base.n_trajectories,
                   sc->design ? sc->design : "grid", pl->P, pl->p_first, pl->p_last);
    for (int j = 0; j < sc->K; j++)
        at += snprintf(t + at, n - (size_t)at, "param %s\n", sc->ps[j].name);
    snprintf(t + at, n - (size_t)at, "values %016llx\n", (unsigned long long)values);
    return t; /* the schedule is in the parameters' hash */
}

/* Rank 0 with -o: the folder of saved points, opened or created before any
 * computing; the signal handlers on every rank (a signal stops the sweep
 * between points, keeping the folder). */
static int sweep_journal_begin(sweep_cmd *sc, const hpc_proc *h)
{
    if (!sc->out)
        return 0;
    hpc_signals_install();
    if (h->rank != 0)
        return 0;
    const scenmc__sweep_plan *pl = &sc->plan;
    char *design = sweep_design_text(sc);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc__sweep_journal_open(&sc->j, sc->out, design, &err);
    free(design);
    if (st != SCENMC_OK) {
        cli_print_error("sweep", &err);
        return cli_exit_code(st);
    }
    sc->fresh = scenmc__xcalloc((size_t)pl->P, 1);
    return 0;
}

/* Rank 0, once every rank has its handlers (after a collective): where the
 * points go, so that a signal sent after the message finds every rank ready. */
static void sweep_journal_say(const sweep_cmd *sc, const hpc_proc *h)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    if (!sc->out || sc->quiet || h->rank != 0)
        return;
    if (sc->j.resumed)
        fprintf(stderr, "scenmc sweep: resuming: %d of %d points already saved in %s\n",
                scenmc__sweep_journal_count(&sc->j, pl->p_first, pl->p_last), pl->p_last - pl->p_first,
                sc->j.dir);
    fprintf(stderr, "scenmc sweep: points are saved in %s as they finish; a signal (INT, TERM, HUP, "
            "USR1) stops the sweep, the same command resumes it\n", sc->j.dir);
}

/* Rank 0: the final-year scenario probabilities of point i, for the table. */
static void sweep_record(sweep_cmd *sc, int i, const scenmc_results *r)
{
    if (!sc->final_prob) {
        sc->S = r->n_scenarios;
        sc->final_year = r->n_years - 1;
        sc->final_prob = scenmc__xcalloc((size_t)sc->plan.P * (size_t)(sc->S ? sc->S : 1), sizeof(double));
    }
    int S = sc->S;
    for (int s = 0; s < S; s++)
        sc->final_prob[(size_t)i * (size_t)S + (size_t)s] =
            r->t[SCENMC_T_SCENARIO].prob[(size_t)sc->final_year * (size_t)S + (size_t)s];
}

/* Test hook SCENMC_TEST_FAIL_AFTER_POINTS=K: the point after K computed ones
 * fails the way running out of memory does (scenmc__xmalloc: exit 1 at once). */
static void sweep_test_fail(sweep_cmd *sc)
{
    if (sc->fail_after >= 0 && sc->computed >= sc->fail_after) {
        fprintf(stderr, "scenmc: out of memory (SCENMC_TEST_FAIL_AFTER_POINTS=%ld)\n", sc->fail_after);
        exit(1);
    }
}

/* One point on every rank; rank 0 gets the counts added. A signal during it
 * drops it: EXIT_INTERRUPTED on every rank. */
static int sweep_point(sweep_cmd *sc, int i, hpc_proc *h, scenmc_results *r)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    sweep_test_fail(sc);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_params p;
    scenmc_params_copy(&p, &sc->base);
    scenmc_sweep_apply(sc->m, sc->ps, sc->K, pl->values + (size_t)i * (size_t)sc->K, &p, &err);
    scenmc_run_options opt = {.threads = (int)sc->threads};
    if (sc->out) {
        opt.progress = hpc_stopper_cb;
        opt.progress_ctx = &sc->stop;
    }
    scenmc_range done_r;
    size_t n_done = 0;
    scenmc_status st = scenmc_run_ranges(sc->m, &p, &opt, &pl->mine, pl->mine.last > pl->mine.first ? 1 : 0,
                                         r, &done_r, &n_done, &err);
    scenmc_params_free(&p);
    int rc = 0;
    if (st != SCENMC_OK && st != SCENMC_E_INTERRUPTED) {
        cli_print_error("sweep", &err);
        rc = cli_exit_code(st);
    }
    rc = hpc_agree("sweep", h, rc);
    if (!rc && scenmc__mpi_max_int(st == SCENMC_E_INTERRUPTED, NULL))
        rc = EXIT_INTERRUPTED;
    if (rc) {
        if (st == SCENMC_OK || st == SCENMC_E_INTERRUPTED)
            scenmc_results_free(r);
        return rc;
    }
    sc->computed++;
    r->wall_seconds = scenmc__mpi_max_double(r->wall_seconds);
    scenmc__mpi_reduce_results(r, 0, &err);
    return 0;
}

/* Rank 0: a computed point saved in the folder (with -o) or into the table. */
static int sweep_keep(sweep_cmd *sc, int i, scenmc_results *r)
{
    r->first = 0;
    r->last = sc->base.n_trajectories;
    if (!sc->out) {
        sweep_record(sc, i, r);
        return 0;
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_write_options wo = {.command_line = sc->cl};
    scenmc_status st = scenmc__sweep_journal_save(&sc->j, i, r, &wo, &err);
    if (st != SCENMC_OK) {
        cli_print_error("sweep", &err);
        return cli_exit_code(st);
    }
    sc->fresh[i] = 1;
    return 0;
}

/* Collective: a signal caught by any rank since the last point. */
static int sweep_signalled(const sweep_cmd *sc)
{
    return sc->out ? scenmc__mpi_max_int(hpc_signal_caught(), NULL) : 0;
}

/* Every point of the shard not saved yet, each saved as it is done. */
static int sweep_compute(sweep_cmd *sc, hpc_proc *h, double t0)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    progress prog;
    /* The rule of run (docs/export.md): --quiet silences progress unless --progress. */
    int no_progress = sc->no_progress || (sc->quiet && !sc->progress);
    progress_init(&prog, "sweep", no_progress || h->rank != 0);
    hpc_stopper_init(&sc->stop, NULL, 0);
    int rc = 0, why = 0;
    for (int i = pl->p_first; i < pl->p_last && !rc; i++) {
        int saved = h->rank == 0 && sc->out && scenmc__sweep_journal_has(&sc->j, i);
        if (!hpc_share(h, saved)) {
            scenmc_results r;
            if ((rc = sweep_point(sc, i, h, &r)) != 0)
                break;
            if (h->rank == 0)
                rc = sweep_keep(sc, i, &r);
            scenmc_results_free(&r);
            rc = hpc_share(h, rc);
        }
        progress_cb(&prog, (uint64_t)(i + 1 - pl->p_first), (uint64_t)(pl->p_last - pl->p_first),
                    scenmc__now() - t0);
        if (!rc && i + 1 < pl->p_last && (why = sweep_signalled(sc)) != 0)
            rc = EXIT_INTERRUPTED;
    }
    progress_end(&prog);
    scenmc__mpi_stop_drain();
    if (rc == EXIT_INTERRUPTED) {
        int sig = scenmc__mpi_max_int(hpc_signal_caught(), NULL);
        if (h->rank == 0)
            fprintf(stderr, "scenmc sweep: stopped by %s; %d of %d points are saved in %s\n"
                    "scenmc sweep: continue with the same command: %s\n",
                    hpc_stop_reason(sig ? sig : sc->stop.why),
                    scenmc__sweep_journal_count(&sc->j, pl->p_first, pl->p_last),
                    pl->p_last - pl->p_first, sc->j.dir, sc->cl);
    }
    return rc;
}

/* Rank 0: the sweep file opened at the first point (a shard's beside, to
 * rename once complete). */
static int sweep_open(sweep_cmd *sc, const scenmc_results *r, const char **names, char **tmp_out,
                      scenmc_sweep_writer **sw)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    scenmc_write_options wo = {.command_line = sc->cl, .force = sc->force,
                               .design = sc->design ? sc->design : "grid"};
    if (pl->shard_m) {
        /* A fresh, empty file of ours (mkstemp), which the writer replaces. */
        if (!(*tmp_out = scenmc__hpc_temp_name(sc->out))) {
            fprintf(stderr, "scenmc sweep: %s: cannot write beside it: %s\n", sc->out, strerror(errno));
            return 1;
        }
        wo.force = 1;
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sweep_writer_open(*tmp_out ? *tmp_out : sc->out, r, pl->p_last - pl->p_first, sc->K,
                                 names, pl->values + (size_t)pl->p_first * (size_t)sc->K, &sc->base, &wo,
                                 sw, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        return 1;
    }
    return 0;
}

/* Rank 0: saved point i into the sweep file and the table. Points saved by an
 * earlier process are read in a guarded child (they may be damaged). */
static int sweep_add(sweep_cmd *sc, int i, const char **names, char **tmp_out, scenmc_sweep_writer **sw)
{
    scenmc_params p;
    scenmc_params_copy(&p, &sc->base);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_sweep_apply(sc->m, sc->ps, sc->K, sc->plan.values + (size_t)i * (size_t)sc->K, &p, &err);
    unsigned flags = sc->fresh[i] || scenmc__mpi_active() ? SCENMC_READ_NO_GUARD : 0;
    scenmc_results r;
    scenmc_status st = scenmc__sweep_journal_load(&sc->j, i, sc->m, &p, flags, &r, &err);
    scenmc_params_free(&p);
    if (st != SCENMC_OK) {
        cli_print_error("sweep", &err);
        return cli_exit_code(st);
    }
    int rc = *sw ? 0 : sweep_open(sc, &r, names, tmp_out, sw);
    if (!rc && scenmc_sweep_writer_point(*sw, i - sc->plan.p_first, &r, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = 1;
    }
    if (!rc)
        sweep_record(sc, i, &r);
    scenmc_results_free(&r);
    return rc;
}

/* Closes the file; a shard's is renamed into place once complete. */
static int sweep_close(sweep_cmd *sc, scenmc_sweep_writer *sw, const char *tmp_out, int rc)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (sw && scenmc_sweep_writer_close(sw, rc != 0, &err) != SCENMC_OK && !rc) {
        cli_print_error("sweep", &err);
        rc = 1;
    }
    if (sw && tmp_out && !rc &&
        scenmc__sweep_shard_commit(tmp_out, sc->out, sc->force, pl->p_first, pl->p_last, pl->P, pl->shard_k,
                                  pl->shard_m, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = 1;
    }
    if (tmp_out && (rc || !sw))
        scenmc__atomic_forget(tmp_out); /* the empty reservation, when the shard was not committed */
    return rc;
}

/* Rank 0 with -o: the sweep file from the saved points, then the folder
 * removed. A failure keeps the folder: the same command tries again. */
static int sweep_assemble(sweep_cmd *sc)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    const char **names = scenmc__xcalloc((size_t)(sc->K ? sc->K : 1), sizeof(char *));
    for (int j = 0; j < sc->K; j++)
        names[j] = sc->ps[j].name;
    scenmc_sweep_writer *sw = NULL;
    char *tmp_out = NULL; /* shards: written beside, marked, then renamed */
    int rc = 0;
    for (int i = pl->p_first; i < pl->p_last && !rc; i++)
        rc = sweep_add(sc, i, names, &tmp_out, &sw);
    rc = sweep_close(sc, sw, tmp_out, rc);
    free(tmp_out);
    free(names);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && scenmc__sweep_journal_remove(&sc->j, &err) != SCENMC_OK)
        fprintf(stderr, "scenmc sweep: warning: %s\n", err.msg); /* the sweep file is complete */
    return rc;
}

/* Execute: the points not saved yet, then (rank 0, with -o) the file. */
static int sweep_execute(sweep_cmd *sc, hpc_proc *h, double t0)
{
    const char *hook = getenv("SCENMC_TEST_FAIL_AFTER_POINTS");
    sc->fail_after = hook && *hook ? atol(hook) : -1;
    sc->cl = cli_command_line(sc->argc, sc->argv);
    int rc = hpc_agree("sweep", h, sweep_journal_begin(sc, h));
    if (!rc) {
        sweep_journal_say(sc, h);
        rc = sweep_compute(sc, h, t0);
    }
    if (!rc && sc->out && h->rank == 0)
        rc = sweep_assemble(sc);
    return hpc_share(h, rc);
}

/* Finish (rank 0): the table of final-year scenario probabilities. */
static void sweep_print(const sweep_cmd *sc, const hpc_proc *h, double t0)
{
    const scenmc__sweep_plan *pl = &sc->plan;
    const scenmc_model *m = sc->m;
    int K = sc->K, S = sc->S;
    printf("%s: %d points x %llu trajectories, seed %llu (common random numbers)", m->name, pl->P,
           (unsigned long long)sc->base.n_trajectories, (unsigned long long)sc->base.seed);
    if (pl->shard_m)
        printf("; shard %d/%d: points %d to %d", pl->shard_k, pl->shard_m, pl->p_first + 1, pl->p_last);
    if (h->size > 1)
        printf("; %d MPI ranks", h->size);
    printf("\n\n");
    printf("Scenario probabilities in %d\n", sc->base.year_end);
    int *w = scenmc__xcalloc((size_t)(K + S), sizeof(int)); /* each column as wide as its name */
    for (int c = 0; c < K + S; c++) {
        const char *name = c < K ? sc->ps[c].name : c - K < m->n_scenarios ? m->scenarios[c - K].name : "unclassified";
        w[c] = summary_width(name, 14, 40);
        if (c >= K)
            putchar(' ');
        summary_cell(stdout, name, w[c]);
        if (c < K)
            putchar(' ');
    }
    printf("\n");
    for (int i = pl->p_first; i < pl->p_last && i < pl->p_first + 200; i++) {
        for (int j = 0; j < K; j++)
            printf("%-*.6g ", w[j], pl->values[(size_t)i * (size_t)K + (size_t)j]);
        for (int s = 0; s < S; s++)
            printf(" %-*.4f", w[K + s], sc->final_prob[(size_t)i * (size_t)S + (size_t)s]);
        printf("\n");
    }
    free(w);
    if (pl->p_last - pl->p_first > 200)
        printf("(%d more points in the file)\n", pl->p_last - pl->p_first - 200);
    printf("\n%.1f s%s%s\n", scenmc__now() - t0, sc->out ? "; results: " : "", sc->out ? sc->out : "");
}

static int sweep_main(const cli_args *a, sweep_cmd *sc, hpc_proc *h)
{
    int rc = cli_too_many("sweep", a, 1);
    if (!rc)
        sc->m = cli_load_model("sweep", a->n_pos ? a->pos[0] : NULL, &rc);
    if (!sc->m)
        return hpc_agree("sweep", h, rc);
    scenmc_params_init(&sc->base, sc->m);
    rc = sweep_plan(a, sc, h);
    rc = hpc_agree("sweep", h, rc);
    if (!rc)
        rc = hpc_same_inputs("sweep", h, sc->m, &sc->base);
    double t0 = scenmc__now();
    if (!rc)
        rc = sweep_execute(sc, h, t0);
    if (!rc && !sc->quiet && h->rank == 0)
        sweep_print(sc, h, t0);
    free(sc->final_prob);
    free(sc->fresh);
    free(sc->cl);
    scenmc__sweep_journal_free(&sc->j);
    scenmc__sweep_plan_free(&sc->plan);
    for (int j = 0; j < sc->K; j++)
        scenmc_sweep_param_free(&sc->ps[j]);
    free(sc->ps);
    scenmc_params_free(&sc->base);
    scenmc_model_free(sc->m);
    return rc;
}

static int sweep_entry(const cli_args *a, void *ctx, hpc_proc *h)
{
    return sweep_main(a, ctx, h);
}

int cmd_sweep(int argc, char **argv)
{
    sweep_cmd sc;
    memset(&sc, 0, sizeof sc);
    sc.argc = argc;
    sc.argv = argv;
    return hpc_command(&sweep_command, argc, argv, sweep_entry, &sc);
}
