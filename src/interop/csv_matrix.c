/* Matrices in CSV files, in and out (docs/interop.md).
 *
 *         ,A1,A2,A3,B1,B2
 *     A1  , 0, 0, 0, 2,-1        rows: the source variant (cross impacts), or
 *     A2  , 0, 0, 0,-1, 1        the first variant of a pair (consistency);
 *     ...                        columns: the target (or second) variant
 *
 * The first row holds the variant labels (its first cell is ignored), and
 * every following row starts with the same label as the column it mirrors.
 * Labels form descriptors by their prefix, the label without its trailing
 * digits (and a separator before them: A1, A_1, A.1 and A-1 all belong to
 * A), or as an explicit map says. Fields are separated by commas, semicolons
 * or tabs (whichever the header row uses most); fields may be quoted "..."
 * with "" for a quote. Empty cells are allowed only where a descriptor meets
 * itself and read as 0.
 */
#include "interop/csv_matrix.h"
#include "interop/common.h"
#include "interop/options.h"
#include "model/draft.h"
#include "base/lexer.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ fields */

typedef struct {
    char **text;   /* [n] unquoted, trimmed field texts */
    size_t *start; /* [n] byte offset of each field in the line */
    int n, cap;
} fields_t;

static void fields_clear(fields_t *F)
{
    for (int k = 0; k < F->n; k++)
        free(F->text[k]);
    F->n = 0;
}

static void fields_free(fields_t *F)
{
    fields_clear(F);
    free(F->text);
    free(F->start);
}

static void fields_push(fields_t *F, char *t, size_t start)
{
    if (F->n == F->cap) {
        F->cap = F->cap ? 2 * F->cap : 64;
        F->text = scenmc__xrealloc(F->text, (size_t)F->cap * sizeof *F->text);
        F->start = scenmc__xrealloc(F->start, (size_t)F->cap * sizeof *F->start);
    }
    F->text[F->n] = t;
    F->start[F->n] = start;
    F->n++;
}

/* Drops empty fields at the end of a row while it has more than keep. */
static void fields_trim(fields_t *F, int keep)
{
    while (F->n > keep && !*F->text[F->n - 1])
        free(F->text[--F->n]);
}

/* The quoted field whose opening quote is at *k: its text, "" read as '"';
 * NULL (and a report) when the quote is not closed on the line. */
static char *quoted_field(const char *file, const scenmc__line *ln, size_t *k, scenmc_error *err)
{
    size_t q = (*k)++;
    char *t = scenmc__xmalloc(ln->len - *k + 1);
    size_t n = 0;
    while (*k < ln->len) {
        if (ln->s[*k] == '"') {
            if (*k + 1 < ln->len && ln->s[*k + 1] == '"') {
                t[n++] = '"';
                *k += 2;
                continue;
            }
            (*k)++;
            t[n] = '\0';
            return t;
        }
        t[n++] = ln->s[(*k)++];
    }
    free(t);
    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: a quoted field is not closed on its line; "
                     "expected a closing '\"'", file, ln->no, scenmc__line_col(ln, q));
    return NULL;
}

/* Splits a line into fields. Returns 0 (and reports) on an unclosed quote. */
static int split_fields(const char *file, const scenmc__line *ln, char delim, fields_t *F,
                        scenmc_error *err)
{
    fields_clear(F);
    size_t k = 0;
    for (;;) {
        while (k < ln->len && (ln->s[k] == ' ' || (ln->s[k] == '\t' && delim != '\t')))
            k++;
        size_t start = k;
        char *t;
        if (k < ln->len && ln->s[k] == '"') {
            if (!(t = quoted_field(file, ln, &k, err)))
                return 0;
            while (k < ln->len && ln->s[k] != delim)
                k++;
        } else {
            while (k < ln->len && ln->s[k] != delim)
                k++;
            size_t e = k;
            while (e > start && (ln->s[e - 1] == ' ' || ln->s[e - 1] == '\t'))
                e--;
            t = scenmc__xmalloc(e - start + 1);
            memcpy(t, ln->s + start, e - start);
            t[e - start] = '\0';
        }
        fields_push(F, t, start);
        if (k >= ln->len)
            break;
        k++; /* the delimiter */
    }
    return 1;
}

/* The delimiter the header uses most, outside quotes; 0 if none. */
static char detect_delim(const scenmc__line *ln)
{
    int cnt[3] = {0, 0, 0};
    const char d[3] = {',', ';', '\t'};
    int q = 0;
    for (size_t k = 0; k < ln->len; k++) {
        if (ln->s[k] == '"')
            q = !q;
        else if (!q)
            for (int i = 0; i < 3; i++)
                cnt[i] += ln->s[k] == d[i];
    }
    int best = 0;
    for (int i = 1; i < 3; i++)
        if (cnt[i] > cnt[best])
            best = i;
    return cnt[best] ? d[best] : 0;
}

/* A finite decimal number (no hex, inf or nan); decimal_comma accepts 0,5. */
static int parse_number(const char *s, int decimal_comma, double *out, int *used_comma)
{
    char buf[80];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n + 1);
    if (decimal_comma && strchr(buf, ',') && !strchr(buf, '.')) {
        char *c = strchr(buf, ',');
        if (strchr(c + 1, ','))
            return 0;
        *c = '.';
        *used_comma = 1;
    }
    for (const char *c = buf; *c; c++)
        if (!isdigit((unsigned char)*c) && !strchr("+-.eE", *c))
            return 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* The descriptor prefix of a label: without trailing digits and then without
 * trailing separators. NULL when the label has no trailing digits or nothing
 * before them. */
static char *label_prefix(const char *label)
{
    size_t n = strlen(label), e = n;
    while (e > 0 && isdigit((unsigned char)label[e - 1]))
        e--;
    if (e == n)
        return NULL;
    while (e > 0 && strchr(" _-.", label[e - 1]))
        e--;
    if (e == 0)
        return NULL;
    char *p = scenmc__xmalloc(e + 1);
    memcpy(p, label, e);
    p[e] = '\0';
    return p;
}

/* s without surrounding white space, in place. */
static char *trim_space(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* ------------------------------------------------------------ grouping */

typedef struct {
    int D;
    char **id;    /* [D] or NULL entries (ids made from names later) */
    char **name;  /* [D] */
    int *n;       /* [D] variants */
    int *col;     /* [V] header column (0-based among the labels) of global variant g */
    int *desc;    /* [V] descriptor of header column c */
} grouping;

static void grouping_alloc(grouping *G, int V)
{
    G->id = scenmc__xcalloc((size_t)V, sizeof(char *));
    G->name = scenmc__xcalloc((size_t)V, sizeof(char *));
    G->n = scenmc__xcalloc((size_t)V, sizeof(int));
    G->col = scenmc__xcalloc((size_t)V, sizeof(int));
    G->desc = scenmc__xcalloc((size_t)V, sizeof(int));
    G->D = 0;
}

static void grouping_free(grouping *G)
{
    for (int d = 0; d < G->D; d++) {
        free(G->id ? G->id[d] : NULL);
        free(G->name ? G->name[d] : NULL);
    }
    free(G->id);
    free(G->name);
    free(G->n);
    free(G->col);
    free(G->desc);
}

/* Each descriptor found by prefix: at least 2 variants, at most the limit. */
static void check_prefix_counts(const char *file, const scenmc__line *hl, const fields_t *H,
                                const grouping *G, const int *first, scenmc_error *err)
{
    int before = err->n_problems;
    for (int d = 0; d < G->D && err->n_problems == before; d++) {
        int col = scenmc__line_col(hl, H->start[first[d] + 1]);
        if (G->n[d] < 2)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: descriptor '%s' has only the label "
                             "'%s'; expected at least 2 variants per descriptor", file, hl->no, col,
                             G->name[d], H->text[first[d] + 1]);
        else if (G->n[d] > SCENMC_MAX_VARIANTS)
            scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:%d: descriptor '%s' has %d variants; "
                             "expected at most %d", file, hl->no, col, G->name[d], G->n[d],
                             SCENMC_MAX_VARIANTS);
    }
}

static int group_by_prefix(const char *file, const scenmc__line *hl, const fields_t *H, int V,
                           grouping *G, scenmc_error *err)
{
    int before = err->n_problems;
    grouping_alloc(G, V);
    int *first = scenmc__xcalloc((size_t)V, sizeof(int));
    for (int c = 0; c < V; c++) {
        const char *label = H->text[c + 1];
        int col = scenmc__line_col(hl, H->start[c + 1]);
        char *p = label_prefix(label);
        if (!p) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: label '%s' does not end in a number "
                             "after its descriptor's letters; expected labels such as A1, A2, B1 "
                             "(or --descriptors 'A=LABEL,LABEL;B=...')", file, hl->no, col, label);
            continue;
        }
        if (G->D > 0 && strcmp(G->name[G->D - 1], p) == 0) {
            G->n[G->D - 1]++;
            G->desc[c] = G->D - 1;
            free(p);
            continue;
        }
        int seen = -1;
        for (int d = 0; d < G->D && seen < 0; d++)
            if (strcmp(G->name[d], p) == 0)
                seen = d;
        if (seen >= 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: label '%s' belongs to descriptor "
                             "'%s', whose labels start at column %d but another descriptor's come "
                             "between; expected each descriptor's labels side by side (or "
                             "--descriptors)", file, hl->no, col, label, p, first[seen] + 2);
            free(p);
            continue;
        }
        if (G->D == SCENMC_MAX_DESCRIPTORS) {
            free(p);
            scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:%d: more than %d descriptors; expected at "
                             "most %d", file, hl->no, col, SCENMC_MAX_DESCRIPTORS,
                             SCENMC_MAX_DESCRIPTORS);
            break;
        }
        G->name[G->D] = p;
        G->n[G->D] = 1;
        first[G->D] = c;
        G->desc[c] = G->D;
        G->D++;
    }
    if (err->n_problems == before)
        check_prefix_counts(file, hl, H, G, first, err);
    for (int c = 0; c < V; c++)
        G->col[c] = c;
    free(first);
    return err->n_problems == before;
}

/* The labels "L1,L2,..." of descriptor d (id) in a --descriptors map; *g
 * counts the variants placed so far. */
static void map_labels(const char *file, char *labels, const char *id, int d, const fields_t *H,
                       int V, grouping *G, int *g, scenmc_error *err)
{
    char *save = NULL;
    for (char *lab = strtok_r(labels, ",", &save); lab; lab = strtok_r(NULL, ",", &save)) {
        lab = trim_space(lab);
        int c = -1;
        for (int j = 0; j < V && c < 0; j++)
            if (strcmp(H->text[j + 1], lab) == 0)
                c = j;
        if (c < 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: label '%s' (descriptor %s) "
                             "is not in the header of %s; expected the file's labels", lab, id,
                             file);
            continue;
        }
        if (G->desc[c] >= 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: label '%s' is placed twice "
                             "(in %s and %s); expected each label in one descriptor", lab,
                             G->id[G->desc[c]], id);
            continue;
        }
        G->desc[c] = d;
        if (*g < V)
            G->col[(*g)++] = c;
        G->n[d]++;
    }
    if (G->n[d] < 2)
        scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor %s has %d label%s; "
                         "expected at least 2", id, G->n[d], G->n[d] == 1 ? "" : "s");
    else if (G->n[d] > SCENMC_MAX_VARIANTS)
        scenmc_error_add(err, SCENMC_E_LIMIT, "--descriptors: descriptor %s has %d labels; "
                         "expected at most %d", id, G->n[d], SCENMC_MAX_VARIANTS);
}

/* One "ID=L1,L2" part of a --descriptors map (not blank); 0 when no more
 * descriptors fit. */
static int map_descriptor(const char *file, char *part, const fields_t *H, int V, grouping *G,
                          int *g, scenmc_error *err)
{
    char *eq = strchr(part, '=');
    if (!eq) {
        scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: '%s' has no '='; expected "
                         "ID=LABEL,LABEL,... for each descriptor, separated by ';'", part);
        return 1;
    }
    *eq = '\0';
    char *id = trim_space(part);
    if (!scenmc__id_valid(id)) {
        scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor id '%s' has "
                         "characters other than letters, digits, '_' and '-'; expected a "
                         "short code such as A", id);
        return 1;
    }
    for (int d = 0; d < G->D; d++)
        if (strcmp(G->id[d], id) == 0)
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor '%s' is given "
                             "twice; expected each once", id);
    if (G->D == V || G->D == SCENMC_MAX_DESCRIPTORS) {
        scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: more descriptors than labels; "
                         "expected at least 2 labels per descriptor");
        return 0;
    }
    int d = G->D++;
    G->id[d] = scenmc__strdup(id);
    G->name[d] = scenmc__strdup(id);
    map_labels(file, eq + 1, id, d, H, V, G, g, err);
    return 1;
}

/* "ID=L1,L2;ID=L3,L4": descriptors in map order, their variants in map order. */
static int group_by_map(const char *file, const char *map, const fields_t *H, int V,
                        grouping *G, scenmc_error *err)
{
    int before = err->n_problems;
    grouping_alloc(G, V);
    for (int c = 0; c < V; c++)
        G->desc[c] = -1;
    int g = 0;
    char *copy = scenmc__strdup(map);
    char *save = NULL;
    for (char *part = strtok_r(copy, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        while (isspace((unsigned char)*part))
            part++;
        if (*part && !map_descriptor(file, part, H, V, G, &g, err))
            break;
    }
    free(copy);
    if (err->n_problems == before && G->D == 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors '%s': no descriptors; expected "
                         "ID=LABEL,LABEL,...;ID=...", map);
    for (int c = 0; c < V && err->n_problems == before; c++)
        if (G->desc[c] < 0)
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors does not place label '%s' "
                             "(column %d of %s); expected every label of the header in one "
                             "descriptor", H->text[c + 1], c + 2, file);
    return err->n_problems == before;
}

/* ------------------------------------------------------------ reader */

typedef struct {
    const char *file;
    const scenmc_import_options *opt;
    scenmc_error *err;
    int before;                   /* err->n_problems when reading began */
    scenmc__lexer L;
    const scenmc__line *hl;        /* the header row */
    char delim;
    fields_t H, F;                /* the header's fields, a row's fields */
    grouping G;
    int V;                        /* labels (variants) */
    const scenmc__line **row_ln;   /* [V] the line of each row */
    double *cell;                 /* [V*V] in file order */
    int used_comma;
} csv_reader;

static int csv_new_problems(const csv_reader *R)
{
    return R->err->n_problems > R->before;
}

/* Every label of the header: present and unique. */
static void check_labels(csv_reader *R)
{
    const scenmc__line *hl = R->hl;
    for (int c = 1; c <= R->V; c++) {
        int col = scenmc__line_col(hl, R->H.start[c]);
        if (!*R->H.text[c]) {
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: the label of column %d is empty; "
                             "expected a variant label such as A1", R->file, hl->no, col, c + 1);
            continue;
        }
        for (int b = 1; b < c; b++)
            if (strcmp(R->H.text[b], R->H.text[c]) == 0) {
                scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: label '%s' is also the label "
                                 "of column %d; expected each label once", R->file, hl->no, col,
                                 R->H.text[c], b + 1);
                break;
            }
    }
}

/* The header row: its delimiter and labels. */
static int read_header(csv_reader *R)
{
    const char *file = R->file;
    const scenmc__line *hl = R->hl = scenmc__lexer_next(&R->L, 0);
    if (!hl) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a header row "
                         "of variant labels (,A1,A2,B1,...) and one row per label", file);
        return 0;
    }
    R->delim = detect_delim(hl);
    if (!R->delim) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: the first row has no ',', ';' or tab; "
                         "expected a header row of variant labels such as ,A1,A2,B1,B2", file,
                         hl->no);
        return 0;
    }
    if (!split_fields(file, hl, R->delim, &R->H, R->err))
        return 0;
    fields_trim(&R->H, 1);
    int V = R->V = R->H.n - 1;
    if (V < 2) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: the header has %d label%s; expected a "
                         "corner cell and then one label per variant (at least 2)", file, hl->no, V,
                         V == 1 ? "" : "s");
        return 0;
    }
    if (V > SCENMC_MAX_TOTAL_VARIANTS) {
        scenmc_error_add(R->err, SCENMC_E_LIMIT, "%s:%d:1: %d labels; expected at most %d variants "
                         "in all", file, hl->no, V, SCENMC_MAX_TOTAL_VARIANTS);
        return 0;
    }
    check_labels(R);
    return !csv_new_problems(R);
}

/* The cells of row r (its fields in R->F); 0 when there are too many problems. */
static int read_cells(csv_reader *R, int r, const scenmc__line *ln)
{
    const char *file = R->file;
    const fields_t *H = &R->H;
    int V = R->V;
    for (int c = 0; c < V; c++) {
        const char *t = R->F.text[c + 1];
        int col = scenmc__line_col(ln, R->F.start[c + 1]);
        double v = 0;
        if (!*t) {
            if (R->G.desc[r] != R->G.desc[c])
                scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is "
                                 "empty; expected a number (0 for none; only cells of a "
                                 "descriptor with itself may be empty)", file, ln->no, col,
                                 H->text[r + 1], H->text[c + 1]);
        } else if (!parse_number(t, R->delim == ';', &v, &R->used_comma)) {
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is '%s'; "
                             "expected a number", file, ln->no, col, H->text[r + 1],
                             H->text[c + 1], t);
        } else if (fabs(v) > 1e9) {
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %s; "
                             "expected a number from -1e9 to 1e9", file, ln->no, col,
                             H->text[r + 1], H->text[c + 1], t);
        }
        R->cell[(size_t)r * (size_t)V + (size_t)c] = v;
        if (R->err->n_problems - R->before >= 50) {
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s: too many problems; stopped reading at "
                             "line %d", file, ln->no);
            return 0;
        }
    }
    return 1;
}

/* Row r on line ln: its field count and label, then its cells; 0 to stop. */
static int read_row(csv_reader *R, int r, const scenmc__line *ln)
{
    const char *file = R->file;
    int V = R->V;
    fields_t *F = &R->F;
    if (!split_fields(file, ln, R->delim, F, R->err))
        return 1;
    fields_trim(F, V + 1);
    if (F->n != V + 1) {
        int col = F->n > V + 1 ? scenmc__line_col(ln, F->start[V + 1])
                               : scenmc__line_col(ln, ln->len) + 1;
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s' has %d fields; expected %d "
                         "(its label and one value per column)", file, ln->no, col,
                         F->n ? F->text[0] : "", F->n, V + 1);
        return 1;
    }
    if (strcmp(F->text[0], R->H.text[r + 1]) != 0) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row label '%s'; expected '%s', the "
                         "label of column %d (rows in the same order as the columns)", file,
                         ln->no, scenmc__line_col(ln, F->start[0]), F->text[0], R->H.text[r + 1],
                         r + 2);
        return 1;
    }
    return read_cells(R, r, ln);
}

/* One row per label, in the header's order, and nothing after them. */
static int read_rows(csv_reader *R)
{
    int V = R->V;
    R->cell = scenmc__xcalloc((size_t)V * (size_t)V, sizeof *R->cell);
    R->row_ln = scenmc__xcalloc((size_t)V, sizeof *R->row_ln);
    for (int r = 0; r < V; r++) {
        const scenmc__line *ln = scenmc__lexer_next(&R->L, 0);
        if (!ln) {
            char where[64];
            snprintf(where, sizeof where, "after %d of the %d rows", r, V);
            scenmc__lexer_truncated(&R->L, where, "one row per label of the header");
            return 0;
        }
        R->row_ln[r] = ln;
        if (!read_row(R, r, ln))
            return 0;
    }
    if (csv_new_problems(R))
        return 0;
    const scenmc__line *ln = scenmc__lexer_next(&R->L, 0);
    if (ln) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: a row after the %d rows of the matrix; "
                         "expected one row per label of the header, and nothing after them",
                         R->file, ln->no, V);
        return 0;
    }
    return 1;
}

/* The column of cell (r, c) on its line, for messages. */
static int cell_col(csv_reader *R, int r, int c)
{
    split_fields(R->file, R->row_ln[r], R->delim, &R->F, R->err);
    return scenmc__line_col(R->row_ln[r], R->F.start[c + 1]);
}

/* A consistency matrix: zero within a descriptor, symmetric. */
static int check_consistency(csv_reader *R)
{
    size_t V = (size_t)R->V;
    const char *const *lab = (const char *const *)R->H.text + 1;
    for (int r = 0; r < R->V; r++)
        for (int c = 0; c < R->V; c++) {
            double x = R->cell[(size_t)r * V + (size_t)c];
            const scenmc__line *ln = R->row_ln[r];
            if (R->G.desc[r] == R->G.desc[c] && x != 0) {
                scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %g, "
                                 "a consistency score within one descriptor; expected 0 or "
                                 "empty (variants of one descriptor exclude each other)", R->file,
                                 ln->no, cell_col(R, r, c), lab[r], lab[c], x);
                return 0;
            }
            double y = R->cell[(size_t)c * V + (size_t)r];
            if (c > r && x != y) {
                int col2 = cell_col(R, c, r);
                scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %g "
                                 "but row '%s', column '%s' (line %d, column %d) is %g; "
                                 "expected a symmetric consistency matrix", R->file, ln->no,
                                 cell_col(R, r, c), lab[r], lab[c], x, lab[c], lab[r],
                                 R->row_ln[c]->no, col2, y);
                return 0;
            }
        }
    return 1;
}

/* The matrix in the draft's variant order, as consistency scores (scored
 * between descriptors) or cross impacts (self-impacts noted), and its scale. */
static void matrix_to_draft(const csv_reader *R, scenmc_model *m, scenmc__notes *N)
{
    size_t VV = (size_t)R->V;
    const int *col = R->G.col;
    double *x = scenmc__xcalloc(VV * VV, sizeof *x);
    double mx = 0;
    for (size_t g = 0; g < VV; g++)
        for (size_t h = 0; h < VV; h++) {
            double v = R->cell[(size_t)col[g] * VV + (size_t)col[h]];
            x[g * VV + h] = v;
            if (fabs(v) > mx)
                mx = fabs(v);
        }
    if (R->opt->consistency) {
        m->consistency = x;
        m->scored = scenmc__xcalloc(VV * VV, 1);
        for (size_t g = 0; g < VV; g++)
            for (size_t h = 0; h < VV; h++)
                m->scored[g * VV + h] = m->variant_descriptor[g] != m->variant_descriptor[h];
        if (mx > 3) {
            m->scale_c[0] = -mx;
            m->scale_c[1] = mx;
        }
        return;
    }
    m->cross_impact = x;
    if (mx > 20) {
        m->scale_x[0] = -mx;
        m->scale_x[1] = mx;
    }
    int self = 0;
    for (size_t g = 0; g < VV; g++)
        for (size_t h = 0; h < VV; h++)
            self += m->variant_descriptor[g] == m->variant_descriptor[h] && x[g * VV + h] != 0;
    if (self)
        scenmc__note(N, "%s: %d self-impacts (non-zero impacts of a descriptor's variants on its "
                    "own variants) kept, as ScenarioWizard counts them", R->file, self);
}

static scenmc_model *to_draft(const csv_reader *R, const char *name, scenmc__notes *N)
{
    const grouping *G = &R->G;
    scenmc_model *m = scenmc__model_draft_new(G->D, G->n);
    scenmc__draft_set_origin(m, name, NULL, "CSV matrix");
    for (int d = 0; d < G->D; d++) {
        m->descriptors[d].id = G->id[d] ? scenmc__strdup(G->id[d]) : NULL;
        m->descriptors[d].name = scenmc__strdup(G->name[d]);
    }
    for (int g = 0; g < R->V; g++)
        m->variant_name[g] = scenmc__strdup(R->H.text[G->col[g] + 1]);
    matrix_to_draft(R, m, N);
    if (R->used_comma)
        scenmc__note(N, "%s: numbers with a decimal comma (0,5) read as decimal numbers", R->file);
    return m;
}

scenmc_status scenmc__csv_read_draft(const char *text, size_t len, const char *name,
                                    const scenmc_import_options *opt, scenmc_model **draft,
                                    char **notes, scenmc_error *err)
{
    *draft = NULL;
    if (notes)
        *notes = NULL;
    scenmc_import_options defaults;
    if (!opt) {
        scenmc_import_options_init(&defaults);
        opt = &defaults;
    }
    char *utf8 = NULL;
    size_t ulen = 0;
    scenmc__notes N;
    scenmc_status st = scenmc__import_text(text, len, name, NULL, &utf8, &ulen, &N, err);
    if (st != SCENMC_OK)
        return st;
    csv_reader R = {.file = name, .opt = opt, .err = err, .before = err->n_problems};
    R.L = (scenmc__lexer){.file = name, .err = err};
    scenmc__lexer_split(&R.L, utf8, ulen);
    scenmc_model *m = NULL;
    if (read_header(&R) &&
        (opt->descriptors ? group_by_map(name, opt->descriptors, &R.H, R.V, &R.G, err)
                          : group_by_prefix(name, R.hl, &R.H, R.V, &R.G, err)) &&
        read_rows(&R) && (!opt->consistency || check_consistency(&R)))
        m = to_draft(&R, name, &N);
    fields_free(&R.H);
    fields_free(&R.F);
    grouping_free(&R.G);
    free(R.cell);
    free(R.row_ln);
    free(R.L.lines);
    free(utf8);
    return scenmc__import_finish(m, &N, R.before, draft, notes, err);
}

/* ------------------------------------------------------------ writer */

static void put_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = n == 0 ? 0 : (s[0] == ' ' || s[n - 1] == ' ' || strpbrk(s, ",;\t\"\r\n") != NULL);
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c == '\r' || *c == '\n' ? ' ' : *c, f);
    }
    fputc('"', f);
}

/* What a consistency matrix written as CSV leaves out or implies. */
static void note_consistency(const scenmc_model *m, const scenmc_export_options *opt,
                             scenmc__notes *N)
{
    size_t VV = (size_t)m->n_variants;
    int D = m->n_descriptors, unscored = 0;
    for (int a = 0; a < D; a++)
        for (int b = a + 1; b < D; b++) {
            size_t u = (size_t)m->descriptors[a].offset, v = (size_t)m->descriptors[b].offset;
            unscored += !m->scored[u * VV + v];
        }
    if (unscored)
        scenmc__note(N, "%d pairs of descriptors are not scored in %s and are written as 0",
                    unscored, m->path);
    if (!opt->consistency)
        scenmc__note(N, "%s has no cross-impact matrix: the consistency matrix is written (import "
                    "it with --consistency)", m->path);
}

/* Labels: the variant names when they already group by prefix into the
 * model's descriptors, else ID1, ID2, ... */
static char **make_labels(const scenmc_model *m)
{
    char **label = scenmc__xcalloc((size_t)m->n_variants, sizeof(char *));
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *Dd = &m->descriptors[d];
        int names_ok = 1;
        for (int b = 0; b < Dd->n_variants && names_ok; b++) {
            char *p = label_prefix(m->variant_name[Dd->offset + b]);
            names_ok = p && strcmp(p, Dd->id) == 0;
            free(p);
        }
        size_t idl = strlen(Dd->id);
        int digit_end = idl && isdigit((unsigned char)Dd->id[idl - 1]);
        for (int b = 0; b < Dd->n_variants; b++) {
            int g = Dd->offset + b;
            if (names_ok) {
                label[g] = scenmc__strdup(m->variant_name[g]);
            } else {
                label[g] = scenmc__xmalloc(idl + 16);
                snprintf(label[g], idl + 16, "%s%s%d", Dd->id, digit_end ? "_" : "", b + 1);
            }
        }
    }
    return label;
}

/* Whether the labels group back into the model's descriptors by prefix. */
static int labels_regroup(const scenmc_model *m, char *const *label)
{
    int regroups = 1, D = m->n_descriptors;
    for (int g = 0; g < m->n_variants && regroups; g++) {
        char *p = label_prefix(label[g]);
        const char *id = m->descriptors[m->variant_descriptor[g]].id;
        regroups = p && strcmp(p, id) == 0;
        free(p);
        for (int h = 0; h < g && regroups; h++)
            regroups = strcmp(label[h], label[g]) != 0;
    }
    for (int a = 0; a < D && regroups; a++)
        for (int b = a + 1; b < D && regroups; b++)
            regroups = strcmp(m->descriptors[a].id, m->descriptors[b].id) != 0;
    return regroups;
}

/* The --descriptors map that re-imports labels that do not regroup. */
static void note_map(const scenmc_model *m, char *const *label, scenmc__notes *N)
{
    char *map = NULL;
    size_t ms = 0;
    FILE *mf = open_memstream(&map, &ms);
    if (!mf)
        return;
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *Dd = &m->descriptors[d];
        fprintf(mf, "%s%s=", d ? ";" : "", Dd->id);
        for (int b = 0; b < Dd->n_variants; b++)
            fprintf(mf, "%s%s", b ? "," : "", label[Dd->offset + b]);
    }
    fclose(mf);
    scenmc__note(N, "the labels do not form the model's descriptors by their prefixes; import "
                "the file with --descriptors '%s'", map ? map : "");
    free(map);
}

static void put_matrix(FILE *f, const scenmc_model *m, const double *M, char *const *label,
                       const char *eol)
{
    size_t VV = (size_t)m->n_variants;
    for (size_t g = 0; g < VV; g++) {
        fputc(',', f);
        put_field(f, label[g]);
    }
    fputs(eol, f);
    char num[40];
    for (size_t u = 0; u < VV; u++) {
        put_field(f, label[u]);
        for (size_t v = 0; v < VV; v++) {
            scenmc__format_double(num, M[u * VV + v]);
            fprintf(f, ",%s", num);
        }
        fputs(eol, f);
    }
}

scenmc_status scenmc__csv_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err)
{
    scenmc_export_options defaults;
    opt = scenmc__export_begin(opt, &defaults, text, len, notes);
    int use_c = opt->consistency || !m->cross_impact;
    scenmc__notes N;
    scenmc__notes_open(&N);
    if (use_c)
        note_consistency(m, opt, &N);
    char **label = make_labels(m);
    if (!labels_regroup(m, label))
        note_map(m, label, &N);

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f)
        put_matrix(f, m, use_c ? m->consistency : m->cross_impact, label, opt->crlf ? "\r\n" : "\n");
    for (int g = 0; g < m->n_variants; g++)
        free(label[g]);
    free(label);
    if (!f) {
        scenmc__notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    }
    if (fclose(f) != 0 || !buf) {
        free(buf);
        scenmc__notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the CSV text");
    }
    *text = buf;
    if (len)
        *len = size;
    scenmc__notes_close(&N, notes);
    return SCENMC_OK;
}

scenmc_status scenmc_csv_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err)
{
    return scenmc__export_write(scenmc__csv_format, path, m, opt, notes, err);
}
