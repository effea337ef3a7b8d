/* The MPI glue (the only file that talks to MPI): start and stop, exact
 * reductions of counts and ranges, and stop notices between ranks. Without
 * MPI (or not launched by an MPI launcher) every call acts as rank 0 of 1. */
#ifndef SCENMC_IO_MPI_H
#define SCENMC_IO_MPI_H

#include "scenmc/hpc.h"


/* Whether this binary was built with MPI (SCENMC_MPI). */
int scenmc__mpi_built(void);
/* Whether an MPI launcher started this process (mpirun/mpiexec, srun with
 * PMI/PMIx): OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE, PMI_RANK or
 * MPI_LOCALNRANKS in the environment. SCENMC_MPI=0 says no, =1 yes. */
int scenmc__mpi_launched(void);
/* MPI_Init (only when built with MPI and launched; otherwise rank 0 of 1).
 * Safe to call once per process. */
scenmc_status scenmc__mpi_start(int *rank, int *size, scenmc_error *err);
/* Whether MPI was initialised by scenmc__mpi_start. */
int scenmc__mpi_active(void);
void scenmc__mpi_finalize(void);
/* Collective over all ranks: the largest v; the lowest rank holding it goes to *who. */
int scenmc__mpi_max_int(int v, int *who);
double scenmc__mpi_max_double(double v);
/* Collective: adds every rank's counts (and trajectory counts) into root's r,
 * exactly (MPI_UINT64_T, MPI_SUM), and finalizes root's probabilities. */
scenmc_status scenmc__mpi_reduce_results(scenmc_results *r, int root, scenmc_error *err);
/* Collective: every rank's n 8-byte numbers added in place on every rank
 * (kind 0: int64_t, 1: uint64_t, exact; 2: double); non-zero on failure. */
int scenmc__mpi_allreduce_sum(void *data, size_t n, int kind);
/* Collective: gathers every rank's ranges to root (malloc'd *all, *n_all). */
scenmc_status scenmc__mpi_gather_ranges(const scenmc_range *mine, size_t n, int root,
                                       scenmc_range **all, size_t *n_all, scenmc_error *err);
/* Collective: whether every rank holds the same n bytes as root. */
int scenmc__mpi_same_as_root(const void *buf, size_t n, int root);
/* Collective: broadcasts an int from root. */
int scenmc__mpi_bcast_int(int v, int root);
/* Stop notices: tell the other ranks to stop at their next chunk (cheap,
 * non-blocking); whether another rank asked; and, collectively after the
 * run, receive what is still in flight. */
void scenmc__mpi_stop_send(void);
int scenmc__mpi_stop_poll(void);
void scenmc__mpi_stop_drain(void);

#endif
