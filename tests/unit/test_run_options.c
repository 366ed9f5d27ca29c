/* vigil run's option table (src/cli/run_options.c): every option sets a
 * configuration key that exists and takes the option's value; the usage
 * text, the README's option table and the man page's name every option
 * with its key (both are printed from the table: check_generated), the bash
 * completion offers it; and the command line becomes the configuration the
 * monitor then reads. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli/run_config.h"
#include "cli/run_options.h"
#include "config/config.h"
#include "util/macros.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = 0;
	fclose(f);
	return buf;
}

/* needle in hay, not followed by more of an option's name */
static const char *find_option(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *at = strstr(hay, needle); at; at = strstr(at + 1, needle)) {
		char next = at[n];

		if (!isalnum((unsigned char)next) && next != '-' && next != '\\' && next != '_')
			return at;
	}
	return NULL;
}

/* The README row of an option: a table line whose first cell names it. */
static int readme_row_has(const char *readme, const char *opt, const char *key)
{
	for (const char *line = readme; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char row[2048];

		snprintf(row, sizeof(row), "%.*s", (int)len, line);
		if (!strncmp(row, "| `", 3)) {
			char *cell_end = strstr(row + 3, " | ");

			if (cell_end) {
				*cell_end = 0;
				if (find_option(row, opt))
					return !key || strstr(cell_end + 1, key) != NULL;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

/* The man page entry of an option: from the .TP tag naming it to the next
 * .TP or .SH. */
static int man_entry_has(const char *man, const char *opt, const char *key)
{
	char esc[128];
	size_t n = 0;

	for (const char *c = opt; *c && n < sizeof(esc) - 3; c++) {
		if (*c == '-')
			esc[n++] = '\\';
		esc[n++] = *c;
	}
	esc[n] = 0;
	for (const char *at = find_option(man, esc); at; at = find_option(at + 1, esc)) {
		const char *bol = at;
		const char *next_tp, *next_sh, *stop;

		while (bol > man && bol[-1] != '\n')
			bol--;
		/* an entry's tag: a .B line right after .TP */
		if (strncmp(bol, ".B", 2) || bol - man < 4 || strncmp(bol - 4, ".TP\n", 4))
			continue;
		next_tp = strstr(at, "\n.TP");
		next_sh = strstr(at, "\n.SH");
		stop = !next_tp || (next_sh && next_sh < next_tp) ? next_sh : next_tp;
		if (!key)
			return 1;
		for (const char *k = strstr(at, key); k; k = strstr(k + 1, key))
			if (!stop || k < stop)
				return 1;
		return 0;
	}
	return 0;
}

static void test_every_option_is_a_key(void)
{
	struct vg_config *cfg;
	struct vg_config_errors errs;

	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		const struct vg_config_key *k;

		if (o->kind == VG_RO_CONFIG || o->kind == VG_RO_SET || o->kind == VG_RO_HELP) {
			CHECK(o->key == NULL);
			continue;
		}
		k = o->key ? vg_config_key_find(o->key) : NULL;
		if (!k)
			fprintf(stderr, "--%s: no configuration key '%s'\n", o->name,
				o->key ? o->key : "(none)");
		CHECK(k != NULL);
		if (!k)
			continue;
		CHECK((o->arg != NULL) == (o->kind != VG_RO_FLAG));
		if (o->kind == VG_RO_LIST || o->kind == VG_RO_APPEND)
			CHECK_INT(k->type, VG_CT_LIST);
		if (o->kind == VG_RO_OUTPUT)
			CHECK_INT(k->type, VG_CT_OUTPUTS);
		/* a flag's value is one its key accepts */
		if (o->kind == VG_RO_FLAG) {
			memset(&errs, 0, sizeof(errs));
			CHECK_INT(vg_config_new(&cfg, "/x"), 0);
			CHECK_INT(vg_config_set_kv(cfg, o->key, o->value, o->name, &errs), 0);
			vg_config_free(cfg);
		}
		/* names are unique, long and short */
		for (unsigned j = 0; j < i; j++) {
			CHECK(strcmp(vg_run_options[j].name, o->name) != 0);
			CHECK(!o->short_name || vg_run_options[j].short_name != o->short_name);
		}
	}
}

static void test_usage_readme_and_man_name_every_option(void)
{
	char *usage = NULL, *readme = slurp("README.md"), *man = slurp("man/vigil.8");
	char *completion = slurp("etc/vigil.bash-completion");
	size_t ulen = 0;
	FILE *f = open_memstream(&usage, &ulen);

	CHECK(readme != NULL);
	CHECK(man != NULL);
	vg_run_usage(f, "/rules.yaml");
	fclose(f);
	for (unsigned i = 0; readme && man && i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		char opt[96], key[96];

		snprintf(opt, sizeof(opt), "--%s", o->name);
		snprintf(key, sizeof(key), "[%s", o->key ? o->key : "");
		CHECK(find_option(usage, opt) != NULL);
		if (completion && !find_option(completion, opt))
			fprintf(stderr, "etc/vigil.bash-completion: %s missing\n", opt);
		CHECK(completion && find_option(completion, opt));
		if (o->key)
			CHECK(strstr(usage, key) != NULL);
		if (o->kind == VG_RO_HELP)
			continue; /* --help is in the synopsis */
		if (!readme_row_has(readme, opt, o->key))
			fprintf(stderr, "README.md: no row for %s naming %s\n", opt,
				o->key ? o->key : "-");
		CHECK(readme_row_has(readme, opt, o->key));
		if (!man_entry_has(man, opt, o->key))
			fprintf(stderr, "man/vigil.8: no entry for %s naming %s\n", opt,
				o->key ? o->key : "-");
		CHECK(man_entry_has(man, opt, o->key));
	}
	free(usage);
	free(completion);
	free(readme);
	free(man);
}

/* The command line through the table into the configuration and on into
 * the monitor's options. */
static void test_command_line_to_monitor_options(void)
{
	static struct vg_run_args a;
	char *argv[] = { "run",
			 "-e",
			 "--json",
			 "--set",
			 "stats.interval=5",
			 "--stats-interval",
			 "7",
			 "--ph-no-persist",
			 "--ph-response",
			 "stop",
			 "--ph-response-exe",
			 "/bin/a",
			 "--ph-response-exe",
			 "/bin/b",
			 "--deny-exec",
			 "/bin/c",
			 "--auth-libpam",
			 "/lib/libpam.so.0",
			 "-d",
			 "30",
			 "-r",
			 "/r1.yaml",
			 "--rules",
			 "/r2.yaml",
			 NULL };
	struct vg_config_override all[2 * VG_RUN_OVERRIDES_MAX];
	struct vg_config_errors errs = { 0 };
	struct vg_monitor_opts mo = { 0 };
	struct vg_sensor_opts so = { 0 };
	static struct vg_run_storage st;
	struct vg_config *cfg = NULL;
	unsigned n;

	CHECK_INT(vg_run_args_parse(&a, (int)(ARRAY_SIZE(argv)) - 1, argv), 0);
	memcpy(all, a.sets, a.nsets * sizeof(all[0]));
	memcpy(all + a.nsets, a.opts, a.nopts * sizeof(all[0]));
	n = a.nsets + a.nopts;
	CHECK_INT(vg_config_new(&cfg, "/x"), 0);
	CHECK_INT(vg_config_apply(cfg, all, n, &errs), 0);
	/* what a file would have listed */
	CHECK_INT(vg_config_set_list(cfg, "response.deny_exec",
				     (const char *const[]){ "/bin/from-file" }, 1, "file", &errs),
		  0);
	CHECK_INT(vg_run_args_append(&a, cfg, &errs), 0);
	CHECK_INT(vg_run_config_apply(&mo, &so, cfg, NULL, 0, &st), 0);
	CHECK(mo.print_events && mo.json);
	CHECK_INT(mo.stats_interval_s, 7); /* the option wins over --set */
	CHECK_INT(mo.duration_s, 30);
	CHECK(mo.ph_opts.no_persist);
	CHECK_INT(mo.ph_opts.response_sig, 19 /* SIGSTOP */);
	CHECK_INT(mo.ph_opts.response_lfc, 12);
	CHECK_INT(mo.ph_opts.nresponse_exes, 2);
	CHECK_STR(mo.auth_opts.libpam, "/lib/libpam.so.0");
	CHECK_INT(cfg->rules.files.n, 2);
	CHECK_INT(cfg->response.deny_exec.n, 2); /* added to the file's list */
	CHECK_INT(st.deny.n, 2);
	vg_run_storage_free(&st);
	vg_config_free(cfg);
	/* --ph-response without a program is refused, as before */
	char *bad[] = { "run", "--ph-response", "kill", NULL };
	CHECK_INT(vg_run_args_parse(&a, 3, bad), 0);
	CHECK_INT(vg_config_new(&cfg, "/x"), 0);
	CHECK_INT(vg_config_apply(cfg, a.opts, a.nopts, &errs), 0);
	memset(&mo, 0, sizeof(mo));
	CHECK_INT(vg_run_config_apply(&mo, &so, cfg, NULL, 0, &st), -1);
	vg_run_storage_free(&st);
	vg_config_free(cfg);
	/* a misspelt option and a stray argument are usage errors */
	char *typo[] = { "run", "--evnets", NULL };
	CHECK_INT(vg_run_args_parse(&a, 2, typo), 2);
	CHECK(a.usage_error);
	char *stray[] = { "run", "stray", NULL };
	CHECK_INT(vg_run_args_parse(&a, 2, stray), 2);
	CHECK(a.usage_error);
}

/* The README's table and the man page's entries are exactly what the table
 * prints between their "generated" markers (scripts/gen_run_options_doc.py
 * writes them). */
static void check_generated(const char *path, const char *begin, const char *end,
			    void (*print)(FILE *))
{
	char *doc = slurp(path), *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *b, *e;

	CHECK(doc != NULL && f != NULL);
	if (!doc || !f)
		return;
	print(f);
	fclose(f);
	b = strstr(doc, begin);
	e = b ? strstr(b, end) : NULL;
	CHECK(b != NULL && e != NULL);
	if (b && e) {
		b += strlen(begin);
		if ((size_t)(e - b) != len || memcmp(b, text, len))
			fprintf(stderr, "%s: the run options are not the table's: run "
					"scripts/gen_run_options_doc.py\n", path);
		CHECK((size_t)(e - b) == len && !memcmp(b, text, len));
	}
	free(text);
	free(doc);
}

static void test_readme_and_man_come_from_the_table(void)
{
	check_generated("README.md",
			"<!-- generated: vigil config run-options (scripts/gen_run_options_doc.py) -->\n",
			"<!-- end generated -->\n", vg_run_options_markdown);
	check_generated("man/vigil.8",
			".\\\" generated: vigil config run-options-man (scripts/gen_run_options_doc.py)\n",
			".\\\" end generated\n", vg_run_options_man);
}

int main(void)
{
	test_every_option_is_a_key();
	test_usage_readme_and_man_name_every_option();
	test_readme_and_man_come_from_the_table();
	test_command_line_to_monitor_options();
	return check_report();
}
