/* scenmc run: the Monte Carlo engine from the command line; with MPI ranks,
 * shards, checkpoints and resumption (docs/hpc.md). */
#include "cli.h"
#include "hpc_cli.h"
#include "obs_cli.h"
#include "sched_cli.h"
#include "scenmc/reader.h"
#include "summary.h"
#include "base/util.h"
#include "io/mpi.h"
#include "io/run_plan.h"
#include "model/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help_head[] =
    "usage: scenmc run [MODEL] [options]\n"
    "       scenmc run --resume CHECKPOINT [-o FILE.h5] [options]\n"
    "       mpirun -np R scenmc run [MODEL] [options]\n\n"
    "Simulates trajectories of the scenario dynamics (docs/model.md) from the start\n"
    "year to the end year, tallies them into the scenario tables and writes one\n"
    "HDF5 results file (docs/file-format.md). Results depend only on the model,\n"
    "the parameters, the seed and N: never on the number of threads, MPI ranks or\n"
    "shards, nor on interruptions and resumptions.\n"
    "Without MODEL, the built-in Ett Smart Västernorrland 2030 model.\n"
    "With --given or --observations every trajectory is weighted by the likelihood of\n"
    "the observations: the tables are conditioned on them, and the evidence (their\n"
    "probability) and the effective sample size are reported (docs/signposts.md).\n\n"
    "options:\n";
enum { K_ENSEMBLE = CLI_KEY_FIRST, K_JUDGEMENT_SD, K_CHUNK, K_SHARD, K_CHECKPOINT, K_MAX_TIME,
       K_RESUME, K_PROGRESS, K_NO_PROGRESS, K_SMC };
static const cli_option options[] = {
    CLI_PARAMS,
    CLI_OUTPUT_OPTION("write the results there (atomically)"),
    {"force", CLI_K_FORCE, 0, "  --force                overwrite an existing output file (or checkpoint)\n"},
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (per MPI rank; default: all cores)\n"},
    {"chunk", K_CHUNK, 1,
     "  --chunk C              trajectories between progress reports and stop checks\n"
     "                         (no effect on results)\n"},
    {"ensemble", K_ENSEMBLE, 1,
     "  --ensemble M           judgement uncertainty: M consistency matrices drawn around\n"
     "                         the model's, each running N/M of the trajectories; the\n"
     "                         file gets the pooled tables and /ensemble (the members'\n"
     "                         scenario probabilities and their 5-95% quantiles)\n"},
    {"judgement-sd", K_JUDGEMENT_SD, 1,
     "  --judgement-sd SD      standard deviation of each score's noise (default 0.5;\n"
     "                         clipped to the model's scale)\n"},
    {"quiet", CLI_K_QUIET, 0,
     "  -q, --quiet            no tables and no notes; no progress unless --progress\n"},
    {"progress", K_PROGRESS, 0,
     "  --progress             progress on standard error even with --quiet (a bar on a\n"
     "                         terminal, else a line about every 10 s; the default\n"
     "                         without --quiet)\n"},
    {"no-progress", K_NO_PROGRESS, 0, "  --no-progress          no progress, tables as usual\n"},
    CLI_HELP_OPTION,
    CLI_HELP("\nconditioned on observations (docs/signposts.md):\n"),
    CLI_GIVEN_OPTIONS,
    {"smc", K_SMC, 0,
     "  --smc                  a particle filter instead of weighting: the N particles\n"
     "                         are resampled at every observation year, so rare\n"
     "                         observations keep every particle in play; one process,\n"
     "                         a pure function of the seed and N as well\n"},
    CLI_HELP("\nchanges over time (docs/interventions.md):\n"),
    CLI_SCHEDULE_OPTIONS,
    CLI_HELP("\nbeyond one machine (docs/hpc.md):\n"),
    {"shard", K_SHARD, 1,
     "  --shard K/M            only the K-th of M equal slices of the trajectories\n"
     "                         [N(K-1)/M, NK/M); 'scenmc merge' adds the M files into one\n"
     "                         equal to the whole run, bit for bit\n"},
    {"checkpoint", K_CHECKPOINT, 1,
     "  --checkpoint FILE      where SIGTERM, SIGINT, SIGUSR1 or --max-time save the work\n"
     "                         done (default: the output's name + .ckpt; without -o and\n"
     "                         --checkpoint a signal ends the run as usual)\n"},
    {"max-time", K_MAX_TIME, 1,
     "  --max-time DURATION    stop and save a checkpoint before this much wall-clock time\n"
     "                         has passed: 90s, 10m, 2h, 1:30:00, 1-12:00:00\n"},
    {"resume", K_RESUME, 1,
     "  --resume CHECKPOINT    continue an interrupted run: the model and parameters come\n"
     "                         from the checkpoint (a MODEL or parameter options given too\n"
     "                         must agree with them); the output goes to -o, else where\n"
     "                         the interrupted run was to write it; the checkpoint is\n"
     "                         replaced if stopped again, removed once the output is written\n"},
    CLI_END,
};
static const char help_foot[] =
    "  Under mpirun/srun every rank runs a contiguous slice of the trajectories and\n"
    "  rank 0 adds the counts exactly and writes the file.\n\n"
    "Exit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage,\n"
    "3 stopped early (signal or --max-time) with a checkpoint written.\n";
static const cli_command command = {"run", help_head, help_foot, options};

/* The command line, beyond the parameters and what the plan takes. */
typedef struct run_args {
    const char *model_path, *start;
    int quiet, progress, no_progress;
    long threads;
    double judgement_sd;
    uint64_t chunk;
    scenmc__run_request req;
    scenmc_observations obs; /* what --given and --observations say (req.given) */
    int have_obs;
    int argc;
    char **argv;
} run_args;

/* One option that is not a parameter into ra; 0 or EXIT_USAGE. */
static int take_option(const cli_arg *o, run_args *ra)
{
    const char *v = o->value;
    scenmc__run_request *q = &ra->req;
    switch (o->key) {
    case CLI_K_OUTPUT: q->out = v; return 0;
    case CLI_K_THREADS: return cli_parse_int("run", "--threads", v, 1, 4096, &ra->threads) ? 0 : EXIT_USAGE;
    case K_ENSEMBLE: return cli_parse_int("run", "--ensemble", v, 1, 1000000, &q->ensemble) ? 0 : EXIT_USAGE;
    case K_JUDGEMENT_SD:
        q->sd_given = 1;
        if (!cli_parse_double("run", "--judgement-sd", v, &ra->judgement_sd))
            return EXIT_USAGE;
        if (ra->judgement_sd < 0)
            return cli_usage_error("run", "--judgement-sd %s: expected a number >= 0", v);
        return 0;
    case K_CHUNK: return cli_parse_u64("run", "--chunk", v, 1, &ra->chunk) ? 0 : EXIT_USAGE;
    case K_SHARD: q->shard = v; return 0;
    case K_CHECKPOINT: q->ckpt = v; return 0;
    case K_MAX_TIME: q->max_time = v; return 0;
    case K_RESUME: q->resume = v; return 0;
    case CLI_K_FORCE: q->force = 1; return 0;
    case K_SMC: q->smc = 1; return 0;
    case CLI_K_GIVEN:
    case CLI_K_OBSERVATIONS: q->given = 1; return 0; /* read once the model is known */
    case CLI_K_QUIET: ra->quiet = 1; return 0;
    case K_PROGRESS: ra->progress = 1; ra->no_progress = 0; return 0;
    case K_NO_PROGRESS: ra->no_progress = 1; ra->progress = 0; return 0;
    }
    return 0;
}

/* Below this effective sample size (or 1% of the trajectories) the
 * conditioned tables are called noisy and the particle filter suggested. */
#define ESS_WARN 1000

/* A warning (on standard error, even with --quiet) when the observations
 * are rare under the model. */
static void warn_rare(const scenmc_results *r, int smc)
{
    if (!r->conditioned || smc)
        return;
    if (r->weight_sum == 0)
        fprintf(stderr, "scenmc run: warning: no trajectory agrees with the observations: the "
                "conditioned tables are empty (NaN); more trajectories, or --smc\n");
    else if (r->effective_size < ESS_WARN || r->effective_size < 0.01 * (double)r->n_trajectories)
        fprintf(stderr, "scenmc run: warning: effective sample size %.0f (below %d or 1%% of the "
                "trajectories): the observations are rare under the model and the conditioned "
                "tables noisy; --smc (a particle filter) keeps every particle in play\n",
                r->effective_size, ESS_WARN);
}

/* The evidence and the effective sample size of a conditioned run. */
static void print_conditioning(const scenmc_results *r, int smc)
{
    if (!r->conditioned)
        return;
    const scenmc_observations *o = r->given;
    int hard = o && scenmc_observations_all_hard(o);
    printf("Conditioned on %d observation%s (%s evidence): P(observations) = %.4g +- %.2g "
           "(log %.4f); effective sample size %.0f of %llu %s\n\n", o ? o->n : 0,
           o && o->n == 1 ? "" : "s", hard ? "hard" : "soft", exp(r->log_evidence), r->evidence_se,
           r->log_evidence, r->effective_size, (unsigned long long)r->n_trajectories,
           smc ? "particles (the smallest of an observation year; particle filter)" : "trajectories");
}

static void print_tables(const scenmc_model *m, const scenmc_params *p, const scenmc_results *r,
                         const scenmc_ensemble_info *ens, const char *out, int ranks,
                         const scenmc_range *target, int shard_k, int shard_m, int smc)
{
    printf("%s: %llu trajectories, %d-%d, beta %g, seed %llu", m->name,
           (unsigned long long)r->n_trajectories, p->year_start, p->year_end, p->beta,
           (unsigned long long)p->seed);
    if (shard_m)
        printf("; shard %d/%d: trajectories [%llu, %llu) of %llu", shard_k, shard_m,
               (unsigned long long)target->first, (unsigned long long)target->last,
               (unsigned long long)p->n_trajectories);
    printf("\n\n");
    print_conditioning(r, smc);
    summary_scenarios(stdout, r);
    summary_characteristics(stdout, r);
    summary_top_states(stdout, r, 5);
    if (ens) {
        int Y = r->n_years, S = r->n_scenarios;
        printf("\nJudgement uncertainty: %d matrices, score noise sd %g; P(scenario in %d) across "
               "members\n  %-28s %8s %8s %8s %8s %8s\n", ens->n_members, ens->judgement_sd,
               p->year_end, "", "5%", "25%", "50%", "75%", "95%");
        for (int s = 0; s < S; s++) {
            printf("  ");
            summary_cell(stdout, s < m->n_scenarios ? m->scenarios[s].name : "unclassified", 28);
            for (int l = 0; l < ens->n_quantiles; l++)
                printf(" %8.4f", ens->quantiles[((size_t)l * (size_t)Y + (size_t)(Y - 1)) * (size_t)S +
                                                (size_t)s]);
            printf("\n");
        }
    }
    double lambda = 0;
    for (int d = 0; d < p->n_descriptors; d++)
        lambda += p->rate[d];
    double tps = r->wall_seconds > 0 ? (double)r->n_trajectories / r->wall_seconds : 0;
    printf("\nThroughput: %.0f trajectories/s, about %.3g revisions/s (", tps,
           tps * lambda * (p->year_end - p->year_start));
    if (ranks > 1)
        printf("%d MPI ranks x ", ranks);
    printf("%d threads, %.2f s)\n", r->threads, r->wall_seconds);
    if (out)
        printf("Results: %s\n", out);
    else
        printf("(no -o given: the tables above were not saved)\n");
}

/* Prints a plan's problem: a usage problem with the hint to --help. */
static int plan_error(const scenmc__run_plan *pl, scenmc_status st, const scenmc_error *err)
{
    if (pl->usage)
        return cli_usage_error("run", "%s", err->msg);
    cli_print_error("run", err);
    return st == SCENMC_E_NOMEM ? 1 : EXIT_USAGE;
}

/* The model and the default parameters: the checkpoint's or the model's. */
static int plan_source(const run_args *ra, scenmc__run_plan *pl)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    int rc = 0;
    if (!ra->req.resume) {
        scenmc_model *m = cli_load_model("run", ra->model_path, &rc);
        if (m)
            scenmc__run_plan_from_model(pl, m);
        return rc;
    }
    unsigned flags = scenmc__mpi_active() ? SCENMC_READ_NO_GUARD : 0;
    scenmc_status st = scenmc__run_plan_from_checkpoint(pl, flags, &err);
    if (st != SCENMC_OK)
        return plan_error(pl, st, &err);
    if (ra->model_path) {
        scenmc_model *given = cli_load_model("run", ra->model_path, &rc);
        if (given && (st = scenmc__run_plan_same_model(pl, given, ra->model_path, &err)) != SCENMC_OK)
            rc = plan_error(pl, st, &err);
        scenmc_model_free(given);
    }
    return rc;
}

/* Plan: the model or checkpoint, the parameters from the command line, and
 * every check before the compute. */
static int plan_run(const cli_args *a, run_args *ra, scenmc__run_plan *pl)
{
    int rc = plan_source(ra, pl);
    for (int k = 0; k < a->n_opts && !rc; k++)
        if (cli_param_apply("run", &a->opts[k], &pl->p, &ra->start) < 0)
            rc = EXIT_USAGE;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ra->start && scenmc_params_parse_start(&pl->p, pl->m, ra->start, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = cli_schedule("run", a, pl->m, &pl->p);
    if (!rc && ra->req.given) {
        rc = cli_observations("run", a, pl->m, &pl->p, &ra->obs);
        ra->have_obs = rc == 0;
    }
    scenmc_status st;
    if (!rc && (st = scenmc__run_plan_given(pl, &ra->obs, &ra->have_obs, &err)) != SCENMC_OK)
        rc = plan_error(pl, st, &err);
    if (!rc && (st = scenmc__run_plan_check(pl, &err)) != SCENMC_OK)
        rc = pl->usage ? plan_error(pl, st, &err) : (cli_print_error("run", &err), EXIT_USAGE);
    return rc;
}

/* What the compute left: counts, ranges done and why it stopped. */
typedef struct run_outcome {
    scenmc_results r;
    int have_r, interrupted;
    scenmc_ensemble_info ens;
    scenmc_range *done, *all; /* this rank's ranges; rank 0: every rank's */
    size_t n_done, n_all;
    hpc_stopper stop;
    progress prog;
} run_outcome;

/* Installs the signal handlers when there is a checkpoint to save to. */
static void arm_signals(const run_args *ra, const scenmc__run_plan *pl, const hpc_proc *h)
{
    if (!pl->ckpt)
        return;
    hpc_signals_install();
    /* Announced once every rank has its handlers (a collective), so a
     * signal sent after the message cannot kill a rank still starting. */
    if (scenmc__mpi_active())
        (void)scenmc__mpi_max_int(0, NULL);
    /* Said where someone may act on it: on a terminal, or when the user chose
     * the checkpoint (--checkpoint, --max-time, --resume); not in each of
     * hundreds of batch logs of runs that merely have -o. */
    int useful = isatty(fileno(stderr)) || ra->req.ckpt || ra->req.max_time || ra->req.resume;
    if (h->rank == 0 && !ra->quiet && useful)
        fprintf(stderr, "scenmc run: a signal (INT, TERM, HUP, USR1)%s%s stops the run with a "
                "checkpoint in %s\n", ra->req.max_time ? " or --max-time " : "",
                ra->req.max_time ? ra->req.max_time : "", pl->ckpt);
}

/* Execute: this rank's share, then every rank's counts and ranges to rank 0. */
static int execute(const run_args *ra, scenmc__run_plan *pl, hpc_proc *h, run_outcome *o)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    arm_signals(ra, pl, h);
    o->done = scenmc__xcalloc(pl->n_mine + 1, sizeof(scenmc_range));
    scenmc_run_options opt = {.threads = (int)ra->threads, .chunk = ra->chunk,
                              .progress = hpc_stopper_cb, .progress_ctx = &o->stop,
                              .given = ra->have_obs ? &ra->obs : NULL};
    scenmc_status st;
    if (ra->req.ensemble) {
        opt.progress = progress_cb;
        opt.progress_ctx = &o->prog;
        st = scenmc_run_ensemble(pl->m, &pl->p, (int)ra->req.ensemble, ra->judgement_sd, &opt, &o->r,
                                 &o->ens, &err);
    } else if (ra->req.smc) { /* one process (run_plan.c): the whole target */
        st = scenmc_run_smc(pl->m, &pl->p, &ra->obs, (int)ra->threads, &o->r, &err);
        if (st == SCENMC_OK)
            o->done[o->n_done++] = (scenmc_range){0, pl->p.n_trajectories};
    } else {
        st = scenmc_run_ranges(pl->m, &pl->p, &opt, pl->mine, pl->n_mine, &o->r, o->done, &o->n_done,
                               &err);
    }
    progress_end(&o->prog);
    o->have_r = st == SCENMC_OK || st == SCENMC_E_INTERRUPTED;
    if (o->have_r && ra->have_obs && !o->r.conditioned) /* a rank with nothing to do */
        scenmc__results_set_given(&o->r, &ra->obs);
    o->interrupted = st == SCENMC_E_INTERRUPTED;
    int rc = 0;
    if (st != SCENMC_OK && st != SCENMC_E_INTERRUPTED) {
        cli_print_error("run", &err);
        rc = cli_exit_code(st);
    }
    scenmc__mpi_stop_drain();
    rc = hpc_agree("run", h, rc);
    if (rc)
        return rc;
    o->interrupted = scenmc__mpi_max_int(o->interrupted, NULL);
    /* Why the run stopped, as the rank that stopped first knew it. */
    hpc_stopper *stop = &o->stop;
    int reason = scenmc__mpi_max_int(stop->why > 0 ? stop->why : stop->why == STOP_TIME ? 1 : 0, NULL);
    if (stop->why == STOP_NONE || stop->why == STOP_PEER)
        stop->why = reason == 1 ? STOP_TIME : reason > 1 ? reason : stop->why;
    o->r.wall_seconds = scenmc__mpi_max_double(o->r.wall_seconds);
    /* Only rank 0 can fail here (out of memory adding the ranks' final states). */
    scenmc_error_clear(&err);
    st = scenmc__mpi_reduce_results(&o->r, 0, &err);
    scenmc__mpi_gather_ranges(o->done, o->n_done, 0, &o->all, &o->n_all, &err);
    if (st != SCENMC_OK) {
        cli_print_error("run", &err);
        return cli_exit_code(st);
    }
    return 0;
}

/* A resumed run's first command (the checkpoint's own record of it), for provenance. */
static const char *original_command(const scenmc__run_plan *pl)
{
    if (!pl->have_ck)
        return NULL;
    const scenmc_results_info *i = &pl->ck_info;
    return i->original_command_line && *i->original_command_line ? i->original_command_line
                                                                   : i->command_line;
}

/* Writes the checkpoint of an interrupted run; returns the exit code. */
static int write_checkpoint(const run_args *ra, const scenmc__run_plan *pl, run_outcome *o)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_hpc_info info;
    scenmc__run_checkpoint_info(pl, o->all, o->n_all, &o->r, &info);
    char *cl = cli_command_line(ra->argc, ra->argv);
    scenmc_write_options wo = {.command_line = cl, .force = 1,
                               .original_command_line = original_command(pl)};
    scenmc_status st = scenmc_hpc_write(pl->ckpt, &o->r, &wo, &info, &err);
    free(cl);
    if (st != SCENMC_OK) {
        cli_print_error("run", &err);
        fprintf(stderr, "scenmc run: stopped by %s, but the checkpoint could not be written\n",
                hpc_stop_reason(o->stop.why));
        return 1;
    }
    fprintf(stderr, "scenmc run: stopped by %s after %llu of %llu trajectories "
            "(next: %llu); checkpoint written to %s\n"
            "scenmc run: continue with: scenmc run --resume %s%s%s\n",
            hpc_stop_reason(o->stop.why), (unsigned long long)o->r.n_trajectories,
            (unsigned long long)(pl->target.last - pl->target.first), (unsigned long long)info.next,
            pl->ckpt, pl->ckpt, ra->req.out ? " -o " : "", ra->req.out ? ra->req.out : "");
    return EXIT_INTERRUPTED;
}

/* Writes the finished results (when there is an output) and prints the tables. */
static int write_results(const run_args *ra, const scenmc__run_plan *pl, const hpc_proc *h,
                         run_outcome *o)
{
    int rc = 0;
    scenmc_hpc_info info;
    scenmc__run_final_info(pl, &o->r, &info);
    if (pl->out) {
        scenmc_error err;
        scenmc_error_clear(&err);
        char *cl = cli_command_line(ra->argc, ra->argv);
        scenmc_write_options wo = {.command_line = cl, .force = ra->req.force,
                                   .ensemble = ra->req.ensemble ? &o->ens : NULL,
                                   .original_command_line = original_command(pl)};
        scenmc_status st = scenmc_hpc_write(pl->out, &o->r, &wo, &info, &err);
        free(cl);
        if (st != SCENMC_OK) {
            cli_print_error("run", &err);
            rc = cli_exit_code(st);
        } else if (scenmc__run_ckpt_superseded(pl)) {
            unlink(pl->ckpt); /* superseded by the finished results */
        }
    }
    if (!rc)
        warn_rare(&o->r, ra->req.smc);
    if (!ra->quiet && !rc)
        print_tables(pl->m, &pl->p, &o->r, ra->req.ensemble ? &o->ens : NULL, pl->out, h->size,
                     &pl->target, pl->shard_k, pl->shard_m, ra->req.smc);
    return rc;
}

/* Finish (rank 0): the checkpoint's work added, then finished results or a new checkpoint. */
static int finish(const run_args *ra, scenmc__run_plan *pl, const hpc_proc *h, run_outcome *o)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc__run_combine(pl, &o->r, &o->all, &o->n_all, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        return 1;
    }
    if (o->interrupted && !scenmc__run_complete(pl, o->all, o->n_all))
        return write_checkpoint(ra, pl, o);
    return write_results(ra, pl, h, o);
}

/* The whole command on one rank; every rank passes the same collective steps. */
static int run_main(const cli_args *a, run_args *ra, hpc_proc *h)
{
    double t_start = scenmc__now();
    scenmc__run_plan pl;
    ra->req.rank = h->rank;
    ra->req.size = h->size;
    scenmc__run_plan_init(&pl, &ra->req);
    int rc = plan_run(a, ra, &pl);
    rc = hpc_agree("run", h, rc);
    if (!rc)
        rc = hpc_same_inputs("run", h, pl.m, &pl.p);
    run_outcome o;
    memset(&o, 0, sizeof o);
    int no_progress = ra->no_progress || (ra->quiet && !ra->progress);
    progress_init(&o.prog, "run", no_progress || h->rank != 0);
    hpc_stopper_init(&o.stop, &o.prog, pl.max_time > 0 ? t_start + pl.max_time : 0);
    if (!rc) {
        scenmc__run_plan_ranges(&pl);
        rc = execute(ra, &pl, h, &o);
    }
    if (!rc && h->rank == 0)
        rc = finish(ra, &pl, h, &o);
    rc = hpc_share(h, rc);
    /* The handlers stay until the process exits: a first signal while the
     * results are written, or after, lets them be written and changes nothing
     * (a second one still ends the process at once). */
    free(o.all);
    free(o.done);
    scenmc_ensemble_free(&o.ens);
    if (o.have_r)
        scenmc_results_free(&o.r);
    scenmc__run_plan_free(&pl);
    if (ra->have_obs)
        scenmc_observations_free(&ra->obs);
    return rc;
}

/* The command line into ra; 0, or an exit code after saying what is wrong. */
static int parse_run(const cli_args *a, run_args *ra)
{
    ra->judgement_sd = 0.5;
    int rc = 0;
    for (int k = 0; k < a->n_opts && !rc; k++)
        rc = take_option(&a->opts[k], ra);
    if (!rc)
        rc = cli_too_many("run", a, 1);
    ra->model_path = a->n_pos ? a->pos[0] : NULL;
    return rc;
}

static int run_entry(const cli_args *a, void *ctx, hpc_proc *h)
{
    run_args *ra = ctx;
    int rc = parse_run(a, ra);
    return rc ? hpc_agree("run", h, rc) : run_main(a, ra, h);
}

int cmd_run(int argc, char **argv)
{
    run_args ra;
    memset(&ra, 0, sizeof ra);
    ra.argc = argc;
    ra.argv = argv;
    return hpc_command(&command, argc, argv, run_entry, &ra);
}
