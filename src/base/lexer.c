/* Lines of a text file for the line-oriented readers (.scw, .sl, CSV):
 * split once, with line numbers and character columns for messages. */
#include "base/lexer.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenmc__lexer_split(scenmc__lexer *L, const char *text, size_t len)
{
    int cap = 64;
    L->lines = scenmc__xmalloc((size_t)cap * sizeof *L->lines);
    L->n = 0;
    size_t start = 0;
    int no = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        size_t e = i;
        if (e > start && text[e - 1] == '\r')
            e--;
        if (L->n == cap) {
            cap *= 2;
            L->lines = scenmc__xrealloc(L->lines, (size_t)cap * sizeof *L->lines);
        }
        L->lines[L->n++] = (scenmc__line){text + start, e - start, no++};
        start = i + 1;
    }
    L->last_no = no - 1;
    L->i = 0;
}

/* Column (1-based, in characters) of byte offset off within a line. */
int scenmc__line_col(const scenmc__line *ln, size_t off)
{
    return 1 + (int)scenmc__utf8_count(ln->s, off < ln->len ? off : ln->len);
}

int scenmc__blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t')
            return 0;
    return 1;
}

/* The next line that is not empty (keep_spaces) or not blank; NULL at the end. */
const scenmc__line *scenmc__lexer_next(scenmc__lexer *L, int keep_spaces)
{
    while (L->i < L->n) {
        const scenmc__line *ln = &L->lines[L->i++];
        if (ln->len == 0)
            continue;
        if (!keep_spaces && scenmc__blank(ln->s, ln->len))
            continue;
        return ln;
    }
    return NULL;
}

/* A malloc'd copy of s[0..n) without surrounding blanks and, when the rest is
 * quoted "...", without the quotes. */
char *scenmc__clean_name(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    char *t = scenmc__xmalloc(n + 1);
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

void scenmc__line_excerpt(const scenmc__line *ln, char out[64])
{
    size_t n = ln->len < 40 ? ln->len : 40;
    memcpy(out, ln->s, n);
    out[n] = '\0';
    if (ln->len > 40)
        strcpy(out + n, "...");
}

/* Whole number in s[0..n): optional sign, digits. 1 ok, 0 not a whole number. */
int scenmc__parse_long(const char *s, size_t n, long *out)
{
    size_t k = 0;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        k++;
    if (k == n)
        return 0;
    long v = 0;
    for (size_t j = k; j < n; j++) {
        if (!isdigit((unsigned char)s[j]))
            return 0;
        if (v > 100000000L)
            v = 100000000L; /* saturate: reported as too large */
        else
            v = v * 10 + (s[j] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 1;
}

scenmc_status scenmc__lexer_truncated(scenmc__lexer *L, const char *where, const char *expected)
{
    return scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%d:1: the file ends %s; expected %s "
                            "(is the file truncated?)", L->file, L->last_no + 1, where, expected);
}

