/* Fuzz target: the metrics.listen address parser (HOST:PORT, [v6]:PORT, on).
 * Any bytes must give 0 with an IPv4/IPv6 address and a port of 1 to 65535,
 * or -EINVAL with a terminated message. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	char *s = malloc(size + 1);
	int ret;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	err[0] = 0;
	ret = vg_metrics_parse_listen(s, &ss, &len, err, sizeof(err));
	if (ret == 0) {
		uint16_t port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) :
							   ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);

		if ((ss.ss_family != AF_INET && ss.ss_family != AF_INET6) || port == 0)
			__builtin_trap();
	} else if (ret != -EINVAL || !memchr(err, 0, sizeof(err)) || !err[0]) {
		__builtin_trap();
	}
	free(s);
	return 0;
}
