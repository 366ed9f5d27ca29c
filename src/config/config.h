/* vigil's configuration: one YAML file (default /etc/vigil/vigil.yaml) over
 * built-in defaults, then KEY=VALUE overrides from the command line. A
 * schema table (schema.c) names every key with its type, range, default and
 * one-line doc; it drives parsing, validation, `vigil config show`, the
 * commented example file and the documentation. Errors name the file, line,
 * column and key. */
#ifndef VIGIL_CONFIG_CONFIG_H
#define VIGIL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VG_CONFIG_DEFAULT_PATH "/etc/vigil/vigil.yaml"
#define VG_CONFIG_FILE_MAX (1u << 20)	 /* bytes in a configuration file */
#define VG_CONFIG_STRING_MAX 4096	 /* bytes in one value */
#define VG_CONFIG_OUTPUTS_MAX 16	 /* entries under outputs: */
#define VG_CONFIG_OUTPUT_KEYS_MAX 32	 /* keys in one output entry */
#define VG_CONFIG_ERRORS_MAX 16		 /* errors kept for one load */

struct vg_strlist {
	char **items;
	unsigned n;
};

/* One `outputs:` entry, kept as written: the outputs module interprets it
 * (vg_output_conf_new(type) + vg_output_conf_set(key, value)). */
struct vg_output_kv {
	char *key;
	char *value;
	unsigned line;
};

/* One ph.watch entry: a program and, optionally, its own pH settings
 * (config_watch.c). A setting left out is VG_CONFIG_UNSET: the global
 * ph.* value applies. */
#define VG_CONFIG_UNSET UINT64_MAX
#define VG_CONFIG_WATCH_CALLS_MAX 64 /* ignore_calls of one entry */

struct vg_watch_entry {
	char *path;		/* absolute */
	uint64_t normal_wait;	/* seconds */
	uint64_t coverage_runs;
	uint64_t anomaly_limit; /* anomaly episodes before normal mode stops */
	struct vg_strlist ignore_calls; /* syscall names the model does not see */
};

struct vg_watch_list {
	struct vg_watch_entry *e;
	char **paths; /* e[i].path, for readers that want the paths only */
	unsigned n;
};

struct vg_output_entry {
	char *type; /* stdout, file, syslog, webhook, program */
	unsigned line;
	struct vg_output_kv kv[VG_CONFIG_OUTPUT_KEYS_MAX];
	unsigned nkv;
};

struct vg_config {
	struct {
		struct vg_strlist files; /* empty: the built-in default rules */
		bool enabled;
	} rules;
	struct {
		uint64_t ring_size, wakeup_bytes, poll_ms, coalesce_ms;
		bool bpf_stats;
		bool io_uring; /* the io_uring programs (bpf/vg_uring.h) */
		struct vg_strlist syscalls; /* empty: all that vigil watches */
	} sensor;
	struct {
		uint64_t interval;
	} stats;
	struct {
		uint64_t repeat_window; /* seconds; 0: every alert is sent */
	} alerts;
	char *lock_file;
	uint64_t duration; /* seconds; 0: until signalled */
	struct {
		bool events; /* every event the sensor sends, to the outputs */
		bool json;   /* the classic output: JSON lines instead of text */
		char *file;  /* the classic output's file; "": standard output */
	} output;
	struct {
		bool verbose; /* debug messages, libbpf's too */
	} log;
	struct {
		bool enabled;
		uint64_t normal_wait, min_train, save_interval;
		char *model; /* "ngram" or "plain" */
		char *state_dir;
		char *alert_scope;     /* "services", "all" or "watched" */
		struct vg_watch_list watch; /* always reported; own settings */
		uint64_t learning_window; /* seconds; 0: off */
		bool persist;		  /* load and save profiles */
		char *response;		  /* "off", "kill" or "stop" */
		uint64_t response_lfc;
		struct vg_strlist response_exe; /* programs the response applies to */
		uint64_t coverage_runs;	  /* runs to normal by coverage; 0: off */
		uint64_t coverage_calls;  /* calls a block (coverage by calls); 0: off */
		uint64_t coverage_block;  /* seconds a block spans at least */
	} ph;
	struct {
		bool enabled;
		uint64_t failures, window;
		char *libpam; /* "": the system's */
	} auth;
	struct {
		bool enabled;
		struct vg_strlist deny_exec;
		struct vg_strlist deny_exec_file; /* files of paths, one a line */
	} response;
	struct {
		char *socket;
	} control;
	struct {
		char *listen;	  /* "off", "on", unix:PATH or HOST:PORT */
		char *token_file; /* HOST:PORT only: the bearer token's file; "" none */
	} metrics;
	struct {
		char *listen, *token_file, *tls_cert, *tls_key, *overrides; /* "none": unset */
		bool allow_remote;
	} web;
	struct vg_output_entry outputs[VG_CONFIG_OUTPUTS_MAX];
	unsigned noutputs;

	char *builtin_rules; /* what an empty rules.files means */
};

enum vg_config_type {
	VG_CT_BOOL,
	VG_CT_UINT,
	VG_CT_SIZE,    /* bytes, K/M/G suffixes */
	VG_CT_SECONDS, /* seconds, s/m/h/d suffixes */
	VG_CT_STRING,
	VG_CT_ENUM,
	VG_CT_LIST,    /* of strings */
	VG_CT_OUTPUTS, /* list of mappings with a type */
	VG_CT_WATCH,   /* list of paths or {path: ..., setting: ...} (ph.watch) */
};

/* Checks one string value (a STRING, or each item of a LIST); on error
 * writes why into why and returns -EINVAL. */
typedef int (*vg_config_check_fn)(const char *value, char *why, size_t len);

struct vg_config_key {
	const char *name;	/* dotted: "sensor.ring_size" */
	enum vg_config_type type;
	uint64_t min, max;	/* numbers; for a LIST, max is the item limit */
	bool pow2;		/* numbers that must be a power of two */
	const char *choices;	/* ENUM: "ngram|plain" */
	const char *def;	/* the default, as it would be written */
	const char *doc;	/* one line */
	size_t offset;		/* of the value in struct vg_config */
	vg_config_check_fn check;
	bool live;		/* applied by a reload (SIGHUP); others need a restart */
};

/* The settings of one ph.watch mapping (schema.c): for the parser's
 * errors and the printed documentation. */
struct vg_config_subkey {
	const char *name;
	const char *type; /* as the documentation writes it */
	const char *doc;
};
extern const struct vg_config_subkey vg_config_watch_keys[];
extern const unsigned vg_config_nwatch_keys;

extern const struct vg_config_key vg_config_keys[];
extern const unsigned vg_config_nkeys;

const struct vg_config_key *vg_config_key_find(const char *name);

struct vg_config_error {
	char where[256]; /* the file, or the option ("--set") */
	unsigned line, column; /* 1-based; 0 when not from a file */
	char key[128];
	char msg[256];
};

struct vg_config_errors {
	struct vg_config_error e[VG_CONFIG_ERRORS_MAX];
	unsigned n;	/* kept */
	unsigned total; /* found, including those not kept */
};

/* "FILE:LINE:COL: KEY: problem" (or "WHERE: KEY: problem"). */
void vg_config_error_format(const struct vg_config_error *e, char *buf, size_t len);

/* A configuration holding the defaults; builtin_rules is the rule file an
 * empty rules.files stands for. Returns 0 or -ENOMEM. */
int vg_config_new(struct vg_config **out, const char *builtin_rules);
void vg_config_free(struct vg_config *c);

/* Reads a YAML file over c. Returns 0; -ENOENT when the file does not
 * exist (nothing is recorded, so a caller may treat it as "no file");
 * -EINVAL with errs filled when the file is invalid (c is then partly
 * updated: discard it); another negative errno when it cannot be read
 * (recorded in errs too). */
int vg_config_load_file(struct vg_config *c, const char *path, struct vg_config_errors *errs);
/* The same for text in memory; name is used in errors. */
int vg_config_load_buf(struct vg_config *c, const char *name, const char *buf, size_t len,
		       struct vg_config_errors *errs);

/* One "KEY=VALUE" override; VALUE is YAML ("[a, b]" or "a,b" for a list,
 * "[{type: stdout}]" for outputs). origin names it in errors ("--set").
 * Returns 0 or -EINVAL with errs filled. */
int vg_config_set(struct vg_config *c, const char *assignment, const char *origin,
		  struct vg_config_errors *errs);
/* The same with key and value apart. */
int vg_config_set_kv(struct vg_config *c, const char *key, const char *value, const char *origin,
		     struct vg_config_errors *errs);

/* Replaces a list key with these items (each checked). */
int vg_config_set_list(struct vg_config *c, const char *key, const char *const *items,
		       unsigned n, const char *origin, struct vg_config_errors *errs);

/* A command-line override: items for a list key (--rules), else key and
 * value, else value as "KEY=VALUE" (--set). origin names it in errors. */
struct vg_config_override {
	const char *origin;
	const char *key;
	const char *value;
	const char *const *items;
	unsigned nitems;
};

/* Applies overrides in order; all are tried, errors recorded. */
int vg_config_apply(struct vg_config *c, const struct vg_config_override *ov, unsigned n,
		    struct vg_config_errors *errs);

/* The effective configuration: defaults, then the file (path; NULL means
 * VG_CONFIG_DEFAULT_PATH, which may be missing), then the overrides.
 * Returns 0, or a negative errno with errs filled (nothing is returned). */
int vg_config_build(struct vg_config **out, const char *builtin_rules, const char *path,
		    const struct vg_config_override *ov, unsigned n, struct vg_config_errors *errs);

/* A key's value as YAML text (flow style for lists and outputs). Returns
 * the length it needed, as snprintf. */
int vg_config_format(const struct vg_config *c, const struct vg_config_key *k, char *buf,
		     size_t len);

/* The whole configuration as YAML that loads back to the same values. */
void vg_config_show(const struct vg_config *c, FILE *out);
/* A commented example: every key with its doc and default, commented out. */
void vg_config_example(FILE *out);
/* The key table in Markdown (docs/configuration.md). */
void vg_config_markdown(FILE *out);

#endif
