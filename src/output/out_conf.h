/* One output's configuration: its type and the values of its keys. It is
 * built from the command line spec "TYPE[:key=value,...]" or, one key at a
 * time, from a configuration file. The keys themselves (which types take
 * them, their values, defaults and docs) are listed once, in
 * output/out_schema.c. The sinks read the fields; everyone else uses the
 * functions. */
#ifndef VIGIL_OUTPUT_OUT_CONF_H
#define VIGIL_OUTPUT_OUT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VG_OUTPUT_QUEUE_DEFAULT 10000
#define VG_OUTPUT_QUEUE_MAX 10000000
#define VG_OUTPUT_NAME_MAX 128
#define VG_OUT_ERROR_MAX 256
#define VG_OUT_HEADERS_MAX 16

enum vg_out_type { VG_OUT_STDOUT, VG_OUT_FILE, VG_OUT_SYSLOG, VG_OUT_WEBHOOK, VG_OUT_PROGRAM };
#define VG_OUT_TYPES 5
enum vg_out_format { VG_FMT_DEFAULT, VG_FMT_JSON, VG_FMT_TEXT };
enum vg_out_fsync { VG_FSYNC_NONE, VG_FSYNC_EVERY, VG_FSYNC_INTERVAL };
enum vg_out_transport { VG_TR_LOCAL, VG_TR_UDP, VG_TR_TCP };

struct vg_output_conf {
	enum vg_out_type type;
	char name[VG_OUTPUT_NAME_MAX]; /* empty: derived from type and target */
	int min_prio;		       /* alerts above (less severe) are skipped */
	enum vg_out_format format;
	uint64_t queue, queue_bytes;
	bool drop_oldest;
	uint64_t drain_ms;
	uint64_t timeout_ms, connect_timeout_ms;
	uint64_t retries, backoff_ms, backoff_max_ms;
	/* file */
	char *path;
	enum vg_out_fsync fsync;
	uint64_t fsync_interval_ms;
	/* syslog */
	int facility;
	char *address; /* NULL: local syslog(3) */
	enum vg_out_transport transport;
	char host[256], port[8];
	uint64_t max_message;
	/* webhook */
	char *url;
	char *headers[VG_OUT_HEADERS_MAX];
	unsigned nheaders;
	char *ca_file, *cert, *key;
	bool insecure;
	/* program */
	char *command;
};

/* "daemon", "local0" ... → LOG_DAEMON ...; -EINVAL if unknown. */
int vg_syslog_facility(const char *name);
/* "stdout", "file", ... for a type. */
const char *vg_output_type_name(enum vg_out_type t);

/* type: "stdout", "file", "syslog", "webhook", "program". Every key starts
 * at its default. Returns 0, or -EINVAL (unknown type) / -ENOMEM with the
 * problem in err. */
int vg_output_conf_new(struct vg_output_conf **out, const char *type, char *err, size_t errlen);
/* One key=value. Errors (-EINVAL) name the key and the problem. Keys for
 * every type: name, min_priority, format (json|text), queue, queue_bytes,
 * overflow (drop_newest|drop_oldest), drain_ms. See docs/outputs.md. */
int vg_output_conf_set(struct vg_output_conf *c, const char *key, const char *value, char *err,
		       size_t errlen);
/* Checks that the keys the type needs are there (file: path, ...) and
 * names the output if name= was not set. Call it after the last set. */
int vg_output_conf_check(struct vg_output_conf *c, char *err, size_t errlen);
/* The command line spec "TYPE[:key=value,key=value...]": a comma or
 * backslash inside a value is written "\," or "\\". Sets and checks. */
int vg_output_conf_parse(struct vg_output_conf **out, const char *spec, char *err, size_t errlen);
int vg_output_conf_dup(struct vg_output_conf **out, const struct vg_output_conf *c);
/* Accepts NULL. */
void vg_output_conf_free(struct vg_output_conf *c);
/* The output's name in stats ("file:/var/log/vigil.json" unless name= is set). */
const char *vg_output_conf_name(const struct vg_output_conf *c);

#endif
