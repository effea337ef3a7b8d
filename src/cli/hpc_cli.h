/* Beyond one machine, command-line side (docs/hpc.md): scenmc merge, and
 * the MPI, signal and time-limit plumbing shared by run and sweep. */
#ifndef SCENMC_CLI_HPC_H
#define SCENMC_CLI_HPC_H

#include "scenmc/hpc.h"
#include "cli.h"
#include "summary.h"

/* One process of a (possibly MPI) command. Ranks other than 0 print
 * nothing on stdout; their stderr is held back and shown only when the
 * error to report is theirs (hpc_agree), so an error every rank finds is
 * printed once. */
typedef struct hpc_proc {
    int rank, size;
    int saved_stderr;  /* fd of the real stderr while held back, or -1 */
    FILE *held;        /* what this rank wrote to stderr meanwhile */
} hpc_proc;

/* Starts MPI when an MPI launcher started the process; returns 0 or an exit code. */
int hpc_begin(const char *cmd, hpc_proc *h);
/* Collective: every rank's exit code so far -> the largest (0 when all are
 * fine); the rank whose error it is shows what it held back. */
int hpc_agree(const char *cmd, hpc_proc *h, int rc);
/* Collective: 0 when every rank has rank 0's model (SHA-256) and parameters,
 * else (rank 0 says so) exit code 2. */
int hpc_same_inputs(const char *cmd, hpc_proc *h, const scenmc_model *m, const scenmc_params *p);
/* FNV-1a of every parameter of the dynamics (field by field, no padding),
 * and of n more bytes after h: fingerprints to compare inputs. */
uint64_t hpc_params_hash(const scenmc_params *p);
uint64_t hpc_hash_bytes(uint64_t h, const void *p, size_t n);
/* Collective: rank 0's exit code for everyone. */
int hpc_share(hpc_proc *h, int rc);
void hpc_end(hpc_proc *h);

/* Why a run stopped early. */
enum { STOP_NONE = 0, STOP_TIME = -1, STOP_PEER = -2 };

/* SIGTERM, SIGINT, SIGUSR1 and SIGHUP set a flag (checked between chunks);
 * a second one of any of them ends the process at once, after removing the
 * temporary files being written (scenmc__atomic_unlink_live). */
void hpc_signals_install(void);
int hpc_signal_caught(void);

/* Progress callback that stops a run on a signal, at a deadline (stopping
 * before a chunk that would end after it) or when another MPI rank stopped. */
typedef struct hpc_stopper {
    progress *prog;    /* shows progress, or NULL */
    double deadline;   /* scenmc__now() seconds, or 0 */
    double last;       /* time of the previous call */
    int why;           /* signal number, STOP_TIME, STOP_PEER or STOP_NONE */
} hpc_stopper;
void hpc_stopper_init(hpc_stopper *s, progress *prog, double deadline);
int hpc_stopper_cb(void *ctx, uint64_t done, uint64_t total, double seconds);
/* "SIGTERM", "the time limit (--max-time)", ... */
const char *hpc_stop_reason(int why);

/* A command that may run under MPI: --help, then on every rank the option
 * parsing (its errors shown once) and fn with the options. */
typedef int (*hpc_main)(const cli_args *a, void *ctx, hpc_proc *h);
int hpc_command(const cli_command *cmd, int argc, char **argv, hpc_main fn, void *ctx);

/* Exit status when started by mpirun without MPI support built in and more than
 * one rank: refuse (every rank would compute and write the same file). */
int hpc_refuse_unsupported_launch(const char *cmd);

#endif
