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
#include "interop/options.h"
#include "model/draft.h"
#include "base/atomic_file.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ lines and fields */

typedef struct {
    const char *s;
    size_t len;
    int no;
} line_t;

static line_t *split_lines(const char *text, size_t len, int *n_out, int *last_no)
{
    int cap = 64, n = 0, no = 1;
    line_t *lines = scenmc_xmalloc((size_t)cap * sizeof *lines);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        size_t e = i;
        if (e > start && text[e - 1] == '\r')
            e--;
        if (n == cap) {
            cap *= 2;
            lines = realloc(lines, (size_t)cap * sizeof *lines);
            if (!lines) {
                fprintf(stderr, "scenmc: out of memory\n");
                exit(3);
            }
        }
        lines[n++] = (line_t){text + start, e - start, no++};
        start = i + 1;
    }
    *n_out = n;
    *last_no = no - 1;
    return lines;
}

static int char_col(const line_t *ln, size_t off)
{
    int col = 1;
    for (size_t k = 0; k < off && k < ln->len; k++)
        if (((unsigned char)ln->s[k] & 0xC0) != 0x80)
            col++;
    return col;
}

static int blank(const line_t *ln)
{
    for (size_t k = 0; k < ln->len; k++)
        if (ln->s[k] != ' ' && ln->s[k] != '\t')
            return 0;
    return 1;
}

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
        F->text = realloc(F->text, (size_t)F->cap * sizeof *F->text);
        F->start = realloc(F->start, (size_t)F->cap * sizeof *F->start);
        if (!F->text || !F->start) {
            fprintf(stderr, "scenmc: out of memory\n");
            exit(3);
        }
    }
    F->text[F->n] = t;
    F->start[F->n] = start;
    F->n++;
}

/* Splits a line into fields. Returns 0 (and reports) on an unclosed quote. */
static int split_fields(const char *file, const line_t *ln, char delim, fields_t *F,
                        scenmc_error *err)
{
    fields_clear(F);
    size_t k = 0;
    for (;;) {
        size_t a = k;
        while (k < ln->len && (ln->s[k] == ' ' || (ln->s[k] == '\t' && delim != '\t')))
            k++;
        size_t start = k;
        char *t;
        if (k < ln->len && ln->s[k] == '"') {
            size_t q = k++;
            t = scenmc_xmalloc(ln->len - k + 1);
            size_t n = 0;
            int closed = 0;
            while (k < ln->len) {
                if (ln->s[k] == '"') {
                    if (k + 1 < ln->len && ln->s[k + 1] == '"') {
                        t[n++] = '"';
                        k += 2;
                        continue;
                    }
                    k++;
                    closed = 1;
                    break;
                }
                t[n++] = ln->s[k++];
            }
            t[n] = '\0';
            if (!closed) {
                free(t);
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: a quoted field is not closed on "
                                 "its line; expected a closing '\"'", file, ln->no,
                                 char_col(ln, q));
                return 0;
            }
            while (k < ln->len && ln->s[k] != delim)
                k++;
        } else {
            while (k < ln->len && ln->s[k] != delim)
                k++;
            size_t e = k;
            while (e > start && (ln->s[e - 1] == ' ' || ln->s[e - 1] == '\t'))
                e--;
            t = scenmc_xmalloc(e - start + 1);
            memcpy(t, ln->s + start, e - start);
            t[e - start] = '\0';
        }
        (void)a;
        fields_push(F, t, start);
        if (k >= ln->len)
            break;
        k++; /* the delimiter */
    }
    return 1;
}

/* The delimiter the header uses most, outside quotes; 0 if none. */
static char detect_delim(const line_t *ln)
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
    char *p = scenmc_xmalloc(e + 1);
    memcpy(p, label, e);
    p[e] = '\0';
    return p;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return 0;
    return 1;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
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

static int group_by_prefix(const char *file, const line_t *hl, const fields_t *H, int V,
                           grouping *G, scenmc_error *err)
{
    int before = err->n_problems;
    G->id = scenmc_xcalloc((size_t)V, sizeof(char *));
    G->name = scenmc_xcalloc((size_t)V, sizeof(char *));
    G->n = scenmc_xcalloc((size_t)V, sizeof(int));
    G->col = scenmc_xcalloc((size_t)V, sizeof(int));
    G->desc = scenmc_xcalloc((size_t)V, sizeof(int));
    int *first = scenmc_xcalloc((size_t)V, sizeof(int));
    G->D = 0;
    for (int c = 0; c < V; c++) {
        const char *label = H->text[c + 1];
        int col = char_col(hl, H->start[c + 1]);
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
    for (int d = 0; d < G->D && err->n_problems == before; d++) {
        int col = char_col(hl, H->start[first[d] + 1]);
        if (G->n[d] < 2)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: descriptor '%s' has only the label "
                             "'%s'; expected at least 2 variants per descriptor", file, hl->no, col,
                             G->name[d], H->text[first[d] + 1]);
        else if (G->n[d] > SCENMC_MAX_VARIANTS)
            scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:%d: descriptor '%s' has %d variants; "
                             "expected at most %d", file, hl->no, col, G->name[d], G->n[d],
                             SCENMC_MAX_VARIANTS);
    }
    for (int c = 0; c < V; c++)
        G->col[c] = c;
    free(first);
    return err->n_problems == before;
}

/* "ID=L1,L2;ID=L3,L4": descriptors in map order, their variants in map order. */
static int group_by_map(const char *file, const char *map, const fields_t *H, int V,
                        grouping *G, scenmc_error *err)
{
    int before = err->n_problems;
    G->id = scenmc_xcalloc((size_t)V, sizeof(char *));
    G->name = scenmc_xcalloc((size_t)V, sizeof(char *));
    G->n = scenmc_xcalloc((size_t)V, sizeof(int));
    G->col = scenmc_xcalloc((size_t)V, sizeof(int));
    G->desc = scenmc_xcalloc((size_t)V, sizeof(int));
    for (int c = 0; c < V; c++)
        G->desc[c] = -1;
    G->D = 0;
    int g = 0;
    char *copy = scenmc_strdup(map);
    char *save1 = NULL;
    for (char *part = strtok_r(copy, ";", &save1); part; part = strtok_r(NULL, ";", &save1)) {
        while (isspace((unsigned char)*part))
            part++;
        if (!*part)
            continue;
        char *eq = strchr(part, '=');
        if (!eq) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: '%s' has no '='; expected "
                             "ID=LABEL,LABEL,... for each descriptor, separated by ';'", part);
            continue;
        }
        *eq = '\0';
        char *id = part;
        size_t n = strlen(id);
        while (n && isspace((unsigned char)id[n - 1]))
            id[--n] = '\0';
        if (!valid_id(id)) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor id '%s' has "
                             "characters other than letters, digits, '_' and '-'; expected a "
                             "short code such as A", id);
            continue;
        }
        for (int d = 0; d < G->D; d++)
            if (strcmp(G->id[d], id) == 0)
                scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor '%s' is given "
                                 "twice; expected each once", id);
        if (G->D == V || G->D == SCENMC_MAX_DESCRIPTORS) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: more descriptors than labels; "
                             "expected at least 2 labels per descriptor");
            break;
        }
        int d = G->D++;
        G->id[d] = scenmc_strdup(id);
        G->name[d] = scenmc_strdup(id);
        char *save2 = NULL;
        for (char *lab = strtok_r(eq + 1, ",", &save2); lab; lab = strtok_r(NULL, ",", &save2)) {
            while (isspace((unsigned char)*lab))
                lab++;
            size_t k = strlen(lab);
            while (k && isspace((unsigned char)lab[k - 1]))
                lab[--k] = '\0';
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
            if (g < V)
                G->col[g++] = c;
            G->n[d]++;
        }
        if (G->n[d] < 2)
            scenmc_error_add(err, SCENMC_E_INPUT, "--descriptors: descriptor %s has %d label%s; "
                             "expected at least 2", id, G->n[d], G->n[d] == 1 ? "" : "s");
        else if (G->n[d] > SCENMC_MAX_VARIANTS)
            scenmc_error_add(err, SCENMC_E_LIMIT, "--descriptors: descriptor %s has %d labels; "
                             "expected at most %d", id, G->n[d], SCENMC_MAX_VARIANTS);
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

scenmc_status scenmc_csv_read_draft(const char *text, size_t len, const char *name,
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
    const char *file = name;
    char *utf8 = NULL;
    size_t ulen = 0;
    int converted = 0;
    scenmc_status st = scenmc_text_to_utf8(text, len, name, &utf8, &ulen, &converted, err);
    if (st != SCENMC_OK)
        return st;
    int before = err->n_problems;
    scenmc_notes N;
    scenmc_notes_open(&N);
    if (converted)
        scenmc_note(&N, "%s: not UTF-8; read as Windows-1252", file);
    int nl = 0, last_no = 0;
    line_t *lines = split_lines(utf8, ulen, &nl, &last_no);
    int li = 0;
    while (li < nl && blank(&lines[li]))
        li++;
    fields_t H = {0}, F = {0};
    grouping G = {0};
    int V = 0, *row_line = NULL;
    double *cell = NULL;
    scenmc_model *m = NULL;
    char delim = 0;
    int used_comma = 0;

    if (li == nl) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a header row "
                         "of variant labels (,A1,A2,B1,...) and one row per label", file);
        goto done;
    }
    const line_t *hl = &lines[li++];
    delim = detect_delim(hl);
    if (!delim) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the first row has no ',', ';' or tab; "
                         "expected a header row of variant labels such as ,A1,A2,B1,B2", file,
                         hl->no);
        goto done;
    }
    if (!split_fields(file, hl, delim, &H, err))
        goto done;
    while (H.n > 1 && !*H.text[H.n - 1]) {
        free(H.text[--H.n]);
    }
    V = H.n - 1;
    if (V < 2) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the header has %d label%s; expected a "
                         "corner cell and then one label per variant (at least 2)", file, hl->no, V,
                         V == 1 ? "" : "s");
        goto done;
    }
    if (V > SCENMC_MAX_TOTAL_VARIANTS) {
        scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:1: %d labels; expected at most %d variants in "
                         "all", file, hl->no, V, SCENMC_MAX_TOTAL_VARIANTS);
        goto done;
    }
    for (int c = 1; c <= V; c++) {
        int col = char_col(hl, H.start[c]);
        if (!*H.text[c]) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: the label of column %d is empty; "
                             "expected a variant label such as A1", file, hl->no, col, c + 1);
            continue;
        }
        for (int b = 1; b < c; b++)
            if (strcmp(H.text[b], H.text[c]) == 0) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: label '%s' is also the label of "
                                 "column %d; expected each label once", file, hl->no, col,
                                 H.text[c], b + 1);
                break;
            }
    }
    if (err->n_problems > before)
        goto done;
    if (opt->descriptors ? !group_by_map(file, opt->descriptors, &H, V, &G, err)
                         : !group_by_prefix(file, hl, &H, V, &G, err))
        goto done;

    /* The rows. */
    cell = scenmc_xcalloc((size_t)V * (size_t)V, sizeof *cell);
    row_line = scenmc_xcalloc((size_t)V, sizeof(int));
    for (int r = 0; r < V; r++) {
        while (li < nl && blank(&lines[li]))
            li++;
        if (li == nl) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the file ends after %d of the %d rows; "
                             "expected one row per label of the header (is the file truncated?)",
                             file, last_no + 1, r, V);
            goto done;
        }
        const line_t *ln = &lines[li];
        row_line[r] = li++;
        if (!split_fields(file, ln, delim, &F, err))
            continue;
        while (F.n > V + 1 && !*F.text[F.n - 1])
            free(F.text[--F.n]);
        if (F.n != V + 1) {
            int col = F.n > V + 1 ? char_col(ln, F.start[V + 1]) : char_col(ln, ln->len) + 1;
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s' has %d fields; expected %d "
                             "(its label and one value per column)", file, ln->no, col,
                             F.n ? F.text[0] : "", F.n, V + 1);
            continue;
        }
        if (strcmp(F.text[0], H.text[r + 1]) != 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row label '%s'; expected '%s', the "
                             "label of column %d (rows in the same order as the columns)", file,
                             ln->no, char_col(ln, F.start[0]), F.text[0], H.text[r + 1], r + 2);
            continue;
        }
        for (int c = 0; c < V; c++) {
            const char *t = F.text[c + 1];
            int col = char_col(ln, F.start[c + 1]);
            double v = 0;
            if (!*t) {
                if (G.desc[r] != G.desc[c])
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is "
                                     "empty; expected a number (0 for none; only cells of a "
                                     "descriptor with itself may be empty)", file, ln->no, col,
                                     H.text[r + 1], H.text[c + 1]);
            } else if (!parse_number(t, delim == ';', &v, &used_comma)) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is '%s'; "
                                 "expected a number", file, ln->no, col, H.text[r + 1],
                                 H.text[c + 1], t);
            } else if (fabs(v) > 1e9) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %s; "
                                 "expected a number from -1e9 to 1e9", file, ln->no, col,
                                 H.text[r + 1], H.text[c + 1], t);
            }
            cell[(size_t)r * (size_t)V + (size_t)c] = v;
            if (err->n_problems - before >= 50) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s: too many problems; stopped reading at "
                                 "line %d", file, ln->no);
                goto done;
            }
        }
    }
    if (err->n_problems > before)
        goto done;
    while (li < nl && blank(&lines[li]))
        li++;
    if (li < nl) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: a row after the %d rows of the matrix; "
                         "expected one row per label of the header, and nothing after them", file,
                         lines[li].no, V);
        goto done;
    }

    /* Consistency: zero within a descriptor, symmetric. */
    if (opt->consistency) {
        for (int r = 0; r < V; r++)
            for (int c = 0; c < V; c++) {
                double x = cell[(size_t)r * (size_t)V + (size_t)c];
                const line_t *ln = &lines[row_line[r]];
                if (G.desc[r] == G.desc[c] && x != 0) {
                    split_fields(file, ln, delim, &F, err);
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %g, "
                                     "a consistency score within one descriptor; expected 0 or "
                                     "empty (variants of one descriptor exclude each other)", file,
                                     ln->no, char_col(ln, F.start[c + 1]), H.text[r + 1],
                                     H.text[c + 1], x);
                    goto done;
                }
                if (c > r && x != cell[(size_t)c * (size_t)V + (size_t)r]) {
                    const line_t *l2 = &lines[row_line[c]];
                    split_fields(file, l2, delim, &F, err);
                    int col2 = char_col(l2, F.start[r + 1]);
                    split_fields(file, ln, delim, &F, err);
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row '%s', column '%s' is %g "
                                     "but row '%s', column '%s' (line %d, column %d) is %g; "
                                     "expected a symmetric consistency matrix", file, ln->no,
                                     char_col(ln, F.start[c + 1]), H.text[r + 1], H.text[c + 1],
                                     x, H.text[c + 1], H.text[r + 1], l2->no, col2,
                                     cell[(size_t)c * (size_t)V + (size_t)r]);
                    goto done;
                }
            }
    }

    /* The draft. */
    m = scenmc_model_draft_new(G.D, G.n);
    {
        char stem[256];
        snprintf(stem, sizeof stem, "%s", base_of(name));
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        m->name = scenmc_strdup(stem);
        size_t sl = strlen(base_of(name)) + 32;
        m->source = scenmc_xmalloc(sl);
        snprintf(m->source, sl, "CSV matrix %s", base_of(name));
    }
    for (int d = 0; d < G.D; d++) {
        m->descriptors[d].id = G.id[d] ? scenmc_strdup(G.id[d]) : NULL;
        m->descriptors[d].name = scenmc_strdup(G.name[d]);
    }
    for (int g = 0; g < V; g++)
        m->variant_name[g] = scenmc_strdup(H.text[G.col[g] + 1]);
    {
        size_t VV = (size_t)V;
        double *x = scenmc_xcalloc(VV * VV, sizeof *x);
        double mx = 0;
        for (size_t g = 0; g < VV; g++)
            for (size_t h = 0; h < VV; h++) {
                double v = cell[(size_t)G.col[g] * VV + (size_t)G.col[h]];
                x[g * VV + h] = v;
                if (fabs(v) > mx)
                    mx = fabs(v);
            }
        if (opt->consistency) {
            m->consistency = x;
            m->scored = scenmc_xcalloc(VV * VV, 1);
            for (size_t g = 0; g < VV; g++)
                for (size_t h = 0; h < VV; h++)
                    m->scored[g * VV + h] = m->variant_descriptor[g] != m->variant_descriptor[h];
            if (mx > 3) {
                m->scale_c[0] = -mx;
                m->scale_c[1] = mx;
            }
        } else {
            m->cross_impact = x;
            if (mx > 20) {
                m->scale_x[0] = -mx;
                m->scale_x[1] = mx;
            }
            int self = 0;
            for (size_t g = 0; g < VV; g++)
                for (size_t h = 0; h < VV; h++)
                    self += m->variant_descriptor[g] == m->variant_descriptor[h] &&
                            x[g * VV + h] != 0;
            if (self)
                scenmc_note(&N, "%s: %d self-impacts (non-zero impacts of a descriptor's variants on its "
                     "own variants) kept, as ScenarioWizard counts them", file, self);
        }
    }
    if (used_comma)
        scenmc_note(&N, "%s: numbers with a decimal comma (0,5) read as decimal numbers", file);

done:
    fields_free(&H);
    fields_free(&F);
    grouping_free(&G);
    free(cell);
    free(row_line);
    free(lines);
    free(utf8);
    if (err->n_problems > before) {
        scenmc_model_free(m);
        scenmc_notes_close(&N, NULL);
        return err->code ? err->code : SCENMC_E_INPUT;
    }
    scenmc_notes_close(&N, notes);
    *draft = m;
    return SCENMC_OK;
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

scenmc_status scenmc_csv_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err)
{
    *text = NULL;
    if (len)
        *len = 0;
    if (notes)
        *notes = NULL;
    scenmc_export_options defaults;
    if (!opt) {
        scenmc_export_options_init(&defaults);
        opt = &defaults;
    }
    int V = m->n_variants, D = m->n_descriptors;
    size_t VV = (size_t)V;
    int use_c = opt->consistency || !m->cross_impact;
    const double *M = use_c ? m->consistency : m->cross_impact;
    scenmc_notes N;
    scenmc_notes_open(&N);
    if (use_c) {
        int unscored = 0;
        for (int a = 0; a < D; a++)
            for (int b = a + 1; b < D; b++) {
                size_t u = (size_t)m->descriptors[a].offset, v = (size_t)m->descriptors[b].offset;
                unscored += !m->scored[u * VV + v];
            }
        if (unscored)
            scenmc_note(&N, "%d pairs of descriptors are not scored in %s and are written as 0", unscored,
                 m->path);
        if (!opt->consistency)
            scenmc_note(&N, "%s has no cross-impact matrix: the consistency matrix is written (import it "
                 "with --consistency)", m->path);
    }

    /* Labels: the variant names when they already group by prefix into the
     * model's descriptors, else ID1, ID2, ... */
    char **label = scenmc_xcalloc(VV, sizeof(char *));
    for (int d = 0; d < D; d++) {
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
                label[g] = scenmc_strdup(m->variant_name[g]);
            } else {
                label[g] = scenmc_xmalloc(idl + 16);
                snprintf(label[g], idl + 16, "%s%s%d", Dd->id, digit_end ? "_" : "", b + 1);
            }
        }
    }
    /* Would the labels group back into these descriptors by prefix? */
    int regroups = 1;
    for (int g = 0; g < V && regroups; g++) {
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
    if (!regroups) {
        char *map = NULL;
        size_t ms = 0;
        FILE *mf = open_memstream(&map, &ms);
        if (mf) {
            for (int d = 0; d < D; d++) {
                const scenmc_descriptor *Dd = &m->descriptors[d];
                fprintf(mf, "%s%s=", d ? ";" : "", Dd->id);
                for (int b = 0; b < Dd->n_variants; b++)
                    fprintf(mf, "%s%s", b ? "," : "", label[Dd->offset + b]);
            }
            fclose(mf);
            scenmc_note(&N, "the labels do not form the model's descriptors by their prefixes; import "
                 "the file with --descriptors '%s'", map ? map : "");
            free(map);
        }
    }

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f) {
        for (int g = 0; g < V; g++)
            free(label[g]);
        free(label);
        scenmc_notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    }
    const char *eol = opt->crlf ? "\r\n" : "\n";
    for (int g = 0; g < V; g++) {
        fputc(',', f);
        put_field(f, label[g]);
    }
    fputs(eol, f);
    char num[40];
    for (size_t u = 0; u < VV; u++) {
        put_field(f, label[u]);
        for (size_t v = 0; v < VV; v++) {
            scenmc_format_double(num, M[u * VV + v]);
            fprintf(f, ",%s", num);
        }
        fputs(eol, f);
    }
    for (int g = 0; g < V; g++)
        free(label[g]);
    free(label);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        scenmc_notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the CSV text");
    }
    *text = buf;
    if (len)
        *len = size;
    scenmc_notes_close(&N, notes);
    return SCENMC_OK;
}

scenmc_status scenmc_csv_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = scenmc_csv_format(m, opt, &text, &len, notes, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc_write_text_file(path, text, len, opt && opt->force, err);
    free(text);
    return st;
}
