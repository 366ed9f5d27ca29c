/* The rule engine's view of a real event: extracts the fields of the
 * registry (src/rules/fields.h) from a decoded record, the process table and
 * the user cache, with Falco's semantics and value spellings. Each field
 * family (evt.c, args.c, proc.c, fd.c, user.c, bpf.c ...) lists its
 * extractors in a table keyed by field id (fields/fx.h); this file's
 * vg_rule_field_get dispatches to them.
 *
 * Set up: a zeroed context (calloc), then procs, users and hostname.
 * Use, once per event:
 *   vg_rule_ctx_reset(&ctx, ev, wall_ns);
 *   n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, &ctx, m, max);
 *   vg_rules_format(rs, m[i], vg_rule_field_get, &ctx, &alert);
 *
 * Extraction never allocates: rendered values (flags, command lines,
 * ancestors) go to the context's scratch area, which is reset per event, and
 * what several fields share (the process entry, its ancestors, its view) is
 * looked up once per event. Values stay valid until the next reset. The
 * context is large (see VG_RULE_SCRATCH): keep it off the stack. */
#ifndef VIGIL_FIELDS_EXTRACT_H
#define VIGIL_FIELDS_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/fields.h"

struct vg_event;
struct vg_proc;
struct vg_proctable;
struct vg_usercache;
struct vg_container;
struct vg_drops;
struct vg_stdio_table;
struct vg_arg_def;

/* Room for one event's rendered values. A value that does not fit is cut
 * (strings) or absent (lists); 64 KiB holds a full command line of the
 * process, its parent and a dozen ancestors. */
#define VG_RULE_SCRATCH (64 * 1024)

/* What is known of one process, from the table or from the exec record
 * itself; strings are never NULL ("" when unknown). Private to the
 * extractor, in the header only for the size of struct vg_rule_ctx. */
struct vg_rule_pview {
	const struct vg_proc *p; /* NULL: built from the record alone */
	uint32_t pid, ppid, loginuid, euid, egid, pid_ns;
	uint32_t sid;  /* session id, host numbering; VG_SID_UNKNOWN */
	uint32_t pgid; /* process group id, host numbering; VG_PGID_UNKNOWN */
	uint32_t argc, tty_nr, img_flags;
	uint32_t exe_dev; /* kernel dev_t of the executable's file system, 0 unknown */
	uint64_t exe_ino, start_ns; /* start: CLOCK_BOOTTIME, 0 unknown */
	uint64_t exe_ctime_ns, exe_mtime_ns; /* ns since the epoch, 0 unknown */
	uint64_t pidns_start_ns;	     /* CLOCK_BOOTTIME, 0 unknown */
	const char *comm;
	const char *exe, *args, *cwd, *env;
	uint32_t comm_len, exe_len, args_len, cwd_len, env_len;
	bool has_img;			      /* exe/args/cwd/env are known */
	const struct vg_container *container; /* NULL unknown */
};

struct vg_rule_ctx {
	/* set once by the owner; any may be NULL (the fields they feed are
	 * then absent) */
	struct vg_proctable *procs;
	struct vg_usercache *users;
	const char *hostname;
	struct vg_drops *drops; /* files dropped in o+w directories (vigil.exe.dropped) */
	struct vg_stdio_table *stdio; /* standard descriptors and pipes (proc.stdin.* ...) */

	/* per event, set by vg_rule_ctx_reset */
	const struct vg_event *ev;
	uint64_t wall_ns; /* event time, ns since the epoch */
	uint64_t num;	  /* evt.num: events this context has seen */

	/* private: per-event caches (bits of `have`) */
	unsigned have;
	struct vg_rule_pview self;
	unsigned nanc; /* ancestors found, parent first */
	const struct vg_proc *anc[VG_FIELD_MAX_VALUES];
	const struct vg_arg_def *schema; /* the event's arguments (src/sensor/syscalls.c) */
	bool schema_known;		 /* schema looked up for this event */
	const char *cmdline;
	uint32_t cmdline_len;

	char scratch[VG_RULE_SCRATCH];
	size_t used;

	/* private: open flags rendered for earlier events, by flag set (kept
	 * across events: a machine opens with a handful of flag sets, and
	 * rendering them cost more than every rule's check on them) */
	struct vg_rule_oflags {
		uint32_t flags;
		uint32_t len; /* 0: empty */
		char text[256];
	} oflags[8];
	unsigned oflags_next;
};

/* Points the context at a new event and forgets the last one's values. */
void vg_rule_ctx_reset(struct vg_rule_ctx *c, const struct vg_event *ev, uint64_t wall_ns);

/* The vg_field_get callback: ctx is a struct vg_rule_ctx (its caches are
 * updated). Returns the number of values, 0 when the field does not apply
 * to the event or vigil cannot know it. */
int vg_rule_field_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		      unsigned max);

/* Names of the current event's arguments (evt.arg.NAME), in its schema's
 * order, which is Falco's; with aliases (other names rules may use: the
 * module's path of finit_module, a bpf program's name ...) or without.
 * Returns how many (<= max). */
unsigned vg_event_arg_names(struct vg_rule_ctx *c, bool aliases, const char **names,
			    unsigned max);

/* The name of the family that extracts field id ("evt", "proc", "fd" ...),
 * or NULL for a field vigil records nothing for (VG_FF_NODATA). */
const char *vg_field_family(enum vg_field_id id);

/* The rule engine's event type id for a record: its syscall name (openat,
 * dup3 ...), else its record kind (execve, clone, procexit ...); 0 if the
 * engine knows neither. */
unsigned vg_rule_evtype(const struct vg_event *ev);

#endif
