/* The program logs; library-style code returns negative errno and lets the
 * caller decide (systemd's rule). All messages go to stderr, prefixed. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

enum vg_log_level { VG_LOG_ERROR, VG_LOG_WARN, VG_LOG_INFO, VG_LOG_DEBUG };

extern enum vg_log_level vg_log_max;

void vg_log(enum vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vg_err(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)
#define vg_warn(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_info(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_debug(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)

#endif
