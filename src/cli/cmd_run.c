/* scenmc run: the Monte Carlo engine from the command line; with MPI ranks,
 * shards, checkpoints and resumption (docs/hpc.md). */
#include "cli.h"
#include "cmd_hpc.h"
#include "scenmc/reader.h"
#include "summary.h"
#include "base/util.h"

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
    "Without MODEL, the built-in Ett Smart Västernorrland 2030 model.\n\n"
    "options:\n";
static const char help_tail[] =
    "  -o, --output FILE.h5   write the results there (atomically)\n"
    "  --force                overwrite an existing output file (or checkpoint)\n"
    "  --threads T            OpenMP threads (per MPI rank; default: all cores)\n"
    "  --chunk C              trajectories between progress reports and stop checks\n"
    "                         (no effect on results)\n"
    "  --ensemble M           judgement uncertainty: M consistency matrices drawn around\n"
    "                         the model's, each running N/M of the trajectories; the\n"
    "                         file gets the pooled tables and /ensemble (the members'\n"
    "                         scenario probabilities and their 5-95% quantiles)\n"
    "  --judgement-sd SD      standard deviation of each score's noise (default 0.5;\n"
    "                         clipped to the model's scale)\n"
    "  --quiet                no progress and no tables, only errors\n"
    "  -h, --help             this text\n\n"
    "beyond one machine (docs/hpc.md):\n"
    "  --shard K/M            only the K-th of M equal slices of the trajectories\n"
    "                         [N(K-1)/M, NK/M); 'scenmc merge' adds the M files into one\n"
    "                         equal to the whole run, bit for bit\n"
    "  --checkpoint FILE      where SIGTERM, SIGINT, SIGUSR1 or --max-time save the work\n"
    "                         done (default: the output's name + .ckpt; without -o and\n"
    "                         --checkpoint a signal ends the run as usual)\n"
    "  --max-time DURATION    stop and save a checkpoint before this much wall-clock time\n"
    "                         has passed: 90s, 10m, 2h, 1:30:00, 1-12:00:00\n"
    "  --resume CHECKPOINT    continue an interrupted run: the model and parameters come\n"
    "                         from the checkpoint (a MODEL or parameter options given too\n"
    "                         must agree with them); the output goes to -o, else where\n"
    "                         the interrupted run was to write it; the checkpoint is\n"
    "                         replaced if stopped again, removed once the output is written\n"
    "  Under mpirun/srun every rank runs a contiguous slice of the trajectories and\n"
    "  rank 0 adds the counts exactly and writes the file.\n\n"
    "Exit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage,\n"
    "3 stopped early (signal or --max-time) with a checkpoint written.\n";

typedef struct run_args {
    const char *model_path, *out, *start, *shard, *ckpt, *max_time, *resume;
    int force, quiet, sd_given;
    long threads, ensemble;
    double judgement_sd;
    uint64_t chunk;
} run_args;

/* Parses options into a and p (p already holds the defaults: model's or checkpoint's). */
static int parse_options(int argc, char **argv, run_args *a, scenmc_params *p)
{
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        int missing = 0;
        const char *v;
        int k = cli_param_option("run", argc, argv, &i, p, &a->start);
        if (k < 0) {
            rc = EXIT_USAGE;
        } else if (k > 0) {
            continue;
        } else if ((v = cli_opt(argc, argv, &i, "-o", &missing)) ||
                   (!missing && (v = cli_opt(argc, argv, &i, "--output", &missing)))) {
            a->out = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--threads", &missing))) {
            if (!cli_parse_int("run", "--threads", v, 1, 4096, &a->threads))
                rc = EXIT_USAGE;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--ensemble", &missing))) {
            if (!cli_parse_int("run", "--ensemble", v, 1, 1000000, &a->ensemble))
                rc = EXIT_USAGE;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--judgement-sd", &missing))) {
            a->sd_given = 1;
            if (!cli_parse_double("run", "--judgement-sd", v, &a->judgement_sd))
                rc = EXIT_USAGE;
            else if (a->judgement_sd < 0)
                rc = cli_usage_error("run", "--judgement-sd %s: expected a number >= 0", v);
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--chunk", &missing))) {
            if (!cli_parse_u64("run", "--chunk", v, 1, &a->chunk))
                rc = EXIT_USAGE;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--shard", &missing))) {
            a->shard = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--checkpoint", &missing))) {
            a->ckpt = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--max-time", &missing))) {
            a->max_time = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--resume", &missing))) {
            a->resume = v;
        } else if (missing) {
            rc = cli_usage_error("run", "%s needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--force")) {
            a->force = 1;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            a->quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error("run", "unknown option '%s'", argv[i]);
        }
    }
    return rc;
}

/* The value of --resume, found before the other options are parsed. */
static const char *find_resume(int argc, char **argv)
{
    const char *r = NULL;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v = cli_opt(argc, argv, &i, "--resume", &missing);
        if (v)
            r = v;
    }
    return r;
}

static void print_tables(const scenmc_model *m, const scenmc_params *p, const scenmc_results *r,
                         const scenmc_ensemble_info *ens, const char *out, int ranks,
                         const scenmc_range *target, int shard_k, int shard_m)
{
    printf("%s: %llu trajectories, %d-%d, beta %g, seed %llu", m->name,
           (unsigned long long)r->n_trajectories, p->year_start, p->year_end, p->beta,
           (unsigned long long)p->seed);
    if (shard_m)
        printf("; shard %d/%d: trajectories [%llu, %llu) of %llu", shard_k, shard_m,
               (unsigned long long)target->first, (unsigned long long)target->last,
               (unsigned long long)p->n_trajectories);
    printf("\n\n");
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

/* The whole command on one rank; every rank passes the same collective steps. */
static int run_main(int argc, char **argv, hpc_proc *h)
{
    static const char *const value_opts[] = {CLI_PARAM_VALUE_OPTS, "-o", "--output", "--threads",
                                              "--chunk", "--ensemble", "--judgement-sd", "--shard",
                                              "--checkpoint", "--max-time", "--resume", NULL};
    double t_start = scenmc_now();
    const char *pos[2] = {NULL, NULL};
    int npos = cli_positionals(argc, argv, value_opts, pos, 2);
    if (npos > 1)
        return hpc_agree("run", h, cli_usage_error("run", "more than one MODEL ('%s', '%s'); expected one",
                                                   pos[0], pos[1]));
    run_args a = {0};
    a.judgement_sd = 0.5;
    a.model_path = pos[0];
    a.resume = find_resume(argc, argv);
    scenmc_error err;
    scenmc_error_clear(&err);
    int rc = 0;

    /* The model and the default parameters: the checkpoint's or the model's. */
    scenmc_model *m = NULL, *given = NULL;
    scenmc_results ck = {0};
    scenmc_results_info ck_info = {0};
    scenmc_hpc_info ck_hpc = {0};
    int have_ck = 0;
    scenmc_params p = {0};
    int have_p = 0;
    if (a.resume) {
        unsigned flags = scenmc_mpi_active() ? SCENMC_READ_NO_GUARD : 0;
        scenmc_status st = scenmc_results_read_info(a.resume, &m, &ck, &ck_info, flags, &err);
        if (st == SCENMC_OK) {
            have_ck = 1;
            st = scenmc_hpc_info_read(a.resume, &ck_hpc, &err);
        }
        if (st != SCENMC_OK) {
            cli_print_error("run", &err);
            rc = st == SCENMC_E_NOMEM ? 1 : EXIT_USAGE;
        } else if (!ck_hpc.checkpoint) {
            rc = cli_usage_error("run", "--resume %s: not a checkpoint (no 'checkpoint' attribute); "
                                 "it holds finished results", a.resume);
        } else if (ck.method != SCENMC_MONTE_CARLO) {
            rc = cli_usage_error("run", "--resume %s: not Monte Carlo results", a.resume);
        }
        if (!rc && a.model_path) {
            given = cli_load_model("run", a.model_path, &rc);
            if (given) {
                char h1[65], h2[65];
                scenmc_model_sha256_hex(given, h1);
                scenmc_model_sha256_hex(m, h2);
                if (strcmp(h1, h2) != 0)
                    rc = cli_usage_error("run", "--resume %s: the checkpoint was run with another model "
                                         "than %s (SHA-256 %.12s... there, %.12s... here); give no MODEL "
                                         "to use the checkpoint's", a.resume, a.model_path, h2, h1);
            }
        }
        if (!rc) {
            scenmc_params_copy(&p, &ck.params);
            have_p = 1;
        }
    } else {
        m = cli_load_model("run", a.model_path, &rc);
        if (m) {
            scenmc_params_init(&p, m);
            have_p = 1;
        }
    }
    if (!rc)
        rc = parse_options(argc, argv, &a, &p);
    if (!rc && a.start && scenmc_params_parse_start(&p, m, a.start, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && scenmc_params_check(&p, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    char why[256];
    if (!rc && have_ck && !scenmc_params_same(&p, &ck.params, why, sizeof why))
        rc = cli_usage_error("run", "--resume %s: the command line does not agree with the checkpoint, "
                             "which was run with other parameters (the command line gives %s); "
                             "give no parameter options to use the checkpoint's", a.resume, why);
    /* What to compute, and where results and checkpoints go. */
    int shard_k = 0, shard_m = 0;
    double max_time = 0;
    if (!rc && a.shard && scenmc_shard_parse(a.shard, &shard_k, &shard_m, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && a.max_time && scenmc_duration_parse(a.max_time, &max_time, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && a.sd_given && !a.ensemble)
        rc = cli_usage_error("run", "--judgement-sd needs --ensemble M");
    if (!rc && a.ensemble > 0 && (uint64_t)a.ensemble > p.n_trajectories)
        rc = cli_usage_error("run", "--ensemble %ld: more members than trajectories (%llu)", a.ensemble,
                             (unsigned long long)p.n_trajectories);
    if (!rc && a.ensemble && (a.shard || a.resume || a.ckpt || a.max_time || h->size > 1))
        rc = cli_usage_error("run", "--ensemble runs in one process, to the end: it does not combine "
                             "with --shard, --resume, --checkpoint, --max-time or MPI");
    if (!rc && a.resume && a.shard)
        rc = cli_usage_error("run", "--resume takes the trajectory range from the checkpoint; "
                             "give no --shard");
    if (!rc && shard_m && (uint64_t)shard_m > p.n_trajectories)
        rc = cli_usage_error("run", "--shard %s: more shards than trajectories (%llu)", a.shard,
                             (unsigned long long)p.n_trajectories);
    const char *out = a.out;
    if (!rc && !out && have_ck && ck_hpc.output)
        out = ck_hpc.output;
    char *ckpt_buf = NULL;
    const char *ckpt = a.ckpt;
    if (!rc && !ckpt && a.resume)
        ckpt = a.resume;
    if (!rc && !ckpt && out && !a.ensemble) {
        ckpt_buf = scenmc_xmalloc(strlen(out) + 8);
        sprintf(ckpt_buf, "%s.ckpt", out);
        ckpt = ckpt_buf;
    }
    if (!rc && a.max_time && !ckpt)
        rc = cli_usage_error("run", "--max-time needs a place for the checkpoint: give -o FILE.h5 "
                             "(checkpoint FILE.h5.ckpt) or --checkpoint FILE");
    if (!rc && out && ckpt && !strcmp(out, ckpt))
        rc = cli_usage_error("run", "the checkpoint and the output are both %s; expected two files",
                             out);
    /* Refuse unwritable or existing files before spending the compute (rank 0 writes). */
    if (!rc && h->rank == 0 && out && scenmc_output_check(out, a.force, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE; /* a bad -o is a usage problem: nothing was computed */
    }
    int stale_ckpt = h->rank == 0 && ckpt && !a.resume && access(ckpt, F_OK) == 0;
    if (!rc && stale_ckpt && !a.force)
        rc = cli_usage_error("run", "%s exists: an earlier run was interrupted there. Continue it with "
                             "'scenmc run --resume %s', or pass --force to start afresh", ckpt, ckpt);
    if (!rc && h->rank == 0 && ckpt && (!a.resume || strcmp(ckpt, a.resume) != 0) &&
        scenmc_output_check(ckpt, 1, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    rc = hpc_agree("run", h, rc);
    if (!rc)
        rc = hpc_same_inputs("run", h, m, &p);

    /* The trajectories to compute: all, a shard, or what the checkpoint has not done. */
    scenmc_range target = {0, have_p ? p.n_trajectories : 0};
    scenmc_range *todo = NULL, *mine = NULL, *done = NULL;
    size_t n_todo = 0, n_mine = 0, n_done = 0;
    if (!rc) {
        if (shard_m)
            target = scenmc_slice(0, p.n_trajectories, (uint64_t)shard_k, (uint64_t)shard_m);
        if (have_ck) {
            target.first = ck_hpc.target_first;
            target.last = ck_hpc.target_last;
            shard_k = ck_hpc.shard_index;
            shard_m = ck_hpc.shard_count;
        }
        todo = scenmc_xcalloc(ck_hpc.n_done + 2, sizeof(scenmc_range));
        n_todo = scenmc_ranges_complement(ck_hpc.done, ck_hpc.n_done, target.first, target.last, todo);
        mine = scenmc_xcalloc(n_todo + 1, sizeof(scenmc_range));
        n_mine = scenmc_ranges_slice(todo, n_todo, (uint64_t)h->rank + 1, (uint64_t)h->size, mine);
        done = scenmc_xcalloc(n_mine + 1, sizeof(scenmc_range));
    }

    scenmc_results r = {0};
    int have_r = 0, interrupted = 0;
    scenmc_ensemble_info ens = {0};
    progress prog;
    progress_init(&prog, "run", a.quiet || h->rank != 0);
    hpc_stopper stop;
    hpc_stopper_init(&stop, &prog, max_time > 0 ? t_start + max_time : 0);
    if (!rc) {
        if (ckpt) {
            hpc_signals_install();
            /* Announced once every rank has its handlers (a collective), so a
             * signal sent after the message cannot kill a rank still starting. */
            if (scenmc_mpi_active())
                (void)scenmc_mpi_max_int(0, NULL);
            if (h->rank == 0 && !a.quiet)
                fprintf(stderr, "scenmc run: a signal (INT, TERM, USR1)%s%s stops the run with a "
                        "checkpoint in %s\n", a.max_time ? " or --max-time " : "",
                        a.max_time ? a.max_time : "", ckpt);
        }
        scenmc_run_options opt = {.threads = (int)a.threads, .chunk = a.chunk,
                                  .progress = hpc_stopper_cb, .progress_ctx = &stop};
        scenmc_status st;
        if (a.ensemble) {
            opt.progress = progress_cb;
            opt.progress_ctx = &prog;
            st = scenmc_run_ensemble(m, &p, (int)a.ensemble, a.judgement_sd, &opt, &r, &ens, &err);
        } else {
            st = scenmc_run_ranges(m, &p, &opt, mine, n_mine, &r, done, &n_done, &err);
        }
        progress_end(&prog);
        have_r = st == SCENMC_OK || st == SCENMC_E_INTERRUPTED;
        if (st == SCENMC_E_INTERRUPTED) {
            interrupted = 1;
        } else if (st != SCENMC_OK) {
            cli_print_error("run", &err);
            rc = cli_exit_code(st);
        }
        scenmc_mpi_stop_drain();
        rc = hpc_agree("run", h, rc);
    }

    /* Rank 0 gets every rank's counts and the ranges done. */
    scenmc_range *all = NULL;
    size_t n_all = 0;
    if (!rc) {
        interrupted = scenmc_mpi_max_int(interrupted, NULL);
        /* Why the run stopped, as the rank that stopped first knew it. */
        int reason = scenmc_mpi_max_int(stop.why > 0 ? stop.why : stop.why == STOP_TIME ? 1 : 0, NULL);
        if (stop.why == STOP_NONE || stop.why == STOP_PEER)
            stop.why = reason == 1 ? STOP_TIME : reason > 1 ? reason : stop.why;
        r.wall_seconds = scenmc_mpi_max_double(r.wall_seconds);
        scenmc_mpi_reduce_results(&r, 0, &err);
        scenmc_mpi_gather_ranges(done, n_done, 0, &all, &n_all, &err);
    }
    if (!rc && h->rank == 0) {
        /* Everything done so far: this run's ranges plus the checkpoint's. */
        if (have_ck) {
            all = realloc(all, (n_all + ck_hpc.n_done + 1) * sizeof(scenmc_range));
            memcpy(all + n_all, ck_hpc.done, ck_hpc.n_done * sizeof(scenmc_range));
            n_all += ck_hpc.n_done;
            double wall = r.wall_seconds + ck.wall_seconds;
            int threads = r.threads;
            if (ck.n_trajectories && scenmc_results_add(&r, &ck, &err) != SCENMC_OK) {
                cli_print_error("run", &err);
                rc = 1;
            }
            r.wall_seconds = wall;
            r.threads = threads;
        }
        if (!a.ensemble)
            n_all = scenmc_ranges_normalize(all, n_all);
        if (!rc && !a.ensemble &&
            (n_all == (size_t)-1 || scenmc_ranges_count(all, n_all) != r.n_trajectories)) {
            fprintf(stderr, "scenmc run: internal error: the trajectory ranges done do not add up; "
                    "nothing written\n");
            rc = 1;
        }
        int complete = a.ensemble || (n_all == 1 && all[0].first == target.first &&
                                      all[0].last == target.last) ||
                       target.first == target.last;
        if (!rc && interrupted && !complete) {
            scenmc_hpc_info info = {0};
            info.checkpoint = 1;
            info.target_first = target.first;
            info.target_last = target.last;
            info.next = n_all && all[0].first == target.first ? all[0].last : target.first;
            info.n_done = n_all;
            info.done = all;
            info.output = (char *)out;
            info.shard_index = shard_k;
            info.shard_count = shard_m;
            r.first = n_all ? all[0].first : target.first;
            r.last = n_all ? all[n_all - 1].last : target.first;
            char *cl = cli_command_line(argc + 1, argv - 1);
            scenmc_write_options wo = {.command_line = cl, .force = 1};
            scenmc_status st = scenmc_hpc_write(ckpt, &r, &wo, &info, &err);
            free(cl);
            if (st != SCENMC_OK) {
                cli_print_error("run", &err);
                fprintf(stderr, "scenmc run: stopped by %s, but the checkpoint could not be written\n",
                        hpc_stop_reason(stop.why));
                rc = 1;
            } else {
                fprintf(stderr, "scenmc run: stopped by %s after %llu of %llu trajectories "
                        "(next: %llu); checkpoint written to %s\n"
                        "scenmc run: continue with: scenmc run --resume %s%s%s\n",
                        hpc_stop_reason(stop.why), (unsigned long long)r.n_trajectories,
                        (unsigned long long)(target.last - target.first), (unsigned long long)info.next,
                        ckpt, ckpt, a.out ? " -o " : "", a.out ? a.out : "");
                rc = EXIT_INTERRUPTED;
            }
        } else if (!rc) {
            if (!a.ensemble) {
                r.first = target.first;
                r.last = target.last;
            }
            if (out) {
                char *cl = cli_command_line(argc + 1, argv - 1);
                scenmc_write_options wo = {.command_line = cl, .force = a.force,
                                           .ensemble = a.ensemble ? &ens : NULL};
                scenmc_hpc_info info = {0};
                info.shard_index = shard_k;
                info.shard_count = shard_m;
                scenmc_status st = scenmc_hpc_write(out, &r, &wo, &info, &err);
                free(cl);
                if (st != SCENMC_OK) {
                    cli_print_error("run", &err);
                    rc = cli_exit_code(st);
                } else if ((a.resume && !strcmp(ckpt, a.resume)) || stale_ckpt) {
                    unlink(ckpt); /* superseded by the finished results */
                }
            }
            if (!a.quiet && !rc)
                print_tables(m, &p, &r, a.ensemble ? &ens : NULL, out, h->size, &target, shard_k,
                             shard_m);
        }
    }
    rc = hpc_share(h, rc);
    /* The handlers stay until the process exits: a first signal while the
     * results are written, or after, lets them be written and changes nothing
     * (a second one still ends the process at once). */

    free(all);
    free(todo);
    free(mine);
    free(done);
    free(ckpt_buf);
    scenmc_ensemble_free(&ens);
    if (have_r)
        scenmc_results_free(&r);
    if (have_ck) {
        scenmc_results_free(&ck);
    }
    scenmc_results_info_free(&ck_info);
    scenmc_hpc_info_free(&ck_hpc);
    if (have_p)
        scenmc_params_free(&p);
    scenmc_model_free(given);
    scenmc_model_free(m);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help_head, stdout);
            fputs(cli_param_help, stdout);
            fputs(help_tail, stdout);
            return 0;
        }
    hpc_proc h;
    int rc = hpc_begin("run", &h);
    if (!rc)
        rc = run_main(argc, argv, &h);
    hpc_end(&h);
    return rc;
}
