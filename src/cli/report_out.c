#include "cli/report_out.h"
#include "base/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>




void heading(const out *o, int level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (o->md) {
        fprintf(o->f, "%.*s %s\n\n", level, "####", buf);
        return;
    }
    fprintf(o->f, "%s\n", buf);
    if (level <= 2) {
        int w = (int)scenmc__utf8_chars(buf);
        for (int i = 0; i < w; i++)
            fputc(level == 1 ? '=' : '-', o->f);
        fputc('\n', o->f);
    }
    fputc('\n', o->f);
}

void para(const out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->f, fmt, ap);
    va_end(ap);
    fputs("\n\n", o->f);
}



void tbl_cell(tbl *t, const char *fmt, ...)
{
    if ((size_t)t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cell = realloc(t->cell, t->cap * sizeof(char *));
        if (!t->cell) {
            fputs("scenmc report: out of memory\n", stderr);
            exit(1);
        }
    }
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->cell[t->n] = strdup(buf);
    if (!t->cell[t->n++]) {
        fputs("scenmc report: out of memory\n", stderr);
        exit(1);
    }
}

void tbl_print(const out *o, tbl *t)
{
    int rows = t->n / t->ncol;
    int w[16] = {0};
    for (int i = 0; i < rows * t->ncol; i++) {
        int c = i % t->ncol, k = (int)scenmc__utf8_chars(t->cell[i]);
        w[c] = k > w[c] ? k : w[c];
    }
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < t->ncol; c++) {
            const char *s = t->cell[r * t->ncol + c];
            int pad = w[c] - (int)scenmc__utf8_chars(s);
            if (o->md) {
                fputs(c ? " | " : "| ", o->f);
                for (; *s; s++) {
                    if (*s == '|')
                        fputc('\\', o->f);
                    fputc(*s, o->f);
                }
                if (c == t->ncol - 1)
                    fputs(" |", o->f);
            } else {
                fputs(c ? "  " : "  ", o->f);
                if (t->align[c] == 'r')
                    fprintf(o->f, "%*s%s", pad, "", s);
                else
                    fprintf(o->f, "%s%*s", s, c == t->ncol - 1 ? 0 : pad, "");
            }
        }
        fputc('\n', o->f);
        if (r == 0) {
            for (int c = 0; c < t->ncol; c++) {
                if (o->md) {
                    fputs(c ? " | " : "| ", o->f);
                    fputs(t->align[c] == 'r' ? "---:" : "---", o->f);
                    if (c == t->ncol - 1)
                        fputs(" |", o->f);
                } else {
                    fputs("  ", o->f);
                    for (int i = 0; i < w[c]; i++)
                        fputc('-', o->f);
                }
            }
            fputc('\n', o->f);
        }
    }
    fputc('\n', o->f);
    for (int i = 0; i < t->n; i++)
        free(t->cell[i]);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

