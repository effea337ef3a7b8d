/* MPI processes, signals and time limits for the commands (docs/hpc.md). */
#include "cli.h"
#include "hpc_cli.h"
#include "io/mpi.h"
#include "scenmc/schedule.h"
#include "base/util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- MPI processes */

int hpc_refuse_unsupported_launch(const char *cmd)
{
    if (scenmc__mpi_built() || !scenmc__mpi_launched())
        return 0;
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS", NULL};
    for (const char *const *v = vars; *v; v++) {
        const char *s = getenv(*v);
        if (s && atoi(s) > 1) {
            fprintf(stderr, "scenmc %s: started by an MPI launcher with %s processes, but this scenmc "
                    "was built without MPI (SCENMC_MPI=OFF): each would do the whole run. Rebuild "
                    "with MPI, or start one process.\n", cmd, s);
            return EXIT_USAGE;
        }
    }
    return 0;
}

int hpc_begin(const char *cmd, hpc_proc *h)
{
    memset(h, 0, sizeof *h);
    h->saved_stderr = -1;
    h->size = 1;
    int rc = hpc_refuse_unsupported_launch(cmd);
    if (rc)
        return rc;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc__mpi_start(&h->rank, &h->size, &err) != SCENMC_OK) {
        cli_print_error(cmd, &err);
        return 1;
    }
    if (h->rank != 0) {
        /* Hold this rank's stderr back: rank 0 reports what every rank finds. */
        fflush(stdout);
        if (!freopen("/dev/null", "w", stdout))
            return 1;
        h->held = tmpfile();
        if (h->held) {
            fflush(stderr);
            h->saved_stderr = dup(2);
            if (h->saved_stderr < 0 || dup2(fileno(h->held), 2) < 0) {
                fclose(h->held);
                h->held = NULL;
            }
        }
    }
    return 0;
}

/* Shows what this rank held back (each line prefixed "rank K: ") and starts afresh. */
static void show_held(hpc_proc *h)
{
    if (!h->held || h->saved_stderr < 0)
        return;
    fflush(stderr);
    rewind(h->held);
    char line[4096];
    FILE *out = fdopen(dup(h->saved_stderr), "w");
    if (!out)
        return;
    while (fgets(line, sizeof line, h->held))
        fprintf(out, "rank %d: %s", h->rank, line);
    fclose(out);
    if (ftruncate(fileno(h->held), 0) == 0)
        rewind(h->held);
}

int hpc_agree(const char *cmd, hpc_proc *h, int rc)
{
    (void)cmd;
    if (!scenmc__mpi_active())
        return rc;
    int who = 0;
    int all = scenmc__mpi_max_int(rc, &who);
    if (all != 0 && who == h->rank && h->rank != 0 && rc == all)
        show_held(h);
    return all;
}

/* FNV-1a, to compare parameter arrays across ranks. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

uint64_t hpc_params_hash(const scenmc_params *p)
{
    uint64_t x = UINT64_C(14695981039346656037);
    x = fnv(x, &p->beta, sizeof p->beta);
    x = fnv(x, &p->w_consistency, sizeof p->w_consistency);
    x = fnv(x, &p->w_cross, sizeof p->w_cross);
    x = fnv(x, p->rate, (size_t)p->n_descriptors * sizeof(double));
    x = fnv(x, p->initial, (size_t)p->n_variants * sizeof(double));
    if (p->start)
        x = fnv(x, p->start, (size_t)p->n_descriptors * sizeof(int));
    x = fnv(x, &p->year_start, sizeof p->year_start);
    x = fnv(x, &p->year_end, sizeof p->year_end);
    for (int i = 0; i < p->n_cells; i++) { /* field by field: no padding */
        const scenmc_cell *c = &p->cells[i];
        x = fnv(x, &c->u, sizeof c->u);
        x = fnv(x, &c->v, sizeof c->v);
        x = fnv(x, &c->cross, sizeof c->cross);
        x = fnv(x, &c->value, sizeof c->value);
    }
    /* The changes over time field by field (no padding, no pointers): the model
     * file's are in its SHA-256 already, the command line's are not. Nothing
     * without a schedule, so that older hashes stay as they were. */
    for (int i = 0; p->schedule && i < p->schedule->n; i++) {
        const scenmc_change *c = &p->schedule->ch[i];
        int head[6] = {(int)c->kind, c->descriptor, c->variant, c->first, c->last, c->n_knots};
        x = fnv(x, head, sizeof head);
        x = fnv(x, &c->value, sizeof c->value);
        x = fnv(x, c->knot_year, sizeof(int) * (size_t)c->n_knots);
        x = fnv(x, c->knot_value, sizeof(double) * (size_t)c->n_knots);
    }
    return x;
}

uint64_t hpc_hash_bytes(uint64_t h, const void *p, size_t n)
{
    return fnv(h, p, n);
}

int hpc_same_inputs(const char *cmd, hpc_proc *h, const scenmc_model *m, const scenmc_params *p)
{
    if (!scenmc__mpi_active() || h->size == 1)
        return 0;
    struct {
        uint8_t sha[32];
        uint64_t seed, n, params;
    } key;
    memset(&key, 0, sizeof key);
    memcpy(key.sha, m->sha256, 32);
    key.seed = p->seed;
    key.n = p->n_trajectories;
    key.params = hpc_params_hash(p);
    if (scenmc__mpi_same_as_root(&key, sizeof key, 0))
        return 0;
    if (h->rank == 0)
        fprintf(stderr, "scenmc %s: the MPI ranks do not agree on the model or the parameters (a model "
                "file that differs between nodes?); every rank must read the same inputs\n", cmd);
    return EXIT_USAGE;
}

int hpc_share(hpc_proc *h, int rc)
{
    (void)h;
    return scenmc__mpi_bcast_int(rc, 0);
}

void hpc_end(hpc_proc *h)
{
    if (h->saved_stderr >= 0) {
        fflush(stderr);
        dup2(h->saved_stderr, 2);
        close(h->saved_stderr);
        h->saved_stderr = -1;
    }
    if (h->held) {
        fclose(h->held);
        h->held = NULL;
    }
    scenmc__mpi_finalize();
}

/* ---------------------------------------------------------------- signals */

static volatile sig_atomic_t g_signal;
/* SIGHUP (a dropped ssh session) stops a run with a checkpoint like SIGTERM. */
static const int g_signals[] = {SIGTERM, SIGINT, SIGUSR1, SIGHUP};
#define N_SIGNALS ((int)(sizeof g_signals / sizeof g_signals[0]))
static volatile sig_atomic_t g_installed[N_SIGNALS];

static void on_signal(int s)
{
    if (!g_signal) {
        g_signal = s;
        return;
    }
    /* A second signal of any of them ends the process at once, but first
     * removes the temporary files it was writing. */
    cli_end_by_signal(s);
}

void hpc_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_SIGNALS; i++)
        sigaddset(&sa.sa_mask, g_signals[i]);
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < N_SIGNALS; i++) {
        /* Under nohup SIGHUP is ignored: the run is meant to go on, so it stays ignored. */
        struct sigaction old;
        if (g_signals[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        g_installed[i] = 1;
        sigaction(g_signals[i], &sa, NULL);
    }
}

int hpc_signal_caught(void)
{
    return g_signal;
}

void hpc_stopper_init(hpc_stopper *s, progress *prog, double deadline)
{
    s->prog = prog;
    s->deadline = deadline;
    s->last = scenmc__now();
    s->why = STOP_NONE;
}

int hpc_stopper_cb(void *ctx, uint64_t done, uint64_t total, double seconds)
{
    hpc_stopper *s = ctx;
    if (s->prog)
        progress_cb(s->prog, done, total, seconds);
    double now = scenmc__now(), chunk = now - s->last;
    s->last = now;
    if (s->why == STOP_NONE) {
        if (g_signal)
            s->why = g_signal;
        else if (s->deadline > 0 && now + chunk >= s->deadline)
            s->why = STOP_TIME; /* the next chunk would end after the deadline */
        else if (scenmc__mpi_stop_poll())
            s->why = STOP_PEER;
        if (s->why != STOP_NONE && s->why != STOP_PEER)
            scenmc__mpi_stop_send();
    }
    return s->why != STOP_NONE;
}

const char *hpc_stop_reason(int why)
{
    switch (why) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SIGHUP: return "SIGHUP";
    case STOP_TIME: return "the time limit (--max-time)";
    case STOP_PEER: return "another MPI rank";
    default: return "a request";
    }
}

int hpc_command(const cli_command *cmd, int argc, char **argv, hpc_main fn, void *ctx)
{
    if (cli_wants_help(cmd, argc, argv))
        return 0;
    hpc_proc h;
    int rc = hpc_begin(cmd->name, &h);
    if (!rc) {
        cli_args a;
        rc = cli_parse(cmd, argc, argv, &a);
        rc = rc ? hpc_agree(cmd->name, &h, rc == CLI_HELP_SHOWN ? 0 : rc) : fn(&a, ctx, &h);
        cli_args_free(&a);
    }
    hpc_end(&h);
    return rc;
}
