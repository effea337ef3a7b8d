/* ScenarioWizard model files (.scw, version 4.0), in and out.
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
#include "interop/common.h"
#include "model/draft.h"
#include "base/lexer.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCW_MAX_ABS 1000000 /* largest impact magnitude accepted */

/* The field of a comma-separated row that starts at *a: [*b, *e) without
 * surrounding blanks; *a moves past its comma. 0 after the last field. */
static int next_field(const scenmc__line *ln, size_t *a, size_t *b, size_t *e)
{
    if (*a > ln->len)
        return 0;
    size_t k = *a;
    while (k < ln->len && ln->s[k] != ',')
        k++;
    size_t fb = *a, fe = k;
    while (fb < fe && (ln->s[fb] == ' ' || ln->s[fb] == '\t'))
        fb++;
    while (fe > fb && (ln->s[fe - 1] == ' ' || ln->s[fe - 1] == '\t'))
        fe--;
    *b = fb;
    *e = fe;
    *a = k + 1;
    return 1;
}

/* Splits a row into comma-separated fields; returns their count (all of
 * them) and fills at most max (start, length) pairs, blanks trimmed. */
static int split_fields(const scenmc__line *ln, size_t *start, size_t *flen, int max)
{
    int n = 0;
    size_t a = 0, b, e;
    while (next_field(ln, &a, &b, &e)) {
        if (n < max) {
            start[n] = b;
            flen[n] = e - b;
        }
        n++;
    }
    return n;
}

/* Whether a line reads as comma-separated whole numbers (a matrix row). */
static int looks_like_row(const scenmc__line *ln)
{
    int n = 0;
    size_t a = 0, b, e;
    long v;
    while (next_field(ln, &a, &b, &e)) {
        if (!scenmc__parse_long(ln->s + b, e - b, &v))
            return 0;
        n++;
    }
    return n >= 2;
}

/* ------------------------------------------------------------ .scw reader */

typedef struct {
    char *name;
    int line;
    int n_variants;
    int first; /* index of its first variant in the variant arrays */
} scw_desc;

typedef struct {
    scenmc__lexer *L;
    const char *file;
    scenmc_error *err;
    int before;               /* err->n_problems when reading began */
    char *title;
    scw_desc *ds;             /* [nd] the descriptors */
    int nd, cap_d;
    char **vn;                /* [nv] the variants' names */
    int *vline;               /* [nv] and lines */
    int nv, cap_v;
    int desc_first, desc_end; /* the lines of the descriptions section */
    double *X;                /* [nv*nv] the cross-impact matrix */
} scw_reader;

static int scw_clean(const scw_reader *R)
{
    return R->err->n_problems == R->before;
}

/* Header and title are the first two lines as they are. */
static scenmc_status read_header(scw_reader *R)
{
    scenmc__lexer *L = R->L;
    const char *file = R->file;
    if (L->n == 0 || (L->n == 1 && L->lines[0].len == 0))
        return scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a "
                                "ScenarioWizard model starting with '$ ScenarioWizard 4.0'", file);
    const scenmc__line *h = &L->lines[0];
    char hb[64];
    scenmc__line_excerpt(h, hb);
    size_t hl = h->len;
    while (hl && (h->s[hl - 1] == ' ' || h->s[hl - 1] == '\t'))
        hl--;
    static const char magic[] = "$ ScenarioWizard ";
    if (hl < sizeof magic - 1 || memcmp(h->s, magic, sizeof magic - 1) != 0)
        return scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:1:1: the first line is '%s'; expected "
                                "'$ ScenarioWizard 4.0' (a ScenarioWizard model file)", file, hb);
    const char *ver = h->s + sizeof magic - 1;
    size_t vl = hl - (sizeof magic - 1);
    if (vl < 1 || ver[0] != '4' || (vl > 1 && ver[1] != '.'))
        return scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:1:%d: ScenarioWizard version '%.*s'; "
                                "expected 4.0 (this reader knows the version 4 format)",
                                file, scenmc__line_col(h, sizeof magic - 1), (int)vl, ver);
    if (L->n < 2)
        return scenmc__lexer_truncated(L, "after the header", "the model's title on line 2");
    const scenmc__line *t = &L->lines[1];
    R->title = scenmc__clean_name(t->s, t->len);
    L->i = 2;
    return SCENMC_OK;
}

/* "&DESCRIPTOR" at column k of ln. */
static int add_descriptor(scw_reader *R, const scenmc__line *ln, size_t k)
{
    if (R->nd == SCENMC_MAX_DESCRIPTORS) {
        scenmc_error_add(R->err, SCENMC_E_LIMIT, "%s:%d:1: more than %d descriptors; "
                         "expected at most %d", R->file, ln->no, SCENMC_MAX_DESCRIPTORS,
                         SCENMC_MAX_DESCRIPTORS);
        return 0;
    }
    if (R->nd == R->cap_d) {
        R->cap_d *= 2;
        R->ds = scenmc__xrealloc(R->ds, (size_t)R->cap_d * sizeof *R->ds);
    }
    R->ds[R->nd++] = (scw_desc){scenmc__clean_name(ln->s + k + 1, ln->len - k - 1), ln->no, 0,
                                R->nv};
    return 1;
}

/* " -VARIANT" at column k of ln, of the last descriptor. */
static int add_variant(scw_reader *R, const scenmc__line *ln, size_t k)
{
    const char *file = R->file;
    int col = scenmc__line_col(ln, k);
    if (R->nd == 0) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: a variant before any descriptor; "
                         "expected '&DESCRIPTOR' first", file, ln->no, col);
        return 0;
    }
    scw_desc *d = &R->ds[R->nd - 1];
    if (d->n_variants == SCENMC_MAX_VARIANTS) {
        scenmc_error_add(R->err, SCENMC_E_LIMIT, "%s:%d:%d: descriptor '%s' has more than %d "
                         "variants; expected at most %d", file, ln->no, col, d->name,
                         SCENMC_MAX_VARIANTS, SCENMC_MAX_VARIANTS);
        return 0;
    }
    if (R->nv == SCENMC_MAX_TOTAL_VARIANTS) {
        scenmc_error_add(R->err, SCENMC_E_LIMIT, "%s:%d:%d: more than %d variants in all; "
                         "expected at most %d", file, ln->no, col, SCENMC_MAX_TOTAL_VARIANTS,
                         SCENMC_MAX_TOTAL_VARIANTS);
        return 0;
    }
    if (R->nv == R->cap_v) {
        R->cap_v *= 2;
        R->vn = scenmc__xrealloc(R->vn, (size_t)R->cap_v * sizeof *R->vn);
        R->vline = scenmc__xrealloc(R->vline, (size_t)R->cap_v * sizeof *R->vline);
    }
    R->vn[R->nv] = scenmc__clean_name(ln->s + k + 1, ln->len - k - 1);
    R->vline[R->nv] = ln->no;
    R->nv++;
    d->n_variants++;
    return 1;
}

/* The structure: '&DESCRIPTOR' and ' -VARIANT' lines up to '#'. */
static int read_structure(scw_reader *R)
{
    const scenmc__line *ln = NULL;
    int ok = 1, ended = 0;
    while (ok && (ln = scenmc__lexer_next(R->L, 0))) {
        size_t k = 0;
        while (k < ln->len && (ln->s[k] == ' ' || ln->s[k] == '\t'))
            k++;
        char c = ln->s[k];
        if (k == 0 && c == '#') {
            ended = 1;
            break;
        }
        if (c == '&') {
            ok = add_descriptor(R, ln, k);
        } else if (c == '-') {
            ok = add_variant(R, ln, k);
        } else {
            char ex[64];
            scenmc__line_excerpt(ln, ex);
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: '%s' in the descriptor list; "
                             "expected '&DESCRIPTOR', ' -VARIANT' or '#' ending the list", R->file,
                             ln->no, scenmc__line_col(ln, k), ex);
            ok = 0;
        }
    }
    if (!ok)
        return 0;
    if (!ended) {
        scenmc__lexer_truncated(R->L, "in the descriptor list", "'#' after the last variant");
        return 0;
    }
    if (R->nd == 0) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: no descriptors; expected '&DESCRIPTOR' "
                         "lines, each followed by its ' -VARIANT' lines", R->file, ln->no);
        return 0;
    }
    for (int d = 0; d < R->nd; d++)
        if (R->ds[d].n_variants < 2)
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: descriptor '%s' has %s; expected at "
                             "least 2 variants (' -VARIANT' lines)", R->file, R->ds[d].line,
                             R->ds[d].name, R->ds[d].n_variants ? "only 1 variant" : "no variants");
    return scw_clean(R);
}

/* Sections 2 to 5: descriptions (their lines kept for to_draft), an empty
 * one, flags, an empty one. */
static int skip_sections(scw_reader *R)
{
    static const char *const section_name[] = {"", "", "the descriptions", "an empty section",
                                               "the variant flags", "an empty section"};
    scenmc__lexer *L = R->L;
    R->desc_first = R->desc_end = L->i;
    for (int s = 2; s <= 5; s++) {
        int closed = 0;
        const scenmc__line *ln;
        while ((ln = scenmc__lexer_next(L, s == 2))) {
            if (ln->s[0] == '#') {
                closed = 1;
                break;
            }
            if (s >= 3 && looks_like_row(ln)) {
                scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: a row of numbers in %s, before "
                                 "the cross-impact matrix; expected '#' (the matrix follows the "
                                 "5th '#' line after the descriptor list, %d seen)",
                                 R->file, ln->no, section_name[s], s - 1);
                return 0;
            }
        }
        if (s == 2)
            R->desc_end = L->i - (closed ? 1 : 0);
        if (!closed) {
            char where[96];
            snprintf(where, sizeof where, "in %s, before the cross-impact matrix",
                     section_name[s]);
            scenmc__lexer_truncated(L, where, "'#' and then the cross-impact matrix");
            return 0;
        }
    }
    return 1;
}

/* Entry c of matrix row r: f[0..n) at ln's column col. */
static void read_entry(scw_reader *R, const scenmc__line *ln, int r, int c, const char *f,
                       size_t n, int col)
{
    long v;
    if (n == 0) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is empty; "
                         "expected a whole number", R->file, ln->no, col, c + 1, r + 1);
    } else if (!scenmc__parse_long(f, n, &v)) {
        char *e = NULL;
        char tmp[64];
        size_t k = n < 40 ? n : 40;
        memcpy(tmp, f, k);
        tmp[k] = '\0';
        double x = strtod(tmp, &e);
        (void)x;
        int numeric = e && e != tmp && *e == '\0' && k == n;
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is '%s'%s; "
                         "expected a whole number (ScenarioWizard impacts are integers)",
                         R->file, ln->no, col, c + 1, r + 1, tmp,
                         numeric ? ", not a whole number" : "");
    } else if (labs(v) > SCW_MAX_ABS) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: entry %d of row %d is %.*s; "
                         "expected a whole number from -%d to %d", R->file, ln->no, col,
                         c + 1, r + 1, (int)n, f, SCW_MAX_ABS, SCW_MAX_ABS);
    } else {
        R->X[(size_t)r * (size_t)R->nv + (size_t)c] = (double)v;
    }
}

/* Row r of the matrix; 0 to stop reading. fs, fl hold nv + 1 fields. */
static int read_row(scw_reader *R, int r, size_t *fs, size_t *fl)
{
    int nv = R->nv, d = 0;
    const scenmc__line *ln = scenmc__lexer_next(R->L, 0);
    while (d + 1 < R->nd && R->ds[d + 1].first <= r)
        d++;
    if (!ln) {
        char where[96], exp[96];
        snprintf(where, sizeof where, "after %d of the %d rows of the cross-impact matrix", r, nv);
        snprintf(exp, sizeof exp, "%d rows, one per variant", nv);
        scenmc__lexer_truncated(R->L, where, exp);
        return 0;
    }
    if (ln->s[0] == '#') {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: the cross-impact matrix has %d "
                         "rows; expected %d (one per variant)", R->file, ln->no, r, nv);
        return 0;
    }
    int nf = split_fields(ln, fs, fl, nv + 1);
    if (nf != nv) {
        int col = nf > nv ? scenmc__line_col(ln, fs[nv]) : scenmc__line_col(ln, ln->len);
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:%d: row %d of the cross-impact "
                         "matrix (variant '%s' of '%s') has %d entries; expected %d "
                         "(one per variant)", R->file, ln->no, col, r + 1, R->vn[r],
                         R->ds[d].name, nf, nv);
        return 1;
    }
    for (int c = 0; c < nv; c++) {
        read_entry(R, ln, r, c, ln->s + fs[c], fl[c], scenmc__line_col(ln, fs[c]));
        if (R->err->n_problems - R->before >= 50) {
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s: too many problems; stopped "
                             "reading at line %d", R->file, ln->no);
            return 0;
        }
    }
    return 1;
}

/* What follows the matrix: '#' or nothing. */
static void check_after_matrix(scw_reader *R)
{
    const scenmc__line *ln = scenmc__lexer_next(R->L, 0);
    if (!ln || ln->s[0] == '#')
        return;
    if (looks_like_row(ln)) {
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: a row after the %d rows of the "
                         "cross-impact matrix; expected %d rows (one per variant) and then '#'",
                         R->file, ln->no, R->nv, R->nv);
    } else {
        char ex[64];
        scenmc__line_excerpt(ln, ex);
        scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%d:1: '%s' after the cross-impact "
                         "matrix; expected '#'", R->file, ln->no, ex);
    }
}

/* The cross-impact matrix: one row per variant, one whole number per variant. */
static int read_matrix(scw_reader *R)
{
    size_t V = (size_t)R->nv;
    R->X = scenmc__xcalloc(V * V, sizeof *R->X);
    size_t *fs = scenmc__xmalloc((V + 1) * sizeof *fs);
    size_t *fl = scenmc__xmalloc((V + 1) * sizeof *fl);
    int ok = 1;
    for (int r = 0; r < R->nv && ok; r++)
        ok = read_row(R, r, fs, fl);
    free(fs);
    free(fl);
    if (ok && scw_clean(R))
        check_after_matrix(R);
    return ok && scw_clean(R);
}

/* Descriptor and variant names; unnamed ones made up, repeats numbered. */
static void draft_names(const scw_reader *R, scenmc_model *m, scenmc__notes *N)
{
    const char *file = R->file;
    for (int d = 0; d < R->nd; d++) {
        scenmc_descriptor *D = &m->descriptors[d];
        if (R->ds[d].name[0]) {
            D->name = scenmc__strdup(R->ds[d].name);
        } else {
            char gen[32];
            snprintf(gen, sizeof gen, "D%d", d + 1);
            D->name = scenmc__strdup(gen);
            scenmc__note(N, "%s:%d: descriptor %d has no name; called it '%s'", file,
                        R->ds[d].line, d + 1, gen);
        }
        for (int b = 0; b < D->n_variants; b++) {
            int g = D->offset + b;
            const char *src = R->vn[g];
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
            m->variant_name[g] = scenmc__strdup(cand);
            if (!*src)
                scenmc__note(N, "%s:%d: variant %d of '%s' has no name; called it '%s'", file,
                            R->vline[g], b + 1, D->name, cand);
            else if (strcmp(cand, src) != 0)
                scenmc__note(N, "%s:%d: variant %d of '%s' repeats the name '%s'; called it '%s'",
                            file, R->vline[g], b + 1, D->name, src, cand);
        }
    }
}

/* The next line of the descriptions section from *k that is not empty;
 * NULL at its end. */
static const scenmc__line *next_description(const scw_reader *R, int *k)
{
    while (*k < R->desc_end && R->L->lines[*k].len == 0)
        (*k)++;
    return *k < R->desc_end ? &R->L->lines[(*k)++] : NULL;
}

/* Reads the descriptions into dl[nd] and vdesc[nv]; 1 when they follow the
 * structure line by line; *any says whether some is not empty. */
static int read_descriptions(const scw_reader *R, char **dl, char **vdesc, int *any)
{
    int k = R->desc_first;
    for (int d = 0; d < R->nd; d++) {
        const scenmc__line *ln = next_description(R, &k);
        if (!ln || ln->s[0] != '&')
            return 0;
        dl[d] = scenmc__clean_name(ln->s + 1, ln->len - 1);
        *any |= dl[d][0] != 0;
        for (int b = 0; b < R->ds[d].n_variants; b++) {
            ln = next_description(R, &k);
            if (!ln || ln->s[0] == '&')
                return 0;
            int g = R->ds[d].first + b;
            vdesc[g] = scenmc__clean_name(ln->s, ln->len);
            *any |= vdesc[g][0] != 0;
        }
    }
    return next_description(R, &k) == NULL;
}

/* Descriptions: used as labels when they follow the structure exactly. */
static void draft_labels(const scw_reader *R, scenmc_model *m, scenmc__notes *N)
{
    int any = 0;
    char **dl = scenmc__xcalloc((size_t)R->nd, sizeof *dl);
    char **vdesc = scenmc__xcalloc((size_t)R->nv, sizeof *vdesc);
    int shape = read_descriptions(R, dl, vdesc, &any);
    int had_lines = 0;
    for (int j = R->desc_first; j < R->desc_end; j++)
        had_lines |= R->L->lines[j].len != 0;
    if (shape && any) {
        for (int d = 0; d < R->nd; d++)
            if (dl[d][0])
                m->descriptors[d].label = scenmc__strdup(dl[d]);
        for (int v = 0; v < R->nv; v++)
            if (vdesc[v][0])
                m->variant_label[v] = scenmc__strdup(vdesc[v]);
    } else if (!shape && had_lines) {
        scenmc__note(N, "%s:%d: the descriptions do not follow the descriptor list line by line; "
                    "they are ignored", R->file, R->L->lines[R->desc_first].no);
    }
    for (int d = 0; d < R->nd; d++)
        free(dl[d]);
    for (int v = 0; v < R->nv; v++)
        free(vdesc[v]);
    free(dl);
    free(vdesc);
}

/* The matrix, its scale, and the self-impacts it carries. */
static void draft_matrix(scw_reader *R, scenmc_model *m, scenmc__notes *N)
{
    m->cross_impact = R->X;
    R->X = NULL;
    double mx = 0;
    size_t V = (size_t)R->nv;
    for (size_t u = 0; u < V * V; u++)
        if (fabs(m->cross_impact[u]) > mx)
            mx = fabs(m->cross_impact[u]);
    if (mx > 20) {
        m->scale_x[0] = -mx;
        m->scale_x[1] = mx;
    }
    int self = 0;
    char who[512] = "";
    for (int d = 0; d < R->nd; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        int cnt = 0;
        for (int a = 0; a < D->n_variants; a++)
            for (int b = 0; b < D->n_variants; b++)
                cnt += m->cross_impact[(size_t)(D->offset + a) * V + (size_t)(D->offset + b)] != 0;
        if (cnt && strlen(who) < 400) {
            char part[128];
            snprintf(part, sizeof part, "%s%s %d", *who ? ", " : "", D->name, cnt);
            strncat(who, part, sizeof who - strlen(who) - 1);
        }
        self += cnt;
    }
    if (self)
        scenmc__note(N, "%s: %d self-impacts (non-zero impacts of a descriptor's variants on its "
                    "own variants) kept, as ScenarioWizard counts them: %s", R->file, self, who);
}

static scenmc_model *to_draft(scw_reader *R, const char *name, scenmc__notes *N)
{
    int *counts = scenmc__xmalloc((size_t)R->nd * sizeof *counts);
    for (int d = 0; d < R->nd; d++)
        counts[d] = R->ds[d].n_variants;
    scenmc_model *m = scenmc__model_draft_new(R->nd, counts);
    free(counts);
    scenmc__draft_set_origin(m, name, R->title, "ScenarioWizard 4.0 file");
    draft_names(R, m, N);
    draft_labels(R, m, N);
    draft_matrix(R, m, N);
    return m;
}

static void scw_reader_free(scw_reader *R)
{
    free(R->X);
    for (int d = 0; d < R->nd; d++)
        free(R->ds[d].name);
    free(R->ds);
    for (int v = 0; v < R->nv; v++)
        free(R->vn[v]);
    free(R->vn);
    free(R->vline);
    free(R->title);
}

static scenmc_status read_scw(scenmc__lexer *L, const char *name, scenmc_model **draft,
                              scenmc__notes *N)
{
    scw_reader R = {.L = L, .file = L->file, .err = L->err, .before = L->err->n_problems,
                    .cap_d = 16, .cap_v = 64};
    scenmc_status st = read_header(&R);
    if (st != SCENMC_OK)
        return st;
    R.ds = scenmc__xcalloc((size_t)R.cap_d, sizeof *R.ds);
    R.vn = scenmc__xcalloc((size_t)R.cap_v, sizeof *R.vn);
    R.vline = scenmc__xcalloc((size_t)R.cap_v, sizeof *R.vline);
    scenmc_model *m = NULL;
    if (read_structure(&R) && skip_sections(&R) && read_matrix(&R))
        m = to_draft(&R, name, N);
    scw_reader_free(&R);
    if (!m)
        return R.err->code ? R.err->code : SCENMC_E_INPUT;
    *draft = m;
    return SCENMC_OK;
}

scenmc_status scenmc__scw_read_draft(const char *text, size_t len, const char *name,
                                    scenmc_model **draft, char **notes, scenmc_error *err)
{
    *draft = NULL;
    if (notes)
        *notes = NULL;
    char *utf8 = NULL;
    size_t n = 0;
    scenmc__notes N;
    scenmc_status st = scenmc__import_text(text, len, name, ", ScenarioWizard's encoding", &utf8,
                                          &n, &N, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__lexer L = {.file = name, .err = err};
    scenmc__lexer_split(&L, utf8, n);
    st = read_scw(&L, name, draft, &N);
    free(L.lines);
    free(utf8);
    scenmc__notes_close(&N, st == SCENMC_OK ? notes : NULL);
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
    unsigned char *out = scenmc__xmalloc(n + 1);
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
    char *t = scenmc__xmalloc(len + extra + 1), *p = t;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            *p++ = '\r';
        *p++ = text[i];
    }
    *p = '\0';
    *out_len = (size_t)(p - t);
    return t;
}

/* Every entry of M a whole number ScenarioWizard can store; reports at most 20. */
static scenmc_status check_whole(const scenmc_model *m, const double *M, scenmc_error *err)
{
    size_t V = (size_t)m->n_variants;
    int before = err->n_problems;
    for (size_t u = 0; u < V; u++)
        for (size_t v = 0; v < V; v++) {
            double x = M[u * V + v];
            if (x == floor(x) && fabs(x) <= SCW_MAX_ABS)
                continue;
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
    return err->n_problems > before ? err->code : SCENMC_OK;
}

/* What of the model a .scw file has no place for. */
static void note_left_out(const scenmc_model *m, scenmc__notes *N)
{
    size_t V = (size_t)m->n_variants;
    if (!m->cross_impact)
        scenmc__note(N, "%s has no cross-impact matrix: its consistency matrix is written as the "
                    "cross-impact matrix, which gives the same CIB-consistent scenarios", m->path);
    if (m->bias) {
        int any = 0;
        for (size_t v = 0; v < V; v++)
            any |= m->bias[v] != 0;
        if (any)
            scenmc__note(N, "the model's bias has no place in a .scw file and is not written");
    }
    if (m->cross_impact) {
        int has_c = 0;
        for (size_t k = 0; k < V * V && !has_c; k++)
            has_c = m->scored[k];
        if (has_c)
            scenmc__note(N, "the model's consistency matrix has no place in a .scw file next to "
                        "its cross-impact matrix and is not written (export it with --csv "
                        "--consistency)");
    }
}

/* One section shaped like the structure: '&' and the descriptor's text,
 * then prefix and each variant's text. */
static void put_structure(FILE *f, const scenmc_model *m, int labels)
{
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputc('&', f);
        put_line_text(f, labels ? D->label : D->name ? D->name : D->id);
        fputc('\n', f);
        for (int b = 0; b < D->n_variants; b++) {
            int g = D->offset + b;
            fputs(labels ? " " : " -", f);
            put_line_text(f, labels ? (m->variant_label ? m->variant_label[g] : NULL)
                                    : m->variant_name[g]);
            fputc('\n', f);
        }
    }
}

/* The file as ScenarioWizard 4.0 writes it, with M as the matrix. */
static void put_scw(FILE *f, const scenmc_model *m, const double *M)
{
    size_t V = (size_t)m->n_variants;
    fputs("$ ScenarioWizard 4.0\n", f);
    put_line_text(f, m->name);
    fputc('\n', f);
    put_structure(f, m, 0);
    fputs("#\n", f);
    put_structure(f, m, 1);
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
}

scenmc_status scenmc__scw_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err)
{
    scenmc_export_options defaults;
    opt = scenmc__export_begin(opt, &defaults, text, len, notes);
    const double *M = m->cross_impact ? m->cross_impact : m->consistency;
    scenmc_status st = check_whole(m, M, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__notes N;
    scenmc__notes_open(&N);
    note_left_out(m, &N);

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f) {
        scenmc__notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream");
    }
    put_scw(f, m, M);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        scenmc__notes_close(&N, NULL);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the .scw text");
    }
    if (!opt->utf8 && !utf8_to_cp1252(buf, &size))
        scenmc__note(&N, "some names have characters that Windows-1252 lacks: the file is written "
                    "as UTF-8, which ScenarioWizard may show garbled");
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
    scenmc__notes_close(&N, notes);
    return SCENMC_OK;
}

scenmc_status scenmc_scw_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err)
{
    return scenmc__export_write(scenmc__scw_format, path, m, opt, notes, err);
}
