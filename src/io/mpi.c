/* MPI glue (docs/hpc.md): only this file talks to MPI, and only when the
 * process was started by an MPI launcher. Built without MPI (SCENMC_MPI=OFF)
 * every function is the one-process answer. */
#include "io/mpi.h"
#include "base/util.h"
#include "model/results.h"

#include <stdlib.h>
#include <string.h>

#ifdef SCENMC_HAVE_MPI
#include <mpi.h>
#endif

static int g_active;

int scenmc__mpi_built(void)
{
#ifdef SCENMC_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int scenmc__mpi_launched(void)
{
    const char *force = getenv("SCENMC_MPI");
    if (force && *force)
        return strcmp(force, "0") != 0;
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK",
                                       "MPI_LOCALNRANKS", NULL};
    for (const char *const *v = vars; *v; v++)
        if (getenv(*v))
            return 1;
    return 0;
}

int scenmc__mpi_active(void)
{
    return g_active;
}

#ifdef SCENMC_HAVE_MPI

enum { TAG_STOP = 7177 };
static int g_rank, g_size = 1;
static int g_serialized;        /* MPI calls allowed from any one thread at a time */
static int g_stop_sent, g_stop_seen, g_stop_received;
static MPI_Request *g_stop_req;
static int g_stop_msg = 1;

scenmc_status scenmc__mpi_start(int *rank, int *size, scenmc_error *err)
{
    *rank = 0;
    *size = 1;
    if (!scenmc__mpi_launched())
        return SCENMC_OK;
    if (!g_active) {
        int inited = 0, provided = 0;
        MPI_Initialized(&inited);
        if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
            return scenmc_error_add(err, SCENMC_E_IO, "MPI_Init failed");
        if (inited)
            MPI_Query_thread(&provided);
        g_serialized = provided >= MPI_THREAD_SERIALIZED;
        MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &g_size);
        g_active = 1;
    }
    *rank = g_rank;
    *size = g_size;
    return SCENMC_OK;
}

void scenmc__mpi_finalize(void)
{
    if (!g_active)
        return;
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
    g_active = 0;
}

int scenmc__mpi_max_int(int v, int *who)
{
    if (!g_active) {
        if (who)
            *who = 0;
        return v;
    }
    struct {
        int v, rank;
    } in = {v, g_rank}, out;
    /* MAXLOC: the largest value, and the lowest rank among those holding it. */
    MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD);
    if (who)
        *who = out.rank;
    return out.v;
}

double scenmc__mpi_max_double(double v)
{
    if (!g_active)
        return v;
    double out;
    MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

int scenmc__mpi_bcast_int(int v, int root)
{
    if (g_active)
        MPI_Bcast(&v, 1, MPI_INT, root, MPI_COMM_WORLD);
    return v;
}

int scenmc__mpi_same_as_root(const void *buf, size_t n, int root)
{
    if (!g_active || g_size == 1)
        return 1;
    unsigned char *theirs = scenmc__xmalloc(n ? n : 1);
    if (n)
        memcpy(theirs, buf, n);
    MPI_Bcast(theirs, (int)n, MPI_BYTE, root, MPI_COMM_WORLD);
    int same = memcmp(theirs, buf, n) == 0, all = 0;
    free(theirs);
    MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

/* Sums a uint64 array into root, in pieces that fit an int count. */
static void reduce_u64(uint64_t *buf, size_t n, int root)
{
    const size_t piece = (size_t)1 << 26;
    for (size_t at = 0; at < n; at += piece) {
        int c = (int)(n - at < piece ? n - at : piece);
        if (g_rank == root)
            MPI_Reduce(MPI_IN_PLACE, buf + at, c, MPI_UINT64_T, MPI_SUM, root, MPI_COMM_WORLD);
        else
            MPI_Reduce(buf + at, NULL, c, MPI_UINT64_T, MPI_SUM, root, MPI_COMM_WORLD);
    }
}

int scenmc__mpi_allreduce_sum(void *data, size_t n, int kind)
{
    if (!g_active || g_size == 1)
        return 0;
    /* Integers add exactly in any order; the doubles (a bound) need not. */
    const MPI_Datatype t = kind == 0 ? MPI_INT64_T : kind == 1 ? MPI_UINT64_T : MPI_DOUBLE;
    const size_t piece = (size_t)1 << 26;
    char *b = data;
    for (size_t at = 0; at < n; at += piece) {
        const int c = (int)(n - at < piece ? n - at : piece);
        if (MPI_Allreduce(MPI_IN_PLACE, b + at * 8, c, t, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
            return 1;
    }
    return 0;
}

enum { TAG_TOP = 7178 };

/* Sends a uint64 array to root in pieces that fit an int count. */
static void send_u64(const uint64_t *buf, size_t n, int root)
{
    const size_t piece = (size_t)1 << 26;
    for (size_t at = 0; at < n; at += piece)
        MPI_Send(buf + at, (int)(n - at < piece ? n - at : piece), MPI_UINT64_T, root, TAG_TOP,
                 MPI_COMM_WORLD);
}

static void recv_u64(uint64_t *buf, size_t n, int from)
{
    const size_t piece = (size_t)1 << 26;
    for (size_t at = 0; at < n; at += piece)
        MPI_Recv(buf + at, (int)(n - at < piece ? n - at : piece), MPI_UINT64_T, from, TAG_TOP,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* Top mode: every rank's list of distinct final states goes to root, which
 * adds them by state (rank order does not matter: the list is sorted after). */
static scenmc_status gather_top(scenmc_results *r, int root)
{
    if (g_rank != root) {
        int listed = r->top_list_state != NULL;
        uint64_t head[3] = {(uint64_t)listed, (uint64_t)r->final_state_dropped,
                            listed ? r->n_top_distinct : 0};
        MPI_Send(head, 3, MPI_UINT64_T, root, TAG_TOP, MPI_COMM_WORLD);
        send_u64(r->top_list_state, (size_t)head[2], root);
        send_u64(r->top_list_count, (size_t)head[2], root);
        return SCENMC_OK;
    }
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < g_size; i++) {
        if (i == root)
            continue;
        uint64_t head[3];
        MPI_Recv(head, 3, MPI_UINT64_T, i, TAG_TOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        scenmc_results part;
        memset(&part, 0, sizeof part);
        part.final_state_dropped = (int)head[1];
        part.n_top_distinct = head[2];
        part.top_list_state = scenmc__xcalloc(head[2] ? (size_t)head[2] : 1, sizeof(uint64_t));
        part.top_list_count = scenmc__xcalloc(head[2] ? (size_t)head[2] : 1, sizeof(uint64_t));
        recv_u64(part.top_list_state, (size_t)head[2], i);
        recv_u64(part.top_list_count, (size_t)head[2], i);
        if (!head[0]) { /* a rank that did not keep its list */
            free(part.top_list_state);
            free(part.top_list_count);
            part.top_list_state = part.top_list_count = NULL;
        }
        if (st == SCENMC_OK)
            st = scenmc__results_add_top(r, &part);
        free(part.top_list_state);
        free(part.top_list_count);
    }
    return st;
}

scenmc_status scenmc__mpi_reduce_results(scenmc_results *r, int root, scenmc_error *err)
{
    if (!g_active || g_size == 1)
        return SCENMC_OK;
    /* Every table has the same shape on every rank but a top-states list, which
     * each rank holds for the states it saw: those are added by state. */
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (r->t[k].counts && r->t[k].size && (r->full_states || k != SCENMC_T_FINAL_STATE))
            reduce_u64(r->t[k].counts, r->t[k].size, root);
    uint64_t n = r->n_trajectories;
    reduce_u64(&n, 1, root);
    /* Conditioned runs: the weight sums, exactly. The 128-bit sum of squares
     * goes as four 32-bit limbs (each sum fits in 64 bits for up to 2^32
     * ranks), its carries propagated on the root. */
    uint64_t w[5] = {r->weight_sum, r->weight_sq_sum[0] & 0xffffffffu, r->weight_sq_sum[0] >> 32,
                     r->weight_sq_sum[1] & 0xffffffffu, r->weight_sq_sum[1] >> 32};
    reduce_u64(w, 5, root);
    scenmc_status st = r->full_states ? SCENMC_OK : gather_top(r, root);
    if (g_rank == root) {
        r->weight_sum = w[0];
        r->weight_sq_sum[0] = r->weight_sq_sum[1] = 0;
        scenmc__u128_add(r->weight_sq_sum, w[1], 0);                /* bits 0..31 */
        scenmc__u128_add(r->weight_sq_sum, w[2] << 32, w[2] >> 32); /* 32..63 */
        scenmc__u128_add(r->weight_sq_sum, 0, w[3] + (w[4] << 32));  /* 64..127 */
        r->n_trajectories = n;
        scenmc_results_finalize(r);
    }
    if (st != SCENMC_OK)
        return scenmc_error_add(err, st, "out of memory adding the ranks' final states");
    return SCENMC_OK;
}

scenmc_status scenmc__mpi_gather_ranges(const scenmc_range *mine, size_t n, int root,
                                       scenmc_range **all, size_t *n_all, scenmc_error *err)
{
    *all = NULL;
    *n_all = 0;
    if (!g_active || g_size == 1) {
        *all = scenmc__xcalloc(n ? n : 1, sizeof(scenmc_range));
        memcpy(*all, mine, n * sizeof(scenmc_range));
        *n_all = n;
        return SCENMC_OK;
    }
    (void)err; /* a rank holds a few ranges: its share of a checkpoint's gaps */
    int cnt = (int)(2 * n);
    int *counts = NULL, *displs = NULL;
    uint64_t *buf = NULL;
    if (g_rank == root)
        counts = scenmc__xcalloc((size_t)g_size, sizeof(int));
    MPI_Gather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, root, MPI_COMM_WORLD);
    size_t total = 0;
    if (g_rank == root) {
        displs = scenmc__xcalloc((size_t)g_size, sizeof(int));
        for (int i = 0; i < g_size; i++) {
            displs[i] = (int)total;
            total += (size_t)counts[i];
        }
        buf = scenmc__xcalloc(total ? total : 1, sizeof(uint64_t));
    }
    uint64_t *send = scenmc__xcalloc(n ? 2 * n : 1, sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        send[2 * i] = mine[i].first;
        send[2 * i + 1] = mine[i].last;
    }
    MPI_Gatherv(send, cnt, MPI_UINT64_T, buf, counts, displs, MPI_UINT64_T, root, MPI_COMM_WORLD);
    free(send);
    if (g_rank == root) {
        *n_all = total / 2;
        *all = scenmc__xcalloc(*n_all ? *n_all : 1, sizeof(scenmc_range));
        for (size_t i = 0; i < *n_all; i++) {
            (*all)[i].first = buf[2 * i];
            (*all)[i].last = buf[2 * i + 1];
        }
    }
    free(counts);
    free(displs);
    free(buf);
    return SCENMC_OK;
}

void scenmc__mpi_stop_send(void)
{
    if (!g_active || g_size == 1 || g_stop_sent || !g_serialized)
        return;
    g_stop_sent = 1;
    g_stop_req = scenmc__xcalloc((size_t)g_size, sizeof(MPI_Request));
    for (int i = 0; i < g_size; i++)
        g_stop_req[i] = MPI_REQUEST_NULL;
    for (int i = 0; i < g_size; i++)
        if (i != g_rank)
            MPI_Isend(&g_stop_msg, 1, MPI_INT, i, TAG_STOP, MPI_COMM_WORLD, &g_stop_req[i]);
}

int scenmc__mpi_stop_poll(void)
{
    if (!g_active || g_size == 1 || !g_serialized)
        return 0;
    for (;;) {
        int flag = 0;
        MPI_Status s;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, MPI_COMM_WORLD, &flag, &s);
        if (!flag)
            break;
        int v;
        MPI_Recv(&v, 1, MPI_INT, s.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        g_stop_received++;
        g_stop_seen = 1;
    }
    return g_stop_seen;
}

void scenmc__mpi_stop_drain(void)
{
    if (!g_active || g_size == 1)
        return;
    int senders = 0;
    MPI_Allreduce(&g_stop_sent, &senders, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int expect = senders - g_stop_sent; /* every sender told every other rank once */
    while (g_stop_received < expect) {
        int v;
        MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        g_stop_received++;
    }
    if (g_stop_req) {
        MPI_Waitall(g_size, g_stop_req, MPI_STATUSES_IGNORE);
        free(g_stop_req);
        g_stop_req = NULL;
    }
    g_stop_sent = g_stop_seen = g_stop_received = 0;
}

#else /* built without MPI */

scenmc_status scenmc__mpi_start(int *rank, int *size, scenmc_error *err)
{
    (void)err;
    *rank = 0;
    *size = 1;
    return SCENMC_OK;
}

void scenmc__mpi_finalize(void)
{
}

int scenmc__mpi_max_int(int v, int *who)
{
    if (who)
        *who = 0;
    return v;
}

double scenmc__mpi_max_double(double v)
{
    return v;
}

int scenmc__mpi_bcast_int(int v, int root)
{
    (void)root;
    return v;
}

int scenmc__mpi_same_as_root(const void *buf, size_t n, int root)
{
    (void)buf;
    (void)n;
    (void)root;
    return 1;
}

scenmc_status scenmc__mpi_reduce_results(scenmc_results *r, int root, scenmc_error *err)
{
    (void)r;
    (void)root;
    (void)err;
    return SCENMC_OK;
}

scenmc_status scenmc__mpi_gather_ranges(const scenmc_range *mine, size_t n, int root,
                                       scenmc_range **all, size_t *n_all, scenmc_error *err)
{
    (void)root;
    (void)err;
    *all = scenmc__xcalloc(n ? n : 1, sizeof(scenmc_range));
    memcpy(*all, mine, n * sizeof(scenmc_range));
    *n_all = n;
    return SCENMC_OK;
}

void scenmc__mpi_stop_send(void)
{
}

int scenmc__mpi_stop_poll(void)
{
    return 0;
}

void scenmc__mpi_stop_drain(void)
{
}

int scenmc__mpi_allreduce_sum(void *data, size_t n, int kind)
{
    (void)data;
    (void)n;
    (void)kind;
    return 0;
}

#endif
