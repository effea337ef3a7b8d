/* ScenarioWizard solution lists (.sl): read, and compared with the consistent
 * states that scenmc's CIB analysis finds. */
#include "interop/sl.h"
#include "cib/cib.h"
#include "base/lexer.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
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

/* Parses one solution line; 1 on success (problems go to err). */
static int sl_line(scenmc_lexer *L, const scenmc_line *ln, const scenmc_model *m, scenmc_sl_solution *sol)
{
    const char *file = L->file;
    size_t k = 0;
    while (k < ln->len && (ln->s[k] == ' ' || ln->s[k] == '\t'))
        k++;
    if (k == ln->len || ln->s[k] != '"') {
        char ex[64];
        scenmc_line_excerpt(ln, ex);
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: '%s'; expected a scenario line "
                         "\" v1 v2 ... vD\",W,C,I,TIS,\"name\"", file, ln->no, scenmc_line_col(ln, k), ex);
        return 0;
    }
    size_t q = k + 1, e = q;
    while (e < ln->len && ln->s[e] != '"')
        e++;
    if (e == ln->len) {
        scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: the scenario's quotes are not "
                         "closed; expected \" v1 v2 ... vD\"", file, ln->no, scenmc_line_col(ln, k));
        return 0;
    }
    int D = m->n_descriptors;
    sol->state = scenmc_xcalloc((size_t)D, sizeof(int));
    sol->line = ln->no;
    int count = 0, ok = 1;
    for (size_t p = q; p < e;) {
        while (p < e && (ln->s[p] == ' ' || ln->s[p] == '\t'))
            p++;
        if (p == e)
            break;
        size_t a = p;
        while (p < e && ln->s[p] != ' ' && ln->s[p] != '\t')
            p++;
        long v;
        if (!scenmc_parse_long(ln->s + a, p - a, &v)) {
            scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: variant number '%.*s'; expected "
                             "a whole number", file, ln->no, scenmc_line_col(ln, a), (int)(p - a),
                             ln->s + a);
            ok = 0;
        } else if (count < D) {
            const scenmc_descriptor *Dd = &m->descriptors[count];
            if (v < 1 || v > Dd->n_variants) {
                scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: variant %ld of descriptor %d "
                                 "(%s); expected 1 to %d", file, ln->no, scenmc_line_col(ln, a), v,
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
                         "%d (one per descriptor of %s)", file, ln->no, scenmc_line_col(ln, k), count, D,
                         m->path ? m->path : "the model");
        return 0;
    }
    /* The columns after it: up to four numbers, then a quoted name. */
    size_t p = e + 1;
    sol->n_values = 0;
    while (p < ln->len) {
        while (p < ln->len && (ln->s[p] == ' ' || ln->s[p] == '\t'))
            p++;
        if (p == ln->len)
            break;
        if (ln->s[p] != ',') {
            scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:%d: '%c' after a column; expected ','",
                             file, ln->no, scenmc_line_col(ln, p), ln->s[p]);
            return 0;
        }
        p++;
        while (p < ln->len && (ln->s[p] == ' ' || ln->s[p] == '\t'))
            p++;
        if (p < ln->len && ln->s[p] == '"') {
            size_t a = p + 1, b = a;
            while (b < ln->len && ln->s[b] != '"')
                b++;
            free(sol->name);
            sol->name = scenmc_xmalloc(b - a + 1);
            memcpy(sol->name, ln->s + a, b - a);
            sol->name[b - a] = '\0';
            p = b < ln->len ? b + 1 : b;
            continue;
        }
        size_t a = p;
        while (p < ln->len && ln->s[p] != ',')
            p++;
        size_t b = p;
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
                             file, ln->no, scenmc_line_col(ln, a), tmp);
            return 0;
        }
        if (sol->n_values < 4)
            sol->values[sol->n_values++] = x;
    }
    if (!sol->name)
        sol->name = scenmc_strdup("");
    return ok;
}

scenmc_status scenmc_sl_parse(const char *text, size_t len, const char *name,
                              const scenmc_model *m, scenmc_sl_solution **out, int *n,
                              scenmc_error *err)
{
    *out = NULL;
    *n = 0;
    char *utf8 = NULL;
    size_t ulen = 0;
    scenmc_status st = scenmc_text_to_utf8(text, len, name, &utf8, &ulen, NULL, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_lexer L = {.file = name, .err = err};
    scenmc_lexer_split(&L, utf8, ulen);
    int before = err->n_problems;
    scenmc_sl_solution *sols = NULL;
    int ns = 0;
    const scenmc_line *ln = scenmc_lexer_next(&L, 0);
    static const char magic[] = "$ ScenarioWizard";
    if (!ln) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a "
                         "ScenarioWizard solution list starting with '$ ScenarioWizard 3.0'", name);
        goto done;
    }
    if (ln->len < sizeof magic - 1 || memcmp(ln->s, magic, sizeof magic - 1) != 0) {
        char ex[64];
        scenmc_line_excerpt(ln, ex);
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: '%s'; expected '$ ScenarioWizard 3.0' "
                         "(a ScenarioWizard solution list)", name, ln->no, ex);
        goto done;
    }
    ln = scenmc_lexer_next(&L, 0);
    if (!ln) {
        scenmc_lexer_truncated(&L, "after the header", "'Solution set'");
        goto done;
    }
    {
        char *t = scenmc_clean_name(ln->s, ln->len);
        int good = strcmp(t, "Solution set") == 0;
        free(t);
        if (!good) {
            char ex[64];
            scenmc_line_excerpt(ln, ex);
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: '%s'; expected 'Solution set'", name,
                             ln->no, ex);
            goto done;
        }
    }
    ln = scenmc_lexer_next(&L, 0);
    long declared;
    if (!ln) {
        scenmc_lexer_truncated(&L, "after 'Solution set'", "the number of scenarios");
        goto done;
    }
    {
        size_t a = 0, b = ln->len;
        while (a < b && (ln->s[a] == ' ' || ln->s[a] == '\t'))
            a++;
        while (b > a && (ln->s[b - 1] == ' ' || ln->s[b - 1] == '\t'))
            b--;
        if (!scenmc_parse_long(ln->s + a, b - a, &declared) || declared < 0) {
            char ex[64];
            scenmc_line_excerpt(ln, ex);
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: '%s'; expected the number of "
                             "scenarios", name, ln->no, scenmc_line_col(ln, a), ex);
            goto done;
        }
    }
    int count_line = ln->no, cap = 16;
    sols = scenmc_xcalloc((size_t)cap, sizeof *sols);
    while ((ln = scenmc_lexer_next(&L, 0))) {
        if (ns == cap) {
            cap *= 2;
            sols = realloc(sols, (size_t)cap * sizeof *sols);
            if (!sols)
                exit(3);
        }
        memset(&sols[ns], 0, sizeof sols[ns]);
        if (!sl_line(&L, ln, m, &sols[ns])) {
            free(sols[ns].state);
            free(sols[ns].name);
            if (err->n_problems - before >= 50)
                break;
            continue;
        }
        ns++;
    }
    if (err->n_problems == before && ns != declared)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the file says %ld scenarios and lists %d; "
                         "expected as many as it says (is the file truncated?)", name, count_line,
                         declared, ns);
done:
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
    scenmc_status st = scenmc_read_file(path, SCENMC_MAX_FILE_BYTES, &text, &len, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc_sl_parse(text, len, path, m, out, n, err);
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

scenmc_status scenmc_sl_compare_ex(const scenmc_model *m, const char *path, char **report,
                                   int *same, scenmc_sl_comparison *cmp, scenmc_error *err)
{
    if (report)
        *report = NULL;
    if (same)
        *same = 0;
    scenmc_sl_comparison c;
    memset(&c, 0, sizeof c);
    uint64_t n_states = scenmc_model_state_count(m);
    if (n_states == 0)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: more than 2^64 states; expected a model "
                                "whose states can be numbered to compare a solution list with",
                                m->path);
    scenmc_sl_solution *sol = NULL;
    int ns = 0;
    scenmc_status st = scenmc_sl_read(path, m, &sol, &ns, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_cib_options o;
    scenmc_cib_options_init(&o);
    scenmc_cib_list list;
    st = scenmc_cib_enumerate(m, &o, &list, err);
    if (st != SCENMC_OK) {
        scenmc_sl_free(sol, ns);
        return st;
    }
    c.uses_cross = list.uses_cross;
    c.n_listed = ns;
    c.n_consistent = list.n_found;

    size_t V = (size_t)m->n_variants;
    int D = m->n_descriptors;
    keyed *key = scenmc_xcalloc((size_t)(ns ? ns : 1), sizeof *key);
    double *ic = scenmc_xcalloc((size_t)(ns ? ns : 1), sizeof *ic);
    double *tis = scenmc_xcalloc((size_t)(ns ? ns : 1), sizeof *tis);
    char *dup = scenmc_xcalloc((size_t)(ns ? ns : 1), 1);
    for (int k = 0; k < ns; k++) {
        key[k].index = scenmc_cib_state_index(m, sol[k].state);
        key[k].k = k;
        st = scenmc_cib_inconsistency(m, sol[k].state, SCENMC_CIB_AUTO, &ic[k], NULL, &tis[k], err);
        if (st != SCENMC_OK)
            break;
    }
    char *buf = NULL;
    size_t size = 0;
    FILE *f = st == SCENMC_OK ? open_memstream(&buf, &size) : NULL;
    if (st == SCENMC_OK && !f)
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    if (st != SCENMC_OK) {
        free(key);
        free(ic);
        free(tis);
        free(dup);
        scenmc_cib_list_free(&list);
        scenmc_sl_free(sol, ns);
        return st;
    }
    qsort(key, (size_t)ns, sizeof *key, cmp_keyed);
    for (int k = 1; k < ns; k++)
        if (key[k].index == key[k - 1].index) {
            dup[key[k].k] = 1;
            c.n_duplicates++;
        }
    for (int k = 0; k < ns; k++) {
        if (dup[k])
            continue;
        if (ic[k] == 0)
            c.n_both++;
        else
            c.n_not_consistent++;
        if (sol[k].n_values >= 4 && fabs(sol[k].values[3] - tis[k]) > 1e-6)
            c.n_tis_differ++;
    }
    c.n_missing = list.n_found >= (uint64_t)c.n_both ? list.n_found - (uint64_t)c.n_both : 0;
    int equal = c.n_not_consistent == 0 && c.n_missing == 0;

    fprintf(f, "%s against %s: %s\n", path, m->path,
            equal ? "the same scenarios" : "the scenarios differ");
    fprintf(f, "  the list: %d scenarios", ns);
    if (c.n_duplicates)
        fprintf(f, " (%d of them repeated)", c.n_duplicates);
    fprintf(f, "\n  scenmc: %llu consistent states of %llu (%s)\n",
            (unsigned long long)list.n_found, (unsigned long long)n_states,
            list.uses_cross ? (m->n_self_impacts ? "cross-impact matrix, self-impacts counted"
                                                 : "cross-impact matrix")
                            : "consistency matrix");

    fprintf(f, "listed and consistent for scenmc too (%d):\n", c.n_both);
    int shown = 0;
    for (int k = 0; k < ns; k++) {
        if (dup[k] || ic[k] != 0)
            continue;
        if (shown++ == LIST_MAX) {
            fprintf(f, "  ... and %d more\n", c.n_both - LIST_MAX);
            break;
        }
        fprintf(f, "  line %d: ", sol[k].line);
        put_state(f, m, sol[k].state);
        char t1[40];
        snprintf(t1, sizeof t1, "%g", tis[k]);
        fprintf(f, "  (total impact %s", t1);
        if (sol[k].n_values >= 4 && fabs(sol[k].values[3] - tis[k]) > 1e-6)
            fprintf(f, "; the list says %g", sol[k].values[3]);
        fputs(")\n", f);
    }
    fprintf(f, "listed but not consistent for scenmc (%d):\n", c.n_not_consistent);
    double *bal = scenmc_xmalloc(V * sizeof *bal);
    shown = 0;
    for (int k = 0; k < ns; k++) {
        if (dup[k] || ic[k] == 0)
            continue;
        if (shown++ == LIST_MAX) {
            fprintf(f, "  ... and %d more\n", c.n_not_consistent - LIST_MAX);
            break;
        }
        fprintf(f, "  line %d: ", sol[k].line);
        put_state(f, m, sol[k].state);
        fprintf(f, "  (inconsistency %g:", ic[k]);
        scenmc_cib_impact_balance(m, sol[k].state, SCENMC_CIB_AUTO, bal, err);
        int listed = 0;
        for (int d = 0; d < D && listed < 3; d++) {
            const scenmc_descriptor *Dd = &m->descriptors[d];
            int best = sol[k].state[d];
            for (int b = 0; b < Dd->n_variants; b++)
                if (bal[Dd->offset + b] > bal[Dd->offset + best] + SCENMC_CIB_TOL)
                    best = b;
            if (best != sol[k].state[d]) {
                fprintf(f, "%s %s prefers %s by %g", listed ? ";" : "", Dd->id,
                        m->variant_name[Dd->offset + best],
                        bal[Dd->offset + best] - bal[Dd->offset + sol[k].state[d]]);
                listed++;
            }
        }
        fputs(")\n", f);
    }
    free(bal);
    fprintf(f, "consistent for scenmc but not listed (%llu):\n", (unsigned long long)c.n_missing);
    int *s = scenmc_xcalloc((size_t)D, sizeof(int));
    shown = 0;
    for (uint64_t j = 0; j < list.n_stored; j++) {
        keyed probe = {list.index[j], -1};
        /* Binary search among the listed indices. */
        int lo = 0, hi = ns;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (key[mid].index < probe.index)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < ns && key[lo].index == probe.index)
            continue;
        if (shown < LIST_MAX) {
            scenmc_cib_state_decode(m, list.index[j], s);
            fputs("  ", f);
            put_state(f, m, s);
            fputc('\n', f);
            shown++;
        }
    }
    if (c.n_missing > (uint64_t)shown)
        fprintf(f, "  ... and %llu more\n", (unsigned long long)(c.n_missing - (uint64_t)shown));
    free(s);
    if (c.n_tis_differ)
        fprintf(f, "note: %d listed total impact scores differ from scenmc's (was the list made "
                "from another version of the matrix?)\n", c.n_tis_differ);
    fclose(f);
    free(key);
    free(ic);
    free(tis);
    free(dup);
    scenmc_cib_list_free(&list);
    scenmc_sl_free(sol, ns);
    if (report)
        *report = buf;
    else
        free(buf);
    if (same)
        *same = equal;
    if (cmp)
        *cmp = c;
    return SCENMC_OK;
}

scenmc_status scenmc_sl_compare(const scenmc_model *m, const char *path, char **report, int *same,
                                scenmc_error *err)
{
    return scenmc_sl_compare_ex(m, path, report, same, NULL, err);
}

