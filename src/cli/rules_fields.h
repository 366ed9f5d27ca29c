/* vigil rules fields: the field reference (see rules_fields.c). */
#ifndef VIGIL_CLI_RULES_FIELDS_H
#define VIGIL_CLI_RULES_FIELDS_H

/* argv starts at "rules" (argv[1] is "fields"). Returns the exit status. */
int vg_cmd_rules_fields(int argc, char **argv);

#endif
