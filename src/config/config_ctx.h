/* What the configuration's readers share (config_yaml.c, config_values.c,
 * config_outputs.c, config_print.c): the state of one load and its errors,
 * where a key's value lives in struct vg_config, and freeing values. */
#ifndef VIGIL_CONFIG_CONFIG_CTX_H
#define VIGIL_CONFIG_CONFIG_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config/config.h"

/* One load: a file, or one --set */
struct vg_config_loader {
	struct vg_config *c;
	const char *where;
	yaml_document_t *doc;
	struct vg_config_errors *errs;
	unsigned seen[64]; /* line of each key's first setting; 0 = not yet */
	int failed;
};

void vg_config_add_error(struct vg_config_errors *errs, const char *where, const yaml_mark_t *mark,
			 const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* An error of a load, which then fails */
#define ld_error(ld, mark, key, ...)                                                               \
	do {                                                                                       \
		vg_config_add_error((ld)->errs, (ld)->where, (mark), (key), __VA_ARGS__);          \
		(ld)->failed = 1;                                                                  \
	} while (0)

/* Where key k's value is in c */
void *vg_config_field(struct vg_config *c, const struct vg_config_key *k);
const void *vg_config_cfield(const struct vg_config *c, const struct vg_config_key *k);
/* "a number", "a list of strings" ...: what a key of type t wants */
const char *vg_config_type_name(enum vg_config_type t);
/* 4096 -> "4K", 1048576 -> "1M": a size as the configuration writes it */
int vg_config_format_size(char *buf, size_t len, uint64_t v);
/* A string as YAML: plain when that reads back the same, else quoted; as
 * snprintf. */
int vg_config_yaml_string(char *buf, size_t len, const char *s);
void vg_strlist_clear(struct vg_strlist *l);
void vg_output_entry_clear(struct vg_output_entry *o);
void vg_config_outputs_clear(struct vg_config *c);

#endif
