/* What one output's configuration holds. The sinks read these fields; the
 * keys that fill them are described in output/out_schema.c and set through
 * output/out_conf.h. */
#ifndef VIGIL_OUTPUT_OUT_TYPES_H
#define VIGIL_OUTPUT_OUT_TYPES_H

#include <stdbool.h>
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

#endif
