/* One output's configuration (output/out_types.h), built from the command
 * line spec "TYPE[:key=value,...]" or, one key at a time, from a
 * configuration file. The keys themselves (which types take them, their
 * values, defaults and docs) are listed once, in output/out_schema.c. */
#ifndef VIGIL_OUTPUT_OUT_CONF_H
#define VIGIL_OUTPUT_OUT_CONF_H

#include <stddef.h>

#include "output/out_types.h"

/* type: "stdout", "file", "syslog", "webhook", "program". Every key starts
 * at its default. Returns 0, or -EINVAL (unknown type) / -ENOMEM with the
 * problem in err. */
int vg_output_conf_new(struct vg_output_conf **out, const char *type, char *err, size_t errlen);
/* One key=value (the keys: output/out_schema.c, docs/outputs.md). Errors
 * (-EINVAL) name the key and the problem. */
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
