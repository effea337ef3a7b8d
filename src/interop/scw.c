/* ScenarioWizard files: models (.scw, version 4.0) in and out, and solution
 * lists (.sl) compared with the consistent states scenmc finds.
 *
 * A .scw file, as ScenarioWizard writes it (docs/interop.md):
 *
 *     $ ScenarioWizard 4.0           header
 *     TITLE                          free text: the model's name
 *     &DESCRIPTOR                    the structure: a descriptor,
 *      -VARIANT                      each of its variants, one a line
 *     #                              end of the structure
 *     &DESCRIPTION                   descriptions, shaped like the structure
 *      VARIANT DESCRIPTION
 *     #
 *     #                              an empty section
 *     FFFFFF                         one flag line per variant
 *     #
 *     #                              an empty section
 *      0 , 1 ,-2 , ...               the cross-impact matrix: one row per
 *     #                              variant (source), one integer per variant (target)
 *     # ...  ""                      notes, ignored
 *
 * Lines may end in CR LF; empty lines are skipped.
 */
#include "interop/scw.h"
#include "interop/options.h"
#include "model/draft.h"
#include "base/atomic_file.h"
#include "base/text.h"
#include "base/lexer.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCW_MAX_ABS 1000000 /* largest impact magnitude accepted */



/* Splits a row into comma-separated fields; returns their count (all of
 * them) and fills at most max (start, length) pairs, blanks trimmed. */
static int split_fields(const scenmc_line *ln, size_t *start, size_t *flen, int max)
{
    int n = 0;
    size_t a = 0;
    for (size_t k = 0; k <= ln->len; k++) {
        if (k < ln->len && ln->s[k] != ',')
            continue;
        size_t b = a, e = k;
        while (b < e && (ln->s[b] == ' ' || ln->s[b] == '\t'))
            b++;
        while (e > b && (ln->s[e - 1] == ' ' || ln->s[e - 1] == '\t'))
            e--;
        if (n < max) {
            start[n] = b;
            flen[n] = e - b;
        }
        n++;
        a = k + 1;
    }
    return n;
}

/* Whether a line reads as comma-separated whole numbers (a matrix row). */
static int looks_like_row(const scenmc_line *ln)
{
    size_t st[2], fl[2];
    int n = split_fields(ln, st, fl, 0);
    if (n < 2)
        return 0;
    size_t a = 0;
    for (size_t k = 0; k <= ln->len; k++) {
        if (k < ln->len && ln->s[k] != ',')
            continue;
        size_t b = a, e = k;
        while (b < e && (ln->s[b] == ' ' || ln->s[b] == '\t'))
            b++;
        while (e > b && (ln->s[e - 1] == ' ' || ln->s[e - 1] == '\t'))
            e--;
        long v;
        if (!scenmc_parse_long(ln->s + b, e - b, &v))
            return 0;
        a = k + 1;
    }
    return 1;
}

/* ------------------------------------------------------------ .scw reader */

typedef struct {
    char *name;
    int line;
    int n_variants;
    int first; /* index of its first variant in the variant arrays */
} scw_desc;

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static scenmc_status read_scw(scenmc_lexer *L, const char *name, scenmc_model **draft, scenmc_notes *N)
{
    scenmc_error *err = L->err;
    const char *file = L->file;
    int before = err->n_problems;

    /* Header and title are the first two lines as they are. */
    if (L->n == 0 || (L->n == 1 && L->lines[0].len == 0))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a "
                                "ScenarioWizard model starting with '$ ScenarioWizard 4.0'", file);
    const scenmc_line *h = &L->lines[0];
    char hb[64];
    scenmc_line_excerpt(h, hb);
    size_t hl = h->len;
    while (hl && (h->s[hl - 1] == ' ' || h->s[hl - 1] == '\t'))
        hl--;
    static const char magic[] = "$ ScenarioWizard ";
    if (hl < sizeof magic - 1 || memcmp(h->s, magic, sizeof magic - 1) != 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:1: the first line is '%s'; expected "
                                "'$ ScenarioWizard 4.0' (a ScenarioWizard model file)", file, hb);
    const char *ver = h->s + sizeof magic - 1;
    size_t vl = hl - (sizeof magic - 1);
    if (vl < 1 || ver[0] != '4' || (vl > 1 && ver[1] != '.'))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:%d: ScenarioWizard version '%.*s'; "
                                "expected 4.0 (this reader knows the version 4 format)",
                                file, scenmc_line_col(h, sizeof magic - 1), (int)vl, ver);
    if (L->n < 2)
        return scenmc_lexer_truncated(L, "after the header", "the model's title on line 2");
    const scenmc_line *t = &L->lines[1];
    char *title = scenmc_clean_name(t->s, t->len);
    L->i = 2;

    /* Structure. */
    int cap_d = 16, cap_v = 64, nd = 0, nv = 0;
    scw_desc *ds = scenmc_xcalloc((size_t)cap_d, sizeof *ds);
    char **vn = scenmc_xcalloc((size_t)cap_v, sizeof *vn);
    int *vline = scenmc_xcalloc((size_t)cap_v, sizeof *vline);
    const scenmc_line *ln;
    int ok = 1, ended = 0;
    while (ok && (ln = scenmc_lexer_next(L, 0))) {
        size_t k = 0;
        while (k < ln->len && (ln->s[k] == ' ' || ln->s[k] == '\t'))
            k++;
        char c = ln->s[k];
        if (k == 0 && c == '#') {
            ended = 1;
            break;
        }
        if (c == '&') {
            if (nd == SCENMC_MAX_DESCRIPTORS) {
                scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:1: more than %d descriptors; "
                                 "expected at most %d", file, ln->no, SCENMC_MAX_DESCRIPTORS,
                                 SCENMC_MAX_DESCRIPTORS);
                ok = 0;
                break;
            }
            if (nd == cap_d) {
                cap_d *= 2;
                ds = realloc(ds, (size_t)cap_d * sizeof *ds);
                if (!ds)
                    exit(3);
            }
            ds[nd] = (scw_desc){scenmc_clean_name(ln->s + k + 1, ln->len - k - 1), ln->no, 0, nv};
            nd++;
        } else if (c == '-') {
            if (nd == 0) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: a variant before any descriptor; "
                                 "expected '&DESCRIPTOR' first", file, ln->no, scenmc_line_col(ln, k));
                ok = 0;
                break;
            }
            if (ds[nd - 1].n_variants == SCENMC_MAX_VARIANTS) {
                scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:%d: descriptor '%s' has more than %d "
                                 "variants; expected at most %d", file, ln->no, scenmc_line_col(ln, k),
                                 ds[nd - 1].name, SCENMC_MAX_VARIANTS, SCENMC_MAX_VARIANTS);
                ok = 0;
                break;
            }
            if (nv == SCENMC_MAX_TOTAL_VARIANTS) {
                scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%d:%d: more than %d variants in all; "
                                 "expected at most %d", file, ln->no, scenmc_line_col(ln, k),
                                 SCENMC_MAX_TOTAL_VARIANTS, SCENMC_MAX_TOTAL_VARIANTS);
                ok = 0;
                break;
            }
            if (nv == cap_v) {
                cap_v *= 2;
                vn = realloc(vn, (size_t)cap_v * sizeof *vn);
                vline = realloc(vline, (size_t)cap_v * sizeof *vline);
                if (!vn || !vline)
                    exit(3);
            }
            vn[nv] = scenmc_clean_name(ln->s + k + 1, ln->len - k - 1);
            vline[nv] = ln->no;
            nv++;
            ds[nd - 1].n_variants++;
        } else {
            char ex[64];
            scenmc_line_excerpt(ln, ex);
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: '%s' in the descriptor list; expected "
                             "'&DESCRIPTOR', ' -VARIANT' or '#' ending the list", file, ln->no,
                             scenmc_line_col(ln, k), ex);
            ok = 0;
        }
    }
    if (ok && !ended) {
        scenmc_lexer_truncated(L, "in the descriptor list", "'#' after the last variant");
        ok = 0;
    }
    if (ok && nd == 0) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: no descriptors; expected '&DESCRIPTOR' "
                         "lines, each followed by its ' -VARIANT' lines", file, ln->no);
        ok = 0;
    }
    for (int d = 0; ok && d < nd; d++)
        if (ds[d].n_variants < 2)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: descriptor '%s' has %s; expected at "
                             "least 2 variants (' -VARIANT' lines)", file, ds[d].line, ds[d].name,
                             ds[d].n_variants ? "only 1 variant" : "no variants");
    ok = ok && err->n_problems == before;

    /* Sections 2 to 5: descriptions, an empty one, flags, an empty one. */
    int desc_first = L->i, desc_end = L->i;
    static const char *const section_name[] = {"", "", "the descriptions", "an empty section",
                                               "the variant flags", "an empty section"};
    for (int s = 2; ok && s <= 5; s++) {
        if (s == 2)
            desc_first = L->i;
        int closed = 0;
        while ((ln = scenmc_lexer_next(L, s == 2))) {
            if (ln->s[0] == '#') {
                closed = 1;
                break;
            }
            if (s >= 3 && looks_like_row(ln)) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: a row of numbers in %s, before "
                                 "the cross-impact matrix; expected '#' (the matrix follows the "
                                 "5th '#' line after the descriptor list, %d seen)",
                                 file, ln->no, section_name[s], s - 1);
                ok = 0;
                break;
            }
        }
        if (s == 2)
            desc_end = L->i - (closed ? 1 : 0);
        if (ok && !closed) {
            char where[96];
            snprintf(where, sizeof where, "in %s, before the cross-impact matrix",
                     section_name[s]);
            scenmc_lexer_truncated(L, where, "'#' and then the cross-impact matrix");
            ok = 0;
        }
    }

    /* The matrix. */
    double *X = NULL;
    if (ok) {
        size_t V = (size_t)nv;
        X = scenmc_xcalloc(V * V, sizeof *X);
        size_t *fs = scenmc_xmalloc((V + 1) * sizeof *fs);
        size_t *fl = scenmc_xmalloc((V + 1) * sizeof *fl);
        for (int r = 0; r < nv && ok; r++) {
            ln = scenmc_lexer_next(L, 0);
            int d = 0;
            while (d + 1 < nd && ds[d + 1].first <= r)
                d++;
            if (!ln) {
                char where[96];
                snprintf(where, sizeof where, "after %d of the %d rows of the cross-impact matrix",
                         r, nv);
                char exp[96];
                snprintf(exp, sizeof exp, "%d rows, one per variant", nv);
                scenmc_lexer_truncated(L, where, exp);
                ok = 0;
                break;
            }
            if (ln->s[0] == '#') {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: the cross-impact matrix has %d "
                                 "rows; expected %d (one per variant)", file, ln->no, r, nv);
                ok = 0;
                break;
            }
            int nf = split_fields(ln, fs, fl, nv + 1);
            if (nf != nv) {
                int col = nf > nv ? scenmc_line_col(ln, fs[nv]) : scenmc_line_col(ln, ln->len);
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: row %d of the cross-impact "
                                 "matrix (variant '%s' of '%s') has %d entries; expected %d "
                                 "(one per variant)", file, ln->no, col, r + 1, vn[r], ds[d].name,
                                 nf, nv);
                continue;
            }
            for (int c = 0; c < nv; c++) {
                long v;
                const char *f = ln->s + fs[c];
                int col = scenmc_line_col(ln, fs[c]);
                if (fl[c] == 0) {
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is empty; "
                                     "expected a whole number", file, ln->no, col, c + 1, r + 1);
                } else if (!scenmc_parse_long(f, fl[c], &v)) {
                    char *e = NULL;
                    char tmp[64];
                    size_t n = fl[c] < 40 ? fl[c] : 40;
                    memcpy(tmp, f, n);
                    tmp[n] = '\0';
                    double x = strtod(tmp, &e);
                    (void)x;
                    int numeric = e && e != tmp && *e == '\0' && n == fl[c];
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is '%s'%s; "
                                     "expected a whole number (ScenarioWizard impacts are "
                                     "integers)", file, ln->no, col, c + 1, r + 1, tmp,
                                     numeric ? ", not a whole number" : "");
                } else if (labs(v) > SCW_MAX_ABS) {
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is %.*s; "
                                     "expected a whole number from -%d to %d", file, ln->no, col,
                                     c + 1, r + 1, (int)fl[c], f, SCW_MAX_ABS, SCW_MAX_ABS);
                } else {
                    X[(size_t)r * V + (size_t)c] = (double)v;
                }
                if (err->n_problems - before >= 50) {
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s: too many problems; stopped "
                                     "reading at line %d", file, ln->no);
                    ok = 0;
                    break;
                }
            }
        }
        free(fs);
        free(fl);
        if (ok && err->n_problems == before) {
            ln = scenmc_lexer_next(L, 0);
            if (ln && ln->s[0] != '#') {
                if (looks_like_row(ln))
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: a row after the %d rows of the "
                                     "cross-impact matrix; expected %d rows (one per variant) "
                                     "and then '#'", file, ln->no, nv, nv);
                else {
                    char ex[64];
                    scenmc_line_excerpt(ln, ex);
                    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%d:1: '%s' after the cross-impact "
                                     "matrix; expected '#'", file, ln->no, ex);
                }
            }
        }
        ok = ok && err->n_problems == before;
    }

    scenmc_model *m = NULL;
    if (ok) {
        int *counts = scenmc_xmalloc((size_t)nd * sizeof *counts);
        for (int d = 0; d < nd; d++)
            counts[d] = ds[d].n_variants;
        m = scenmc_model_draft_new(nd, counts);
        free(counts);
        char stem[256];
        snprintf(stem, sizeof stem, "%s", base_of(name));
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        m->name = scenmc_strdup(*title ? title : stem);
        size_t sl = strlen(base_of(name)) + 64;
        m->source = scenmc_xmalloc(sl);
        snprintf(m->source, sl, "ScenarioWizard 4.0 file %s", base_of(name));
        for (int d = 0; d < nd; d++) {
            scenmc_descriptor *D = &m->descriptors[d];
            if (ds[d].name[0]) {
                D->name = scenmc_strdup(ds[d].name);
            } else {
                char gen[32];
                snprintf(gen, sizeof gen, "D%d", d + 1);
                D->name = scenmc_strdup(gen);
                scenmc_note(N, "%s:%d: descriptor %d has no name; called it '%s'", file, ds[d].line, d + 1,
                     gen);
            }
            for (int b = 0; b < D->n_variants; b++) {
                int g = D->offset + b;
                const char *src = vn[g];
                char gen[300];
                if (!*src)
                    snprintf(gen, sizeof gen, "v%d", b + 1);
                else
                    snprintf(gen, sizeof gen, "%s", src);
                /* Unique within the descriptor, as the loader requires. */
                char cand[320];
                snprintf(cand, sizeof cand, "%s", gen);
                for (int k = 2;; k++) {
                    int clash = 0;
                    for (int a = 0; a < b && !clash; a++)
                        clash = strcmp(m->variant_name[D->offset + a], cand) == 0;
                    if (!clash)
                        break;
                    snprintf(cand, sizeof cand, "%s (%d)", gen, k);
                }
                m->variant_name[g] = scenmc_strdup(cand);
                if (!*src)
                    scenmc_note(N, "%s:%d: variant %d of '%s' has no name; called it '%s'", file, vline[g],
                         b + 1, D->name, cand);
                else if (strcmp(cand, src) != 0)
                    scenmc_note(N, "%s:%d: variant %d of '%s' repeats the name '%s'; called it '%s'", file,
                         vline[g], b + 1, D->name, src, cand);
            }
        }
        /* Descriptions: used as labels when they follow the structure exactly. */
        int shape = 1, any = 0, k = desc_first;
        char **dl = scenmc_xcalloc((size_t)nd, sizeof *dl);
        char **vdesc = scenmc_xcalloc((size_t)nv, sizeof *vdesc);
        for (int d = 0; d < nd && shape; d++) {
            while (k < desc_end && L->lines[k].len == 0)
                k++;
            if (k >= desc_end || L->lines[k].s[0] != '&') {
                shape = 0;
                break;
            }
            dl[d] = scenmc_clean_name(L->lines[k].s + 1, L->lines[k].len - 1);
            any |= dl[d][0] != 0;
            k++;
            for (int b = 0; b < ds[d].n_variants; b++) {
                while (k < desc_end && L->lines[k].len == 0)
                    k++;
                if (k >= desc_end || L->lines[k].s[0] == '&') {
                    shape = 0;
                    break;
                }
                vdesc[ds[d].first + b] = scenmc_clean_name(L->lines[k].s, L->lines[k].len);
                any |= vdesc[ds[d].first + b][0] != 0;
                k++;
            }
        }
        while (shape && k < desc_end && L->lines[k].len == 0)
            k++;
        if (shape && k != desc_end)
            shape = 0;
        int had_lines = 0;
        for (int j = desc_first; j < desc_end; j++)
            had_lines |= L->lines[j].len != 0;
        if (shape && any) {
            for (int d = 0; d < nd; d++)
                if (dl[d][0])
                    m->descriptors[d].label = scenmc_strdup(dl[d]);
            for (int v = 0; v < nv; v++)
                if (vdesc[v][0])
                    m->variant_label[v] = scenmc_strdup(vdesc[v]);
        } else if (!shape && had_lines) {
            scenmc_note(N, "%s:%d: the descriptions do not follow the descriptor list line by line; "
                 "they are ignored", file, L->lines[desc_first].no);
        }
        for (int d = 0; d < nd; d++)
            free(dl[d]);
        for (int v = 0; v < nv; v++)
            free(vdesc[v]);
        free(dl);
        free(vdesc);

        /* The matrix, its scale, and the self-impacts it carries. */
        m->cross_impact = X;
        X = NULL;
        double mx = 0;
        size_t V = (size_t)nv;
        for (size_t u = 0; u < V * V; u++)
            if (fabs(m->cross_impact[u]) > mx)
                mx = fabs(m->cross_impact[u]);
        if (mx > 20) {
            m->scale_x[0] = -mx;
            m->scale_x[1] = mx;
        }
        int self = 0;
        char who[512] = "";
        for (int d = 0; d < nd; d++) {
            const scenmc_descriptor *D = &m->descriptors[d];
            int cnt = 0;
            for (int a = 0; a < D->n_variants; a++)
                for (int b = 0; b < D->n_variants; b++)
                    cnt += m->cross_impact[(size_t)(D->offset + a) * V +
                                           (size_t)(D->offset + b)] != 0;
            if (cnt && strlen(who) < 400) {
                char part[128];
                snprintf(part, sizeof part, "%s%s %d", *who ? ", " : "", D->name, cnt);
                strncat(who, part, sizeof who - strlen(who) - 1);
            }
            self += cnt;
        }
        if (self)
            scenmc_note(N, "%s: %d self-impacts (non-zero impacts of a descriptor's variants on its own "
                 "variants) kept, as ScenarioWizard counts them: %s", file, self, who);
    }
    free(X);
    for (int d = 0; d < nd; d++)
        free(ds[d].name);
    free(ds);
    for (int v = 0; v < nv; v++)
        free(vn[v]);
    free(vn);
    free(vline);
    free(title);
    if (!m)
        return err->code ? err->code : SCENMC_E_INPUT;
    *draft = m;
    return SCENMC_OK;
}

scenmc_status scenmc_scw_read_draft(const char *text, size_t len, const char *name,
                                    scenmc_model **draft, char **notes, scenmc_error *err)
{
    *draft = NULL;
    if (notes)
        *notes = NULL;
    char *utf8 = NULL;
    size_t n = 0;
    int converted = 0;
    scenmc_status st = scenmc_text_to_utf8(text, len, name, &utf8, &n, &converted, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_notes N;
    scenmc_notes_open(&N);
    if (converted)
        scenmc_note(&N, "%s: not UTF-8; read as Windows-1252, ScenarioWizard's encoding", name);
    scenmc_lexer L = {.file = name, .err = err};
    scenmc_lexer_split(&L, utf8, n);
    st = read_scw(&L, name, draft, &N);
    free(L.lines);
    free(utf8);
    scenmc_notes_close(&N, st == SCENMC_OK ? notes : NULL);
    return st;
}

/* ------------------------------------------------------------ .scw writer */

/* Unicode code point -> Windows-1252 byte, or -1. */
static int to_cp1252(unsigned cp)
{
    static const unsigned short high[32] = {
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    for (int k = 0; k < 32; k++)
        if (high[k] && high[k] == cp)
            return 0x80 + k;
    return -1;
}

/* Re-encodes UTF-8 text as Windows-1252 in place; 0 when some character has
 * no Windows-1252 byte (text unchanged then). */
static int utf8_to_cp1252(char *text, size_t *len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = *len;
    unsigned char *out = scenmc_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], cp;
        size_t k;
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < n) {
            cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            k = 2;
        } else if ((c & 0xF0) == 0xE0 && i + 2 < n) {
            cp = ((c & 0x0F) << 12) | ((unsigned)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            k = 3;
        } else {
            free(out);
            return 0;
        }
        int b = to_cp1252(cp);
        if (b < 0) {
            free(out);
            return 0;
        }
        out[o++] = (unsigned char)b;
        i += k;
    }
    memcpy(text, out, o);
    text[o] = '\0';
    *len = o;
    free(out);
    return 1;
}

/* A name on one line: line breaks and tabs become spaces. */
static void put_line_text(FILE *f, const char *s)
{
    for (const char *c = s ? s : ""; *c; c++)
        fputc(*c == '\n' || *c == '\r' || *c == '\t' ? ' ' : *c, f);
}

static char *with_crlf(const char *text, size_t len, size_t *out_len)
{
    size_t extra = 0;
    for (size_t i = 0; i < len; i++)
        extra += text[i] == '\n';
    char *t = scenmc_xmalloc(len + extra + 1), *p = t;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            *p++ = '\r';
        *p++ = text[i];
    }
    *p = '\0';
    *out_len = (size_t)(p - t);
    return t;
}

scenmc_status scenmc_scw_format(const scenmc_model *m, const scenmc_export_options *opt,
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
    size_t V = (size_t)m->n_variants;
    const double *M = m->cross_impact ? m->cross_impact : m->consistency;
    int before = err->n_problems;
    for (size_t u = 0; u < V; u++)
        for (size_t v = 0; v < V; v++) {
            double x = M[u * V + v];
            if (x != floor(x) || fabs(x) > SCW_MAX_ABS) {
                const scenmc_descriptor *A = &m->descriptors[m->variant_descriptor[u]];
                const scenmc_descriptor *B = &m->descriptors[m->variant_descriptor[v]];
                scenmc_error_add(err, SCENMC_E_INPUT, "%s: the %s of '%s' (%s) on '%s' (%s) is %g; "
                                 "expected a whole number from -%d to %d, as ScenarioWizard "
                                 "stores", m->path,
                                 m->cross_impact ? "cross impact" : "consistency score",
                                 m->variant_name[u], A->id, m->variant_name[v], B->id, x,
                                 SCW_MAX_ABS, SCW_MAX_ABS);
                if (err->n_problems - before >= 20)
                    return err->code;
            }
        }
    if (err->n_problems > before)
        return err->code;
    scenmc_notes N;
    scenmc_notes_open(&N);
    if (!m->cross_impact)
        scenmc_note(&N, "%s has no cross-impact matrix: its consistency matrix is written as the "
             "cross-impact matrix, which gives the same CIB-consistent scenarios", m->path);
    if (m->bias) {
        int any = 0;
        for (size_t v = 0; v < V; v++)
            any |= m->bias[v] != 0;
        if (any)
            scenmc_note(&N, "the model's bias has no place in a .scw file and is not written");
    }
    if (m->cross_impact) {
        int has_c = 0;
        for (size_t k = 0; k < V * V && !has_c; k++)
            has_c = m->scored[k];
        if (has_c)
            scenmc_note(&N, "the model's consistency matrix has no place in a .scw file next to its "
                 "cross-impact matrix and is not written (export it with --csv --consistency)");
    }

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f) {
        scenmc_notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    }
    fputs("$ ScenarioWizard 4.0\n", f);
    put_line_text(f, m->name);
    fputc('\n', f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputc('&', f);
        put_line_text(f, D->name ? D->name : D->id);
        fputc('\n', f);
        for (int b = 0; b < D->n_variants; b++) {
            fputs(" -", f);
            put_line_text(f, m->variant_name[D->offset + b]);
            fputc('\n', f);
        }
    }
    fputs("#\n", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputc('&', f);
        put_line_text(f, D->label);
        fputc('\n', f);
        for (int b = 0; b < D->n_variants; b++) {
            fputc(' ', f);
            put_line_text(f, m->variant_label ? m->variant_label[D->offset + b] : NULL);
            fputc('\n', f);
        }
    }
    fputs("#\n#\n", f);
    for (size_t v = 0; v < V; v++)
        fputs("FFFFFF\n", f);
    fputs("#\n#\n", f);
    for (size_t u = 0; u < V; u++) {
        for (size_t v = 0; v < V; v++)
            fprintf(f, "%s%2ld ", v ? "," : "", (long)M[u * V + v]);
        fputc('\n', f);
    }
    fputs("#\n# 0-0\n\"\"\n", f);
    for (int d = 0; d < m->n_descriptors; d++)
        fputs("# \n\"\"\n", f);
    for (int d = 0; d < m->n_descriptors * m->n_descriptors; d++)
        fputs("#  -> \n\"\"\n", f);
    fputs("#\n#\n", f);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        scenmc_notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the .scw text");
    }
    if (!opt->utf8 && !utf8_to_cp1252(buf, &size))
        scenmc_note(&N, "some names have characters that Windows-1252 lacks: the file is written as "
             "UTF-8, which ScenarioWizard may show garbled");
    if (opt->crlf) {
        size_t n2;
        char *t = with_crlf(buf, size, &n2);
        free(buf);
        buf = t;
        size = n2;
    }
    *text = buf;
    if (len)
        *len = size;
    scenmc_notes_close(&N, notes);
    return SCENMC_OK;
}

scenmc_status scenmc_scw_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = scenmc_scw_format(m, opt, &text, &len, notes, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc_write_text_file(path, text, len, opt && opt->force, err);
    free(text);
    return st;
}
