/* vigil's rule engine: loads Falco rule files (lists, macros, rules,
 * exceptions, append/override), compiles every condition once into a tree,
 * indexes rules by event type and evaluates events against them.
 *
 * Life cycle:
 *   rs = vg_rules_new();
 *   vg_rules_load_file(rs, "falco_rules.yaml");   (several, in order: later
 *   vg_rules_load_file(rs, "local_rules.yaml");    files override earlier ones)
 *   vg_rules_compile(rs);                         (once; then read-only)
 *   vg_rules_evtypes(rs, &set);                   -> the kernel's interesting syscalls
 *   per event: n = vg_rules_eval(rs, evtype, get, ctx, matches, max);
 *              vg_rules_format(rs, matches[i], get, ctx, &alert);
 *   vg_rules_free(rs);
 *
 * Problems are collected as diagnostics (file, line, column, item, message);
 * load and compile return -EINVAL when there was at least one error, but the
 * rules that compiled stay usable. Not thread-safe: evaluation uses a
 * per-engine value cache; use one engine per thread. */
#ifndef VIGIL_RULES_RULES_H
#define VIGIL_RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/evtypes.h"
#include "rules/fields.h"

enum vg_priority {
	VG_PRIO_EMERGENCY,
	VG_PRIO_ALERT,
	VG_PRIO_CRITICAL,
	VG_PRIO_ERROR,
	VG_PRIO_WARNING,
	VG_PRIO_NOTICE,
	VG_PRIO_INFO,
	VG_PRIO_DEBUG,
};

/* "warning", "WARNING", "Informational", "info" ...; -EINVAL if unknown */
int vg_priority_parse(const char *s, size_t len);
/* Falco's spelling: "Emergency" ... "Informational", "Debug" */
const char *vg_priority_name(enum vg_priority p);

enum vg_rule_state {
	VG_RULE_LOADED,	 /* compiled; evaluated when enabled */
	VG_RULE_SKIPPED, /* needs something vigil does not provide (k8s.*, plugins) */
	VG_RULE_FAILED,	 /* has errors */
};

/* What vigil does besides alerting when a rule matches (the rule's
 * "action:" key, a vigil extension; see docs/response.md). */
enum vg_rule_action {
	VG_ACTION_NONE,	       /* alert only */
	VG_ACTION_KILL,	       /* SIGKILL the process */
	VG_ACTION_KILL_PGROUP, /* SIGKILL its process group */
};

/* "kill", "kill_pgroup" -> action; -EINVAL if unknown ("none" is VG_ACTION_NONE) */
int vg_action_parse(const char *s, size_t len);
/* "none", "kill", "kill_pgroup" */
const char *vg_action_name(enum vg_rule_action a);

struct vg_node;
struct vg_tmpl;

struct vg_rule {
	const char *name;
	const char *desc;
	const char *output; /* the template, with %fields */
	const char *source; /* "syscall" */
	const char *const *tags;
	unsigned ntags;
	enum vg_priority priority;
	bool enabled;
	enum vg_rule_state state;
	const char *file; /* where it was (last) defined */
	unsigned line;
	unsigned index;		  /* position in the engine's rule order */
	struct vg_evtset evtypes; /* event types it can match (when loaded) */
	bool all_evtypes;	  /* its condition does not restrict evt.type */
	enum vg_rule_action action; /* applied only when the monitor runs with --response */
	/* engine-private */
	const struct vg_node *cond;
	const struct vg_tmpl *tmpl;
};

enum vg_diag_level { VG_DIAG_ERROR, VG_DIAG_WARNING, VG_DIAG_SKIPPED };

struct vg_diag {
	enum vg_diag_level level;
	const char *file; /* "" if none */
	unsigned line, column; /* 1-based; 0 = unknown */
	char item[160];	       /* "rule 'Terminal shell in container'", "macro 'x'" or "" */
	char msg[352];
};

struct vg_rules_stats {
	unsigned rules, loaded, skipped, failed, disabled;
	unsigned macros, lists;
	unsigned errors, warnings;
};

struct vg_rules;

struct vg_rules *vg_rules_new(void);
void vg_rules_free(struct vg_rules *rs);

/* Limits (0 keeps the default). Defaults: 16 MiB per file, 64 files,
 * 256 MiB of memory for everything the engine builds. */
void vg_rules_set_limits(struct vg_rules *rs, size_t max_file_bytes, unsigned max_files,
			 size_t max_memory);

/* Loads one rules file (YAML). Returns 0, -EINVAL if it had errors (see the
 * diagnostics), -EBUSY after vg_rules_compile, or another negative errno (the
 * file could not be read: also reported as a diagnostic). */
int vg_rules_load_file(struct vg_rules *rs, const char *path);
/* Same from memory; name is used in diagnostics. */
int vg_rules_load_buffer(struct vg_rules *rs, const char *name, const char *data, size_t len);

/* Resolves lists and macros, checks and compiles every rule, builds the
 * event-type index. Returns 0, or -EINVAL if any rule, macro or file had an
 * error (the rules without errors are still evaluated). Once only. */
int vg_rules_compile(struct vg_rules *rs);

unsigned vg_rules_count(const struct vg_rules *rs);
const struct vg_rule *vg_rules_get(const struct vg_rules *rs, unsigned i);
const struct vg_rule *vg_rules_find(const struct vg_rules *rs, const char *name);
/* Enables or disables a compiled rule (re-indexes). -ENOENT, -EINVAL if the
 * rule is not loaded. */
int vg_rules_set_enabled(struct vg_rules *rs, const char *name, bool enabled);

/* The union of the event types the enabled rules need: what the kernel
 * sensor must report. */
void vg_rules_evtypes(const struct vg_rules *rs, struct vg_evtset *out);

const struct vg_diag *vg_rules_diags(const struct vg_rules *rs, unsigned *count);
/* "file:line:col: error: rule 'x': message"; returns snprintf's count */
int vg_diag_format(const struct vg_diag *d, char *buf, size_t size);
void vg_rules_get_stats(const struct vg_rules *rs, struct vg_rules_stats *st);

/* Evaluates one event of type evtype: fills matches (in rule order) with the
 * enabled rules whose condition holds, up to max. Returns how many matched
 * (may exceed max: only max are stored), or a negative errno. Never
 * allocates. Each field is extracted at most once per call (get is called
 * with ctx). */
int vg_rules_eval(struct vg_rules *rs, unsigned evtype, vg_field_get get, const void *ctx,
		  const struct vg_rule **matches, unsigned max);

/* How many times a match of rule r could not be run (a regex the engine
 * failed on): the rule was taken as not matching for those events. */
uint64_t vg_rules_match_failures(const struct vg_rules *rs, const struct vg_rule *r);

#define VG_ALERT_OUTPUT_MAX 8192
#define VG_ALERT_FIELDS_MAX 64
#define VG_ALERT_VALUES_MAX 16384

struct vg_alert_field {
	const char *name;  /* as written in the output: "proc.aname[2]", "evt.arg.flags" */
	const char *value; /* rendered; "<NA>" when absent */
	bool present;
};

/* A rule's output rendered for one event, plus output_fields. */
struct vg_alert_text {
	char output[VG_ALERT_OUTPUT_MAX];
	struct vg_alert_field fields[VG_ALERT_FIELDS_MAX];
	unsigned nfields;
	char values[VG_ALERT_VALUES_MAX]; /* storage behind fields[].value */
};

/* Renders rule's output for the event last passed to vg_rules_eval (same
 * get and ctx: it reuses the values extracted then). Long values are
 * truncated. Returns 0 or a negative errno. */
int vg_rules_format(struct vg_rules *rs, const struct vg_rule *rule, vg_field_get get,
		    const void *ctx, struct vg_alert_text *out);

#endif
