/* The run option table printed as documentation: the README's option table
 * (Markdown) and the man page's RUN OPTIONS entries (roff), so neither is
 * written by hand (run_options.h). */
#include <stdio.h>
#include <string.h>

#include "cli/run_options.h"

/* A table cell: '|' would end it. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void vg_run_options_markdown(FILE *out)
{
	fputs("| option | meaning |\n|---|---|\n", out);
	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		char note[256];

		fputs("| `", out);
		if (o->short_name)
			fprintf(out, "-%c, ", o->short_name);
		fprintf(out, "--%s", o->name);
		if (o->arg) {
			fputc(' ', out);
			md_text(out, o->arg);
		}
		fputs("` | ", out);
		md_text(out, o->help);
		vg_run_option_key_note(o, VG_RUN_OPTIONS_DOC_RULES, note, sizeof(note));
		if (note[0]) {
			/* [key; default X] as (`key`; default `X`) */
			char *semi = strchr(note, ';'), *colon = strchr(note, ':');
			char *end = note + strlen(note) - 1;

			*end = 0;
			if (semi) {
				*semi = 0;
				fprintf(out, " (`%s`; ", note + 1);
				md_text(out, semi + 2);
				fputc(')', out);
			} else if (colon) {
				*colon = 0;
				fprintf(out, " (`%s: %s`)", note + 1, colon + 2);
			} else {
				fprintf(out, " (`%s`)", note + 1);
			}
		}
		fputs(" |\n", out);
	}
}

/* roff text: a backslash doubled, every '-' a minus sign, and a line never
 * starting with a control character. */
static void roff_text(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

void vg_run_options_man(FILE *out)
{
	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		char note[256];

		fputs(".TP\n.B \"", out);
		if (o->short_name)
			fprintf(out, "\\-%c, ", o->short_name);
		fputs("\\-\\-", out);
		roff_text(out, o->name);
		if (o->arg) {
			fputc(' ', out);
			roff_text(out, o->arg);
		}
		fputs("\"\n", out);
		roff_text(out, o->help);
		fputs(".\n", out);
		vg_run_option_key_note(o, VG_RUN_OPTIONS_DOC_RULES, note, sizeof(note));
		if (note[0]) {
			roff_text(out, note);
			fputc('\n', out);
		}
	}
}
