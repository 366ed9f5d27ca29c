/* Every output key, once: which output types take it, what values it
 * accepts, its default and its doc. The parser (output/out_conf.c), the
 * defaults of a new output and the key table of docs/outputs.md (`vigil
 * config output-keys`) all come from this table, so they cannot disagree. */
#ifndef VIGIL_OUTPUT_OUT_SCHEMA_H
#define VIGIL_OUTPUT_OUT_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output/out_types.h"

/* How a key's value is read and where it goes. */
enum vg_out_key_kind {
	VG_OUT_KEY_NAME,     /* the output's name: no spaces or control characters */
	VG_OUT_KEY_PRIORITY, /* a Falco priority, stored as syslog's severity */
	VG_OUT_KEY_CHOICE,   /* one of choices, stored as its value (an enum or bool) */
	VG_OUT_KEY_U64,	     /* a number from min to max */
	VG_OUT_KEY_SIZE,     /* a size with K/M/G suffixes, from min to max */
	VG_OUT_KEY_STRING,   /* non-empty text, at most 4096 bytes */
	VG_OUT_KEY_PATH,     /* the same, a file's path */
	VG_OUT_KEY_BOOL,     /* true/false (yes/no, 1/0) */
	VG_OUT_KEY_FACILITY, /* a syslog facility name */
	VG_OUT_KEY_ADDRESS,  /* udp://HOST:PORT or tcp://HOST:PORT, also fills host/port */
	VG_OUT_KEY_URL,	     /* http:// or https:// */
	VG_OUT_KEY_HEADER,   /* "Name: value", appended (repeatable) */
};

struct vg_out_choice {
	const char *name;
	int value;
};

#define VG_OUT_TYPE_BIT(t) (1u << (t))

struct vg_out_key {
	const char *key;
	unsigned types; /* VG_OUT_TYPE_BIT of each type that takes it */
	enum vg_out_key_kind kind;
	size_t offset, size; /* the field in struct vg_output_conf */
	uint64_t min, max;   /* U64 and SIZE */
	const struct vg_out_choice *choices; /* CHOICE, ended by a NULL name */
	const char *def;      /* the default as it would be written; NULL: unset */
	const char *def_doc;  /* the default column when def alone does not say it */
	const char *doc;
};

extern const struct vg_out_key vg_out_keys[];
extern const size_t vg_out_nkeys;

/* The key named name, or NULL. */
const struct vg_out_key *vg_out_key_find(const char *name);
/* Reads value as k says and stores it in c. Returns 0, -EINVAL with "KEY:
 * problem" in err, or -ENOMEM. The caller checks that the type takes k. */
int vg_out_key_set(const struct vg_out_key *k, struct vg_output_conf *c, const char *value,
		   char *err, size_t errlen);
/* The key table in Markdown, as docs/outputs.md holds it. */
void vg_out_keys_markdown(FILE *f);

/* "stdout", "file", ... for a type; "?" when out of range. */
const char *vg_output_type_name(enum vg_out_type t);
/* The type named name, or -EINVAL. */
int vg_output_type_parse(const char *name);
/* "daemon", "local0" ... → LOG_DAEMON ...; -EINVAL if unknown. */
int vg_syslog_facility(const char *name);

#endif
