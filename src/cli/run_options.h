/* The options of `vigil run`, in one table: each is a shorthand that sets
 * a configuration key (src/config/schema.c), except --config, --set and
 * --help, which say where the configuration comes from. The getopt table,
 * the usage text and the overrides come from it; a unit test checks that
 * the README's and the man page's option tables name every row. */
#ifndef VIGIL_CLI_RUN_OPTIONS_H
#define VIGIL_CLI_RUN_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"

enum vg_run_option_kind {
	VG_RO_VALUE,   /* the argument is the key's value */
	VG_RO_FLAG,    /* no argument: sets the key to the row's value */
	VG_RO_LIST,    /* repeatable: the arguments, in order, replace the list */
	VG_RO_APPEND,  /* repeatable: the arguments are added to the file's list */
	VG_RO_OUTPUT,  /* repeatable: TYPE[:KEY=VALUE,...] entries replace `outputs` */
	VG_RO_CONFIG,  /* --config: the file itself */
	VG_RO_SET,     /* --set KEY=VALUE */
	VG_RO_HELP,    /* --help */
};

struct vg_run_option {
	const char *name;  /* the long option, without "--" */
	char short_name;   /* 0: none */
	const char *arg;   /* the argument's name in the help; NULL: none */
	enum vg_run_option_kind kind;
	const char *key;   /* the configuration key it sets; NULL for the three above */
	const char *value; /* VG_RO_FLAG: the value it sets */
	const char *help;  /* the usage text; the key and its default are added */
};

extern const struct vg_run_option vg_run_options[];
extern const unsigned vg_run_noptions;

/* What the command line says: overrides in order (the options' own after
 * every --set, so they win over it), the file, the outputs' entries. */
#define VG_RUN_OVERRIDES_MAX 256
#define VG_RUN_LIST_MAX 64
struct vg_run_args {
	const char *config_path; /* --config; NULL: the default file */
	struct vg_config_override sets[VG_RUN_OVERRIDES_MAX];
	unsigned nsets;
	struct vg_config_override opts[VG_RUN_OVERRIDES_MAX];
	unsigned nopts;
	/* a repeatable option's arguments, one array per row */
	const char *lists[VG_RUN_LIST_MAX][VG_RUN_LIST_MAX];
	unsigned nlists[VG_RUN_LIST_MAX];
	const char *outputs[VG_RUN_LIST_MAX]; /* --output arguments, as written */
	unsigned noutputs;
	bool help;
	bool usage_error; /* a misspelt option: the usage follows the error */
};

/* Parses argv; returns 0, or 2 after printing the problem (a usage error).
 * With --help, a->help is set and nothing else is checked. */
int vg_run_args_parse(struct vg_run_args *a, int argc, char **argv);

/* The overrides of the repeatable options that add to the file's list
 * (VG_RO_APPEND): applied after the configuration is built. */
int vg_run_args_append(const struct vg_run_args *a, struct vg_config *cfg,
		       struct vg_config_errors *errs);

/* `vigil run --help`, from the table; default_rules is what an empty
 * rules.files means. */
void vg_run_usage(FILE *out, const char *default_rules);

/* "[key; default X]" for option o into buf (empty when it sets no key). */
void vg_run_option_key_note(const struct vg_run_option *o, const char *default_rules, char *buf,
			    size_t size);

/* The option table as the README's Markdown table and as the man page's
 * RUN OPTIONS entries (vigil config run-options [--man]); both files hold
 * exactly this text between their "generated" markers
 * (scripts/gen_run_options_doc.py, checked by unit/test_run_options). */
#define VG_RUN_OPTIONS_DOC_RULES "vigil_rules.yaml as installed"
void vg_run_options_markdown(FILE *out);
void vg_run_options_man(FILE *out);

#endif
