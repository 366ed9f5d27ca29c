/* Sensitive files known by identity (device and inode), not by name: a hard
 * link made earlier (`ln /etc/shadow /tmp/x`, then `cat /tmp/x`) opens
 * /etc/shadow under another name. The field fd.known_name gives the
 * watched name of the file an event touched, whatever it was called. */
#ifndef VIGIL_FIELDS_FILE_IDENTITY_H
#define VIGIL_FIELDS_FILE_IDENTITY_H

#include "sensor/event.h"
#include "util/lookup_stats.h"

/* The watched name of the file `ev` (open, link, chmod, chown, truncate)
 * touched, or NULL. The watched files are stat'ed again when the last look
 * is older than a second, so a file replaced by rename (passwd rewriting
 * /etc/shadow) is known by its new inode. */
const char *vg_file_known_name(const struct vg_event *ev);

/* Its stat of the event's path, one per event that may be a watched file:
 * calls, failures, time (`vigil status`). */
void vg_file_known_name_stats(struct vg_lookup_stats *out);

#endif
