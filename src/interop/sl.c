/* ScenarioWizard solution lists (.sl): read, and compared with the consistent
 * states that scenmc's CIB analysis finds. */
#include "interop/sl.h"
#include "cib/cib.h"
#include "base/lexer.h"
#include "base/text.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 100 /* scenarios listed per category in a comparison report */

/* ------------------------------------------------------------ solution lists */

void scenmc_sl_free(scenmc_sl_solution *s, int n)
{
    if (!s)
        return;
    for (int k = 0; k < n; k++) {
        free(s[k].state);
        free(s[k].name);
    }
    free(s);
}

/* The index of the first character from k on that is not a blank. */
static size_t skip_blanks(const scenmc__line *ln, size_t k, size_t end)
{
    while (k < end && (ln->s[k] == ' ' || ln->s[k] == '\t'))
        k++;
    return k;
}

/* The variant numbers between the quotes q..e of a scenario line, 1-based
 * and within range; 1 when there are D of them and all are good. */
static int parse_state(scenmc__lexer *L, const scenmc__line *ln, size_t k, size_t q, size_t e,
                       const scenmc_model *m, scenmc_sl_solution *sol)
{
    const char *file = L->file;
    int D = m->n_descriptors;
    sol->state = scenmc__xcalloc((size_t)D, sizeof(int));
    sol->line = ln->no;
    int count = 0, ok = 1;
    for (size_t p = skip_blanks(ln, q, e); p < e; p = skip_blanks(ln, p, e)) {
        size_t a = p;
        while (p < e && ln->s[p] != ' ' && ln->s[p] != '\t')
            p++;
        long v;
        if (!scenmc__parse_long(ln->s + a, p - a, &v)) {
            scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: variant number '%.*s'; expected "
                             "a whole number", file, ln->no, scenmc__line_col(ln, a), (int)(p - a),
                             ln->s + a);
            ok = 0;
        } else if (count < D) {
            const scenmc_descriptor *Dd = &m->descriptors[count];
            if (v < 1 || v > Dd->n_variants) {
                scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: variant %ld of descriptor %d "
                                 "(%s); expected 1 to %d", file, ln->no, scenmc__line_col(ln, a), v,
                                 count + 1, Dd->id, Dd->n_variants);
                ok = 0;
            } else {
                sol->state[count] = (int)v - 1;
            }
        }
        count++;
    }
    if (count != D) {
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: the scenario has %d variants; expected "
                         "%d (one per descriptor of %s)", file, ln->no, scenmc__line_col(ln, k),
                         count, D, m->path ? m->path : "the model");
        return -1;
    }
    return ok;
}

/* The number in the column that starts at p; 0 (and a report) when it is not one. */
static int parse_value(scenmc__lexer *L, const scenmc__line *ln, size_t *p, scenmc_sl_solution *sol)
{
    size_t a = *p;
    while (*p < ln->len && ln->s[*p] != ',')
        (*p)++;
    size_t b = *p;
    while (b > a && (ln->s[b - 1] == ' ' || ln->s[b - 1] == '\t'))
        b--;
    char tmp[64];
    size_t n = b - a < 63 ? b - a : 63;
    memcpy(tmp, ln->s + a, n);
    tmp[n] = '\0';
    char *end;
    double x = strtod(tmp, &end);
    if (!n || *end || !isfinite(x)) {
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: column '%s'; expected a number",
                         L->file, ln->no, scenmc__line_col(ln, a), tmp);
        return 0;
    }
    if (sol->n_values < 4)
        sol->values[sol->n_values++] = x;
    return 1;
}

/* The columns after the state (from p): up to four numbers, then a quoted name. */
static int parse_columns(scenmc__lexer *L, const scenmc__line *ln, size_t p,
                         scenmc_sl_solution *sol)
{
    sol->n_values = 0;
    while (p < ln->len) {
        p = skip_blanks(ln, p, ln->len);
        if (p == ln->len)
            break;
        if (ln->s[p] != ',') {
            scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: '%c' after a column; expected ','",
                             L->file, ln->no, scenmc__line_col(ln, p), ln->s[p]);
            return 0;
        }
        p = skip_blanks(ln, p + 1, ln->len);
        if (p < ln->len && ln->s[p] == '"') {
            size_t a = p + 1, b = a;
            while (b < ln->len && ln->s[b] != '"')
                b++;
            free(sol->name);
            sol->name = scenmc__xmalloc(b - a + 1);
            memcpy(sol->name, ln->s + a, b - a);
            sol->name[b - a] = '\0';
            p = b < ln->len ? b + 1 : b;
            continue;
        }
        if (!parse_value(L, ln, &p, sol))
            return 0;
    }
    return 1;
}

/* Parses one solution line; 1 on success (problems go to err). */
static int sl_line(scenmc__lexer *L, const scenmc__line *ln, const scenmc_model *m,
                   scenmc_sl_solution *sol)
{
    const char *file = L->file;
    size_t k = skip_blanks(ln, 0, ln->len);
    if (k == ln->len || ln->s[k] != '"') {
        char ex[64];
        scenmc__line_excerpt(ln, ex);
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: '%s'; expected a scenario line "
                         "\" v1 v2 ... vD\",W,C,I,TIS,\"name\"", file, ln->no,
                         scenmc__line_col(ln, k), ex);
        return 0;
    }
    size_t q = k + 1, e = q;
    while (e < ln->len && ln->s[e] != '"')
        e++;
    if (e == ln->len) {
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: the scenario's quotes are not "
                         "closed; expected \" v1 v2 ... vD\"", file, ln->no,
                         scenmc__line_col(ln, k));
        return 0;
    }
    int ok = parse_state(L, ln, k, q, e, m, sol);
    if (ok < 0 || !parse_columns(L, ln, e + 1, sol))
        return 0;
    if (!sol->name)
        sol->name = scenmc__strdup("");
    return ok;
}

/* The first three lines: "$ ScenarioWizard", "Solution set" and the count of
 * scenarios (*declared, on line *count_line); 0 on a problem. */
static int sl_header(scenmc__lexer *L, long *declared, int *count_line)
{
    static const char magic[] = "$ ScenarioWizard";
    const char *name = L->file;
    char ex[64];
    const scenmc__line *ln = scenmc__lexer_next(L, 0);
    if (!ln) {
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a "
                         "ScenarioWizard solution list starting with '$ ScenarioWizard 3.0'", name);
        return 0;
    }
    if (ln->len < sizeof magic - 1 || memcmp(ln->s, magic, sizeof magic - 1) != 0) {
        scenmc__line_excerpt(ln, ex);
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:1: '%s'; expected '$ ScenarioWizard 3.0' "
                         "(a ScenarioWizard solution list)", name, ln->no, ex);
        return 0;
    }
    if (!(ln = scenmc__lexer_next(L, 0))) {
        scenmc__lexer_truncated(L, "after the header", "'Solution set'");
        return 0;
    }
    char *t = scenmc__clean_name(ln->s, ln->len);
    int good = strcmp(t, "Solution set") == 0;
    free(t);
    if (!good) {
        scenmc__line_excerpt(ln, ex);
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:1: '%s'; expected 'Solution set'", name,
                         ln->no, ex);
        return 0;
    }
    if (!(ln = scenmc__lexer_next(L, 0))) {
        scenmc__lexer_truncated(L, "after 'Solution set'", "the number of scenarios");
        return 0;
    }
    size_t a = skip_blanks(ln, 0, ln->len), b = ln->len;
    while (b > a && (ln->s[b - 1] == ' ' || ln->s[b - 1] == '\t'))
        b--;
    if (!scenmc__parse_long(ln->s + a, b - a, declared) || *declared < 0) {
        scenmc__line_excerpt(ln, ex);
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: '%s'; expected the number of "
                         "scenarios", name, ln->no, scenmc__line_col(ln, a), ex);
        return 0;
    }
    *count_line = ln->no;
    return 1;
}

/* The scenario lines, as many as there are; stops after 50 problems. */
static scenmc_sl_solution *sl_solutions(scenmc__lexer *L, const scenmc_model *m, int before,
                                        int *ns)
{
    int cap = 16;
    scenmc_sl_solution *sols = scenmc__xcalloc((size_t)cap, sizeof *sols);
    const scenmc__line *ln;
    while ((ln = scenmc__lexer_next(L, 0))) {
        if (*ns == cap) {
            cap *= 2;
            sols = scenmc__xrealloc(sols, (size_t)cap * sizeof *sols);
        }
        memset(&sols[*ns], 0, sizeof sols[*ns]);
        if (!sl_line(L, ln, m, &sols[*ns])) {
            free(sols[*ns].state);
            free(sols[*ns].name);
            if (L->err->n_problems - before >= 50)
                break;
            continue;
        }
        (*ns)++;
    }
    return sols;
}

scenmc_status scenmc__sl_parse(const char *text, size_t len, const char *name,
                              const scenmc_model *m, scenmc_sl_solution **out, int *n,
                              scenmc_error *err)
{
    *out = NULL;
    *n = 0;
    char *utf8 = NULL;
    size_t ulen = 0;
    scenmc_status st = scenmc__text_to_utf8(text, len, name, &utf8, &ulen, NULL, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__lexer L = {.file = name, .err = err};
    scenmc__lexer_split(&L, utf8, ulen);
    int before = err->n_problems;
    scenmc_sl_solution *sols = NULL;
    int ns = 0, count_line = 0;
    long declared = 0;
    if (sl_header(&L, &declared, &count_line)) {
        sols = sl_solutions(&L, m, before, &ns);
        if (err->n_problems == before && ns != declared)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the file says %ld scenarios and lists "
                             "%d; expected as many as it says (is the file truncated?)", name,
                             count_line, declared, ns);
    }
    free(L.lines);
    free(utf8);
    if (err->n_problems > before) {
        scenmc_sl_free(sols, ns);
        return err->code ? err->code : SCENMC_E_INPUT;
    }
    *out = sols;
    *n = ns;
    return SCENMC_OK;
}

scenmc_status scenmc_sl_read(const char *path, const scenmc_model *m, scenmc_sl_solution **out,
                             int *n, scenmc_error *err)
{
    *out = NULL;
    *n = 0;
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = scenmc__read_file(path, SCENMC_MAX_FILE_BYTES, &text, &len, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__sl_parse(text, len, path, m, out, n, err);
    free(text);
    return st;
}

/* ------------------------------------------------------------ comparison */

typedef struct {
    uint64_t index;
    int k; /* position in the list */
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->k - y->k;
}

static void put_state(FILE *f, const scenmc_model *m, const int *s)
{
    fputs("\"", f);
    for (int d = 0; d < m->n_descriptors; d++)
        fprintf(f, " %d", s[d] + 1);
    fputs("\"  ", f);
    for (int d = 0; d < m->n_descriptors; d++)
        fprintf(f, "%s%s=%s", d ? ", " : "", m->descriptors[d].id,
                m->variant_name[m->descriptors[d].offset + s[d]]);
}

/* A solution list beside scenmc's consistent states. */
typedef struct {
    const scenmc_model *m;
    scenmc_sl_solution *sol;
    int ns;
    scenmc_cib_list list;
    keyed *key;  /* [ns] the listed states' indices, sorted */
    double *ic;  /* [ns] their inconsistency */
    double *tis; /* [ns] their total impact score */
    char *dup;   /* [ns] whether a line repeats an earlier one */
    scenmc_sl_comparison c;
} sl_cmp;

static void sl_cmp_free(sl_cmp *S)
{
    free(S->key);
    free(S->ic);
    free(S->tis);
    free(S->dup);
    scenmc_cib_list_free(&S->list);
    scenmc_sl_free(S->sol, S->ns);
}

/* Whether listed scenario k gives a total impact score other than scenmc's. */
static int tis_differs(const sl_cmp *S, int k)
{
    return S->sol[k].n_values >= 4 && fabs(S->sol[k].values[3] - S->tis[k]) > 1e-6;
}

/* Each listed scenario's index and scores, the repeats, and the counts. */
static scenmc_status sl_cmp_score(sl_cmp *S, scenmc_error *err)
{
    int ns = S->ns;
    size_t n = (size_t)(ns ? ns : 1);
    S->key = scenmc__xcalloc(n, sizeof *S->key);
    S->ic = scenmc__xcalloc(n, sizeof *S->ic);
    S->tis = scenmc__xcalloc(n, sizeof *S->tis);
    S->dup = scenmc__xcalloc(n, 1);
    for (int k = 0; k < ns; k++) {
        S->key[k].index = scenmc_cib_state_index(S->m, S->sol[k].state);
        S->key[k].k = k;
        scenmc_status st = scenmc_cib_inconsistency(S->m, S->sol[k].state, SCENMC_CIB_AUTO,
                                                    &S->ic[k], NULL, &S->tis[k], err);
        if (st != SCENMC_OK)
            return st;
    }
    qsort(S->key, (size_t)ns, sizeof *S->key, cmp_keyed);
    scenmc_sl_comparison *c = &S->c;
    for (int k = 1; k < ns; k++)
        if (S->key[k].index == S->key[k - 1].index) {
            S->dup[S->key[k].k] = 1;
            c->n_duplicates++;
        }
    for (int k = 0; k < ns; k++) {
        if (S->dup[k])
            continue;
        if (S->ic[k] == 0)
            c->n_both++;
        else
            c->n_not_consistent++;
        if (tis_differs(S, k))
            c->n_tis_differ++;
    }
    uint64_t found = S->list.n_found;
    c->n_missing = found >= (uint64_t)c->n_both ? found - (uint64_t)c->n_both : 0;
    return SCENMC_OK;
}

static void put_summary(FILE *f, const sl_cmp *S, const char *path, uint64_t n_states,
                        int equal)
{
    const scenmc_model *m = S->m;
    fprintf(f, "%s against %s: %s\n", path, m->path,
            equal ? "the same scenarios" : "the scenarios differ");
    fprintf(f, "  the list: %d scenarios", S->ns);
    if (S->c.n_duplicates)
        fprintf(f, " (%d of them repeated)", S->c.n_duplicates);
    fprintf(f, "\n  scenmc: %llu consistent states of %llu (%s)\n",
            (unsigned long long)S->list.n_found, (unsigned long long)n_states,
            S->list.uses_cross ? (m->n_self_impacts ? "cross-impact matrix, self-impacts counted"
                                                    : "cross-impact matrix")
                               : "consistency matrix");
}

/* Starts the report line of listed scenario k, the (*shown)th of total;
 * 0 (after "... and N more") once LIST_MAX are shown. */
static int put_listed(FILE *f, const sl_cmp *S, int k, int *shown, int total)
{
    if ((*shown)++ == LIST_MAX) {
        fprintf(f, "  ... and %d more\n", total - LIST_MAX);
        return 0;
    }
    fprintf(f, "  line %d: ", S->sol[k].line);
    put_state(f, S->m, S->sol[k].state);
    return 1;
}

static void put_both(FILE *f, const sl_cmp *S)
{
    fprintf(f, "listed and consistent for scenmc too (%d):\n", S->c.n_both);
    int shown = 0;
    for (int k = 0; k < S->ns; k++) {
        if (S->dup[k] || S->ic[k] != 0)
            continue;
        if (!put_listed(f, S, k, &shown, S->c.n_both))
            break;
        char t1[40];
        snprintf(t1, sizeof t1, "%g", S->tis[k]);
        fprintf(f, "  (total impact %s", t1);
        if (tis_differs(S, k))
            fprintf(f, "; the list says %g", S->sol[k].values[3]);
        fputs(")\n", f);
    }
}

/* Up to three descriptors that would rather take another variant in state s. */
static void put_preferences(FILE *f, const scenmc_model *m, const int *s, const double *bal)
{
    int listed = 0;
    for (int d = 0; d < m->n_descriptors && listed < 3; d++) {
        const scenmc_descriptor *Dd = &m->descriptors[d];
        int best = s[d];
        for (int b = 0; b < Dd->n_variants; b++)
            if (bal[Dd->offset + b] > bal[Dd->offset + best] + SCENMC_CIB_TOL)
                best = b;
        if (best != s[d]) {
            fprintf(f, "%s %s prefers %s by %g", listed ? ";" : "", Dd->id,
                    m->variant_name[Dd->offset + best],
                    bal[Dd->offset + best] - bal[Dd->offset + s[d]]);
            listed++;
        }
    }
}

static void put_not_consistent(FILE *f, const sl_cmp *S, scenmc_error *err)
{
    fprintf(f, "listed but not consistent for scenmc (%d):\n", S->c.n_not_consistent);
    double *bal = scenmc__xmalloc((size_t)S->m->n_variants * sizeof *bal);
    int shown = 0;
    for (int k = 0; k < S->ns; k++) {
        if (S->dup[k] || S->ic[k] == 0)
            continue;
        if (!put_listed(f, S, k, &shown, S->c.n_not_consistent))
            break;
        fprintf(f, "  (inconsistency %g:", S->ic[k]);
        scenmc_cib_impact_balance(S->m, S->sol[k].state, SCENMC_CIB_AUTO, bal, err);
        put_preferences(f, S->m, S->sol[k].state, bal);
        fputs(")\n", f);
    }
    free(bal);
}

/* Whether index is among the listed states (binary search). */
static int is_listed(const sl_cmp *S, uint64_t index)
{
    int lo = 0, hi = S->ns;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (S->key[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < S->ns && S->key[lo].index == index;
}

static void put_missing(FILE *f, const sl_cmp *S)
{
    const scenmc_model *m = S->m;
    uint64_t missing = S->c.n_missing;
    fprintf(f, "consistent for scenmc but not listed (%llu):\n", (unsigned long long)missing);
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    int shown = 0;
    for (uint64_t j = 0; j < S->list.n_stored; j++) {
        if (is_listed(S, S->list.index[j]))
            continue;
        if (shown < LIST_MAX) {
            scenmc_cib_state_decode(m, S->list.index[j], s);
            fputs("  ", f);
            put_state(f, m, s);
            fputc('\n', f);
            shown++;
        }
    }
    if (missing > (uint64_t)shown)
        fprintf(f, "  ... and %llu more\n", (unsigned long long)(missing - (uint64_t)shown));
    free(s);
}

scenmc_status scenmc_sl_compare_ex(const scenmc_model *m, const char *path, char **report,
                                   int *same, scenmc_sl_comparison *cmp, scenmc_error *err)
{
    if (report)
        *report = NULL;
    if (same)
        *same = 0;
    uint64_t n_states = scenmc_model_state_count(m);
    if (n_states == 0)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: more than 2^64 states; expected a model "
                                "whose states can be numbered to compare a solution list with",
                                m->path);
    sl_cmp S;
    memset(&S, 0, sizeof S);
    S.m = m;
    scenmc_status st = scenmc_sl_read(path, m, &S.sol, &S.ns, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_cib_options o;
    scenmc_cib_options_init(&o);
    st = scenmc_cib_enumerate(m, &o, &S.list, err);
    if (st != SCENMC_OK) {
        scenmc_sl_free(S.sol, S.ns);
        return st;
    }
    S.c.uses_cross = S.list.uses_cross;
    S.c.n_listed = S.ns;
    S.c.n_consistent = S.list.n_found;
    st = sl_cmp_score(&S, err);
    char *buf = NULL;
    size_t size = 0;
    FILE *f = st == SCENMC_OK ? open_memstream(&buf, &size) : NULL;
    if (st == SCENMC_OK && !f)
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    if (st != SCENMC_OK) {
        sl_cmp_free(&S);
        return st;
    }
    int equal = S.c.n_not_consistent == 0 && S.c.n_missing == 0;
    put_summary(f, &S, path, n_states, equal);
    put_both(f, &S);
    put_not_consistent(f, &S, err);
    put_missing(f, &S);
    if (S.c.n_tis_differ)
        fprintf(f, "note: %d listed total impact scores differ from scenmc's (was the list made "
                "from another version of the matrix?)\n", S.c.n_tis_differ);
    fclose(f);
    if (report)
        *report = buf;
    else
        free(buf);
    if (same)
        *same = equal;
    if (cmp)
        *cmp = S.c;
    sl_cmp_free(&S);
    return SCENMC_OK;
}

scenmc_status scenmc_sl_compare(const scenmc_model *m, const char *path, char **report, int *same,
                                scenmc_error *err)
{
    return scenmc_sl_compare_ex(m, path, report, same, NULL, err);
}
